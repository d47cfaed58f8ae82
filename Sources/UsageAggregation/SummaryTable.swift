/// Stage 4's result: one row per group, sorted by the group columns.
///
/// Stored column-wise — every row's group values in one flat array, every row's measures in
/// another — so that a table of a million groups holds no array per row, and its measures
/// are the group table's own, moved and put in order in place rather than copied.
public struct SummaryTable: Sendable, Equatable {
    /// The group columns, in `--by` order.
    public var columns: [GroupColumn]
    /// Measure columns written after schema v1's, each behind its flag.
    public var optionalMeasures: OptionalMeasures = []
    /// The group values of every row, `columns.count` per row, row after row.
    public private(set) var groupValues: [GroupValue] = []
    /// The measures of every row.
    public private(set) var measures: [Measures] = []

    /// A table of these rows, in this order.
    public init(columns: [GroupColumn], rows: [SummaryRow], optionalMeasures: OptionalMeasures = []) {
        self.columns = columns
        self.optionalMeasures = optionalMeasures
        for row in rows { append(row) }
    }

    /// Resolves a table's keys (time cells and string ids of `strings`) and sorts the rows.
    /// Takes the group table's measures over: when it holds the only reference to them, they are
    /// reordered where they are, not copied.
    public init(table: consuming GroupTable, columns: [GroupColumn], strings: StringInterner) {
        self.columns = columns
        let width = columns.count
        let count = table.count
        var values: [GroupValue] = []
        values.reserveCapacity(count * width)
        for index in 0..<count {
            for (column, cell) in zip(columns, table.key(index)) {
                if cell == 0 {
                    values.append(.none)
                } else if column.isTime {
                    values.append(.time(GroupingPlan.bucketStart(ofCell: cell)))
                } else {
                    values.append(.text(strings.string(UInt32(truncatingIfNeeded: cell))))
                }
            }
        }
        var measures = table.takeMeasures()
        // Byte order, not Swift's String equality (which equates canonically equivalent
        // Unicode): two spellings of a name are two groups, and their order must be fixed.
        var order = Array(0..<count)
        order.sort { lhs, rhs in
            for column in 0..<width {
                let left = values[lhs * width + column], right = values[rhs * width + column]
                if left < right { return true }
                if right < left { return false }
            }
            return false
        }
        groupValues.reserveCapacity(count * width)
        for index in order { groupValues += values[(index * width)..<((index + 1) * width)] }
        values = []
        Self.permute(&measures, by: order)
        self.measures = measures
    }

    /// Puts `elements[order[i]]` at position `i`, in place (following the permutation's cycles).
    private static func permute(_ elements: inout [Measures], by order: [Int]) {
        var placed = [Bool](repeating: false, count: order.count)
        for start in order.indices where !placed[start] {
            // Position `start` gets the element from `order[start]`, which gets the one from
            // `order[order[start]]`, … until the cycle comes back to `start`.
            var position = start
            while true {
                placed[position] = true
                let source = order[position]
                if source == start { break }
                elements.swapAt(position, source)
                position = source
            }
        }
    }

    /// Number of rows.
    public var count: Int { measures.count }

    /// The group values of row `index`, one per column.
    public func groupValues(ofRow index: Int) -> ArraySlice<GroupValue> {
        groupValues[(index * columns.count)..<((index + 1) * columns.count)]
    }

    /// Row `index`.
    public func row(_ index: Int) -> SummaryRow {
        SummaryRow(groupValues: Array(groupValues(ofRow: index)), measures: measures[index])
    }

    /// Every row, made one by one (for tests and small tables; writers go by index). Setting
    /// it replaces every row.
    public var rows: [SummaryRow] {
        get { (0..<count).map(row) }
        set {
            groupValues = []
            measures = []
            for row in newValue { append(row) }
        }
    }

    /// Adds a row at the end.
    public mutating func append(_ row: SummaryRow) {
        precondition(row.groupValues.count == columns.count, "a row needs one value per column")
        groupValues += row.groupValues
        measures.append(row.measures)
    }
}

/// Groups of measure columns that only appear behind their flag, after schema v1's measures,
/// so that readers of schema v1 never break.
public struct OptionalMeasures: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `--prices`: `unpriced_requests`, `cache_savings_usd`.
    public static let prices = OptionalMeasures(rawValue: 1 << 0)
    /// `--stats`: percentiles and maximum of total tokens and latency.
    public static let stats = OptionalMeasures(rawValue: 1 << 1)
}

/// One group and its measures.
public struct SummaryRow: Sendable, Equatable {
    /// One value per group column.
    public var groupValues: [GroupValue]
    public var measures: Measures

    public init(groupValues: [GroupValue], measures: Measures) {
        self.groupValues = groupValues
        self.measures = measures
    }
}

/// A group column's value in one row.
///
/// Equality, hashing and order all go by the UTF-8 bytes of a string: Swift's own `String`
/// equality would call two spellings of a name equal that are two groups and sort apart.
public enum GroupValue: Sendable, Hashable, Comparable {
    /// No value (written as an empty cell); sorts first.
    case none
    /// The start of a time bucket, Unix seconds.
    case time(Int64)
    /// A string, compared byte by byte in UTF-8.
    case text(String)

    public static func == (lhs: GroupValue, rhs: GroupValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): return true
        case (.time(let a), .time(let b)): return a == b
        case (.text(let a), .text(let b)): return a.utf8.elementsEqual(b.utf8)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .none:
            hasher.combine(0 as UInt8)
        case .time(let seconds):
            hasher.combine(1 as UInt8)
            hasher.combine(seconds)
        case .text(let text):
            hasher.combine(2 as UInt8)
            hasher.combine(text.utf8.count)
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }

    public static func < (lhs: GroupValue, rhs: GroupValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): return false
        case (.none, _): return true
        case (_, .none): return false
        case (.time(let a), .time(let b)): return a < b
        case (.text(let a), .text(let b)): return a.utf8.lexicographicallyPrecedes(b.utf8)
        case (.time, .text): return true
        case (.text, .time): return false
        }
    }
}
