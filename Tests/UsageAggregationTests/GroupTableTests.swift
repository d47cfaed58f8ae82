import TestSupport
import Testing
import UsageDecoding

@testable import UsageAggregation

@Suite struct GroupTableTests {
    /// A new key gets the next index; a known key is found at its index, with nothing added.
    @Test func insertAndFind() {
        var table = GroupTable(width: 2)
        #expect(table.count == 0)
        #expect(table.groupIndex([1, 2]) == 0)
        #expect(table.groupIndex([2, 1]) == 1)
        #expect(table.groupIndex([1, 2]) == 0)
        #expect(table.groupIndex([1, 0]) == 2)
        #expect(table.groupIndex([0, 0]) == 3)
        #expect(table.groupIndex([2, 1]) == 1)
        #expect(table.count == 4)
        #expect(table.keys == [1, 2, 2, 1, 1, 0, 0, 0])
        #expect(Array(table.key(2)) == [1, 0])
        #expect(table.measures == Array(repeating: Measures(), count: 4))
    }

    /// Records land in the measures of their own group.
    @Test func addSumsPerGroup() {
        var table = GroupTable(width: 1)
        #expect(table.add(record(input: "10", output: "1"), key: [7]) == true)
        #expect(table.add(record(input: "20", output: "2"), key: [8]) == true)
        #expect(table.add(record(input: "30", output: "3", cost: "0.5"), key: [7]) == true)
        #expect(table.count == 2)
        #expect(table.measures[0] == summed([record(input: "10", output: "1"), record(input: "30", output: "3", cost: "0.5")]))
        #expect(table.measures[1] == summed([record(input: "20", output: "2")]))
    }

    /// Keys that are the full range of cell values, and differ in one cell only, are distinct.
    @Test func extremeCellValues() {
        var table = GroupTable(width: 3)
        let keys: [[UInt64]] = [
            [0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [.max, .max, .max], [.max, .max, .max - 1],
            [1 << 63, 0, 0], [0, 1 << 63, 0], [UInt64(UInt32.max), 0, 0],
        ]
        for (index, key) in keys.enumerated() { #expect(table.groupIndex(key) == index) }
        for (index, key) in keys.enumerated() { #expect(table.groupIndex(key) == index) }
        #expect(table.count == keys.count)
    }

    /// Keys with the same 64-bit hash are still two groups (the second key was solved for
    /// from the hash's last step, which is invertible).
    @Test func fullHashCollisionsStayDistinct() {
        let first: [UInt64] = [1, 2], second: [UInt64] = [3, 4_879_627_882_345_951_333]
        let hashes = [first, second].map { key in key.withUnsafeBufferPointer { GroupTable.hash($0) } }
        #expect(hashes[0] == hashes[1])  // a real collision, or this test proves nothing
        var table = GroupTable(width: 2)
        table.add(record(input: "1"), key: first)
        table.add(record(input: "2"), key: second)
        table.add(record(input: "4"), key: first)
        #expect(table.count == 2)
        #expect(table.measures.map(\.inputTokens) == ["5", "2"].map(dec))
    }

    /// Past thousands of groups (many growths of the slot array) every key keeps its index and
    /// the keys stay in insertion order.
    @Test(arguments: [1, 2, 5])
    func growsPastThousandsOfGroups(_ width: Int) {
        var table = GroupTable(width: width)
        let count = 20_000
        // Keys that look alike: small numbers, one column counting up, the others derived.
        func key(_ i: Int) -> [UInt64] { (0..<width).map { UInt64(i) &* UInt64($0 * 2 + 1) >> UInt64($0) } }
        var wrongIndex = 0
        for i in 0..<count where table.groupIndex(key(i)) != i { wrongIndex += 1 }
        #expect(wrongIndex == 0)
        #expect(table.count == count)
        for i in stride(from: count - 1, through: 0, by: -3) where table.groupIndex(key(i)) != i { wrongIndex += 1 }
        #expect(wrongIndex == 0)
        #expect(table.count == count)
        #expect(table.keys == (0..<count).flatMap(key))
    }

    /// A table with no group columns (an empty `--by`) has a single group.
    @Test func widthZeroHasOneGroup() {
        var table = GroupTable(width: 0)
        #expect(table.add(record(input: "1"), key: []) == true)
        #expect(table.add(record(input: "2"), key: []) == true)
        #expect(table.count == 1)
        #expect(table.keys == [])
        #expect(table.key(0).isEmpty)
        #expect(table.measures[0].requests == 2)
        #expect(table.measures[0].inputTokens == dec("3"))
    }

    /// `merge` maps each key of the other table through `translate` before looking it up:
    /// two local keys that translate to one global key become one group, and the target's
    /// existing groups keep their indices.
    @Test func mergeTranslatesKeys() {
        // Local ids 1, 2, 3 of a thread map to run-wide ids 10, 20, 10.
        let translation: [UInt64: UInt64] = [1: 10, 2: 20, 3: 10]
        var local = GroupTable(width: 2)
        local.add(record(input: "1", cost: "0.25"), key: [5, 1])
        local.add(record(input: "2"), key: [5, 2])
        local.add(record(input: "4"), key: [5, 3])
        local.add(record(input: "8"), key: [6, 0])

        var global = GroupTable(width: 2)
        global.add(record(input: "100"), key: [5, 20])
        global.add(record(input: "200"), key: [9, 10])

        let ok = global.merge(local) { cells in
            if cells[1] != 0 { cells[1] = translation[cells[1]]! }
        }
        #expect(ok)
        #expect(global.keys == [5, 20, 9, 10, 5, 10, 6, 0])
        #expect(global.measures.map(\.requests) == [2, 1, 2, 1])
        #expect(global.measures.map(\.inputTokens) == ["102", "200", "5", "8"].map(dec))
        #expect(global.measures.map(\.costedRequests) == [0, 0, 1, 0])
        // The source is a value: merging did not change it.
        #expect(local.keys == [5, 1, 5, 2, 5, 3, 6, 0])
    }

    /// Without a translation, merging a table into an empty one reproduces it, and merging it
    /// into itself doubles every sum.
    @Test func mergeWithoutTranslation() {
        var source = GroupTable(width: 1)
        for i in 0..<100 { source.add(record(input: "\(i)", output: "1"), key: [UInt64(i % 37)]) }
        var copy = GroupTable(width: 1)
        #expect(copy.merge(source) == true)
        #expect(copy.keys == source.keys)
        #expect(copy.measures == source.measures)

        var doubled = source
        #expect(doubled.merge(source) == true)
        #expect(doubled.keys == source.keys)
        #expect(doubled.measures.map(\.requests) == source.measures.map { $0.requests * 2 })
    }

    /// A merge that overflows a sum reports false, and still merges the other groups.
    @Test func mergeReportsOverflow() {
        var full = GroupTable(width: 1)
        full.add(record(input: "1"), key: [1])
        full.add(record(), key: [3])
        var maximal = GroupTable(width: 1)
        var r = record()
        r.inputTokens = .init(whole: .max - 1, fraction: 0)
        #expect(maximal.add(r, key: [1]) == true)
        #expect(full.merge(maximal) == true)  // 1 + (2^128 − 2) = 2^128 − 1: fits
        #expect(full.measures[0].inputTokens == .init(whole: .max, fraction: 0))

        var more = GroupTable(width: 1)
        more.add(record(input: "1"), key: [1])
        more.add(record(input: "1"), key: [2])
        #expect(full.merge(more) == false)  // one more in group 1: overflow
        #expect(full.measures[0].inputTokens == .init(whole: .max, fraction: 0))
        #expect(full.keys == [1, 3, 2])  // group 2 was still merged
        #expect(full.measures[2].inputTokens == dec("1"))
    }

    /// After `removeAll` the table is empty, no old key is found, and it fills again from
    /// index 0, also after it had grown.
    @Test func removeAllThenReuse() {
        var table = GroupTable(width: 2)
        for i in 0..<5_000 { table.add(record(input: "1"), key: [UInt64(i), 1]) }
        table.removeAll()
        #expect(table.count == 0)
        #expect(table.keys == [])
        #expect(table.measures == [])
        // New keys, in another order, some equal to old ones: all start from nothing.
        for i in 0..<3_000 {
            let k = UInt64(2_999 - i)
            #expect(table.groupIndex([k, 1]) == i)
        }
        #expect(table.measures.allSatisfy { $0 == Measures() })
        #expect(table.groupIndex([4_999, 1]) == 3_000)
        // Removing from an empty table is harmless.
        var empty = GroupTable(width: 1)
        empty.removeAll()
        #expect(empty.groupIndex([0]) == 0)
    }

    /// Tables are values: a copy taken before an insert does not see it.
    @Test func copiesAreIndependent() {
        var table = GroupTable(width: 1)
        table.add(record(input: "1"), key: [1])
        let snapshot = table
        table.add(record(input: "1"), key: [1])
        table.add(record(input: "1"), key: [2])
        #expect(snapshot.count == 1)
        #expect(snapshot.measures[0].requests == 1)
        #expect(table.count == 2)
    }
}
