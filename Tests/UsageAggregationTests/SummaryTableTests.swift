import TestSupport
import Testing
import UsageDecoding

@testable import UsageAggregation

/// One group of the sorting tests: a day (nil = no time) and a model (nil = no value).
struct DayModel: Sendable {
    let day: Int64?
    let model: String?
}

/// The groups in the order docs/schema.md prescribes, worked out by hand: empty cells first,
/// times numerically (pre-1970 first), strings by their UTF-8 bytes. The bytes that decide:
///
///     Z 5A < a 61 < b 62 < e 65 < ea 65 61 < e◌́ 65 CC 81 < é C3 A9 < U+FFFD EF BF BD < 😀 F0 9F 98 80
///
/// so "Z" < "a" (not case-folded), the two spellings of "é" (equal for Swift's `==`) are two
/// rows in a fixed order, and U+FFFD comes before 😀 (in UTF-16 order it would come after).
let sortedGroups: [DayModel] = [
    DayModel(day: nil, model: nil),
    DayModel(day: nil, model: "Z"),
    DayModel(day: nil, model: "a"),
    DayModel(day: -2_204_150_400, model: nil),
    DayModel(day: -2_204_150_400, model: "\u{E9}"),
    DayModel(day: -86_400, model: "Z"),
    DayModel(day: -86_400, model: "e"),
    DayModel(day: 0, model: nil),
    DayModel(day: 0, model: "Z"),
    DayModel(day: 0, model: "a"),
    DayModel(day: 0, model: "b"),
    DayModel(day: 0, model: "e"),
    DayModel(day: 0, model: "ea"),
    DayModel(day: 0, model: "e\u{301}"),
    DayModel(day: 0, model: "\u{E9}"),
    DayModel(day: 0, model: "\u{FFFD}"),
    DayModel(day: 0, model: "\u{1F600}"),
    DayModel(day: 1_795_392_000, model: "a"),
]

/// The rows of a summary spelled out with bytes and request counts, e.g.
/// `none | text:5A | requests=2`.
func spelledRows(_ summary: SummaryTable) -> [String] {
    summary.rows.map { row in
        (row.groupValues.map(spelled) + ["requests=\(row.measures.requests)"]).joined(separator: " | ")
    }
}

@Suite struct SummaryTableTests {
    /// Builds the summary of `sortedGroups` with strings interned in one random order and groups
    /// inserted in another; group `i` of the sorted list gets `i + 1` records.
    static func summary(seed: UInt64) -> SummaryTable {
        var rng = SplitMix64(seed: seed)
        var strings = StringInterner()
        for model in Set(sortedGroups.compactMap(\.model).map { Array($0.utf8) }).shuffled(using: &rng) {
            _ = intern(bytes: model, &strings)
        }
        var table = GroupTable(width: 2)
        for index in sortedGroups.indices.shuffled(using: &rng) {
            let group = sortedGroups[index]
            let dayCell = group.day.map(GroupingPlan.timeCell) ?? 0
            let modelCell = group.model.map { UInt64(intern(bytes: Array($0.utf8), &strings)) } ?? 0
            for _ in 0...index { table.add(record(input: "1"), key: [dayCell, modelCell]) }
        }
        return SummaryTable(table: table, columns: [.time(.day), .model], strings: strings)
    }

    /// The expected rows, spelled from the hand-ordered list.
    static let expectedRows: [String] = sortedGroups.enumerated().map { index, group in
        let day = group.day.map { GroupValue.time($0) } ?? .none
        let model = group.model.map { GroupValue.text($0) } ?? .none
        return [spelled(day), spelled(model), "requests=\(index + 1)"].joined(separator: " | ")
    }

    /// Rows come out in schema order, each with its own measures, whatever order the strings
    /// were interned in (so whatever their ids) and the groups were inserted in.
    @Test(arguments: 0..<16)
    func rowsAreSortedWhateverTheInsertionOrder(_ seed: Int) {
        let summary = Self.summary(seed: UInt64(seed))
        #expect(summary.columns == [.time(.day), .model])
        #expect(spelledRows(summary) == Self.expectedRows)
    }

    /// A spot check of the spelled expectation itself, so a mistake in `spelled` cannot hide one
    /// in the order.
    @Test func expectationSpotCheck() {
        #expect(Self.expectedRows[13] == "time:0 | text:65 CC 81 | requests=14")
        #expect(Self.expectedRows[14] == "time:0 | text:C3 A9 | requests=15")
        #expect(Self.expectedRows[0] == "none | none | requests=1")
        #expect(Self.expectedRows[3] == "time:-2204150400 | none | requests=4")
    }

    /// Regression (issue 2): group values compare equal only when their bytes are equal, as
    /// they sort. Swift's `String ==` calls the two spellings of "é" equal, so with synthesized
    /// equality two summaries with those rows swapped were "equal", and `<` and `==` disagreed.
    @Test func groupValueEqualityIsByteWise() {
        let precomposed = GroupValue.text("\u{E9}"), decomposed = GroupValue.text("e\u{301}")
        #expect(precomposed != decomposed)
        #expect(decomposed < precomposed && !(precomposed < decomposed))
        #expect(Set([precomposed, decomposed, .text("\u{E9}")]).count == 2)
        #expect(GroupValue.text("a") == .text(String("ab".prefix(1))))
        #expect(GroupValue.time(0) != .none && GroupValue.time(5) == .time(5))

        let summary = Self.summary(seed: 1)
        var swapped = summary
        swapped.rows.swapAt(13, 14)
        swapped.rows[13].measures = summary.rows[13].measures
        swapped.rows[14].measures = summary.rows[14].measures
        #expect(swapped != summary)
    }

    /// Equal values never sort apart: `<` is a strict order consistent with `==`.
    @Test func orderIsStrictAndTotal() {
        let values: [GroupValue] = [.none, .time(-1), .time(0), .text("Z"), .text("a"), .text("e\u{301}"), .text("\u{E9}")]
        for (i, a) in values.enumerated() {
            for (j, b) in values.enumerated() {
                #expect((a < b) == (i < j), "\(i) \(j)")
                #expect((a == b) == (i == j), "\(i) \(j)")
            }
        }
    }

    /// String columns of every kind (file, key, custom) resolve their ids; the first column
    /// decides before the second.
    @Test func resolvesEveryStringColumn() {
        var strings = StringInterner()
        let b = UInt64(intern("b.jsonl", &strings)), a = UInt64(intern("a.jsonl", &strings))
        let k1 = UInt64(intern("key-1", &strings)), team = UInt64(intern("search", &strings))
        var table = GroupTable(width: 3)
        table.add(record(input: "1"), key: [b, k1, 0])
        table.add(record(input: "2"), key: [a, 0, team])
        table.add(record(input: "3"), key: [a, k1, team])
        let summary = SummaryTable(table: table, columns: [.file, .key, .custom("team")], strings: strings)
        #expect(summary.rows.map(\.groupValues) == [
            [.text("a.jsonl"), .none, .text("search")],
            [.text("a.jsonl"), .text("key-1"), .text("search")],
            [.text("b.jsonl"), .text("key-1"), .none],
        ])
        #expect(summary.rows.map(\.measures.inputTokens) == ["2", "3", "1"].map(dec))
    }

    /// Time columns after string columns sort numerically within a string.
    @Test func timesSortNumericallyWithinAString() {
        var strings = StringInterner()
        let m = UInt64(intern("m", &strings))
        var table = GroupTable(width: 2)
        for day: Int64 in [86_400 * 10, -86_400 * 400, 86_400 * 2, 0, -86_400] {
            table.add(record(), key: [m, GroupingPlan.timeCell(day)])
        }
        let summary = SummaryTable(table: table, columns: [.model, .time(.day)], strings: strings)
        #expect(summary.rows.map { $0.groupValues[1] } == [
            .time(-34_560_000), .time(-86_400), .time(0), .time(172_800), .time(864_000),
        ])
    }

    /// No group columns: one row without values; no groups at all: no rows.
    @Test func degenerateTables() {
        var table = GroupTable(width: 0)
        table.add(record(input: "4"), key: [])
        let one = SummaryTable(table: table, columns: [], strings: StringInterner())
        #expect(one.rows.count == 1)
        #expect(one.rows[0].groupValues == [])
        #expect(one.rows[0].measures.inputTokens == dec("4"))

        let none = SummaryTable(table: GroupTable(width: 2), columns: [.time(.day), .model], strings: StringInterner())
        #expect(none.rows == [])
        #expect(none.columns == [.time(.day), .model])
    }
}
