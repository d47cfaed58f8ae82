import UsageDecoding

/// Measures per group, where a group is a fixed-width key of 64-bit cells: a time bucket, or
/// the id of a string from a ``StringInterner`` (0 = no value).
///
/// Open addressing with linear probing over a flat key array: finding the group of a record
/// that belongs to a group seen before allocates nothing.
public struct GroupTable: Sendable {
    /// Cells per key (the number of group columns).
    public let width: Int
    /// Keys, `width` cells per group, in insertion order.
    public private(set) var keys: [UInt64] = []
    /// Measures of group `i`.
    public private(set) var measures: [Measures] = []
    /// Whether new groups keep the distributions of `--stats`.
    public let statistics: Bool
    private var slots: [Int32]
    private var mask: Int

    public init(width: Int, statistics: Bool = false) {
        self.width = width
        self.statistics = statistics
        slots = Array(repeating: -1, count: 16)
        mask = 15
    }

    /// Number of groups.
    public var count: Int { measures.count }

    /// The key cells of group `index`.
    public func key(_ index: Int) -> ArraySlice<UInt64> {
        keys[(index * width)..<((index + 1) * width)]
    }

    /// The index of the group with these cells, adding an empty group if new.
    public mutating func groupIndex(_ cells: UnsafeBufferPointer<UInt64>) -> Int {
        precondition(cells.count == width)
        let hash = Self.hash(cells)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { break }
            if matches(index, cells) { return index }
            slot = (slot + 1) & mask
        }
        let index = measures.count
        keys.append(contentsOf: cells)
        measures.append(Measures(statistics: statistics))
        slots[slot] = Int32(index)
        if measures.count * 2 > slots.count { grow() }
        return index
    }

    /// Adds a record to the group with these cells; false on overflow.
    @inlinable
    public mutating func add(_ record: UsageRecord, cells: UnsafeBufferPointer<UInt64>) -> Bool {
        let index = groupIndex(cells)
        return addRecord(record, at: index)
    }

    @usableFromInline
    mutating func addRecord(_ record: UsageRecord, at index: Int) -> Bool {
        measures[index].add(record)
    }

    /// Merges every group of `other`, mapping each of its keys through `translate` first
    /// (which rewrites cells in place, e.g. local string ids to global ones); false on overflow.
    public mutating func merge(_ other: GroupTable, translate: (inout [UInt64]) -> Void = { _ in }) -> Bool {
        precondition(other.width == width)
        var cells = [UInt64](repeating: 0, count: width)
        var ok = true
        for index in 0..<other.count {
            for column in 0..<width { cells[column] = other.keys[index * width + column] }
            translate(&cells)
            let target = cells.withUnsafeBufferPointer { groupIndex($0) }
            ok = measures[target].merge(other.measures[index]) && ok
        }
        return ok
    }

    /// Merges every group of `other` (keys already in this table's ids); when this table is
    /// empty, takes `other`'s storage instead of copying it group by group, so that a run over
    /// one large input does not hold its groups twice. False on overflow.
    public mutating func merge(taking other: GroupTable) -> Bool {
        guard measures.isEmpty, other.width == width else { return merge(other) }
        keys = other.keys
        measures = other.measures
        slots = other.slots
        mask = other.mask
        return true
    }

    /// Adds measures summed elsewhere (a stored partial) to the group with these cells; false
    /// on overflow.
    public mutating func add(_ other: Measures, cells: UnsafeBufferPointer<UInt64>) -> Bool {
        let index = groupIndex(cells)
        return measures[index].merge(other)
    }

    /// The measures, taken out of the table (which is used up).
    public consuming func takeMeasures() -> [Measures] {
        // Freed here, while the measures are reordered: the caller's copy lives on until its
        // scope ends (measured: 18 MB of the 1 M-keys peak).
        keys = []
        slots = []
        return measures
    }

    /// Forgets every group, keeping the storage for reuse.
    public mutating func removeAll() {
        guard !measures.isEmpty else { return }
        keys.removeAll(keepingCapacity: true)
        measures.removeAll(keepingCapacity: true)
        for index in slots.indices { slots[index] = -1 }
    }

    private func matches(_ index: Int, _ cells: UnsafeBufferPointer<UInt64>) -> Bool {
        let base = index * width
        for column in 0..<width where keys[base + column] != cells[column] { return false }
        return true
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        for index in 0..<measures.count {
            let hash = keys.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[(index * width)..<((index + 1) * width)])) }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
        }
    }

    @inline(__always)
    static func hash(_ cells: UnsafeBufferPointer<UInt64>) -> UInt64 {
        var hash: UInt64 = 0x9e37_79b9_7f4a_7c15
        for cell in cells { hash = (hash ^ cell) &* 0xbf58_476d_1ce4_e5b9 ^ (hash >> 31) }
        return mix(hash)
    }
}
