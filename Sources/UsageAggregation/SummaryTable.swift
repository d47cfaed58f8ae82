/// Stage 4's result: one row per group, sorted by the group columns.
public struct SummaryTable: Sendable, Equatable {
    /// The group columns, in `--by` order.
    public var columns: [GroupColumn]
    /// The rows, sorted by their group values column by column.
    public var rows: [SummaryRow]
    /// Measure columns written after schema v1's, each behind its flag.
    public var optionalMeasures: OptionalMeasures = []

    public init(columns: [GroupColumn], rows: [SummaryRow], optionalMeasures: OptionalMeasures = []) {
        self.columns = columns
        self.rows = rows
        self.optionalMeasures = optionalMeasures
    }

    /// Resolves a table's keys (time cells and string ids of `strings`) and sorts the rows.
    public init(table: GroupTable, columns: [GroupColumn], strings: StringInterner) {
        self.columns = columns
        var rows: [SummaryRow] = []
        rows.reserveCapacity(table.count)
        for index in 0..<table.count {
            let key = table.key(index)
            let values = zip(columns, key).map { column, cell -> GroupValue in
                if cell == 0 { return .none }
                if column.isTime { return .time(GroupingPlan.bucketStart(ofCell: cell)) }
                return .text(strings.string(UInt32(truncatingIfNeeded: cell)))
            }
            rows.append(SummaryRow(groupValues: values, measures: table.measures[index]))
        }
        // Byte order, not Swift's String equality (which equates canonically equivalent
        // Unicode): two spellings of a name are two groups, and their order must be fixed.
        rows.sort { lhs, rhs in
            for (left, right) in zip(lhs.groupValues, rhs.groupValues) {
                if left < right { return true }
                if right < left { return false }
            }
            return false
        }
        self.rows = rows
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
