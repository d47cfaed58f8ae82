import TestSupport
import Foundation
import TallyPrimitives
import Testing
import UsageAggregation

@testable import SummaryOutput

/// Measures with these sums (all zero unless given).
func measures(
    requests: UInt64 = 1, input: String = "0", cached: String = "0", write: String = "0", output: String = "0",
    reasoning: String = "0", total: String = "0", cost: String? = nil
) -> Measures {
    var m = Measures()
    m.requests = requests
    m.inputTokens = dec(input)
    m.cachedInputTokens = dec(cached)
    m.cacheWriteTokens = dec(write)
    m.outputTokens = dec(output)
    m.reasoningTokens = dec(reasoning)
    m.totalTokens = dec(total)
    if let cost {
        m.costUSD = dec(cost)
        m.costedRequests = 1
    }
    return m
}

/// The measure header of schema v1, written out (not taken from `SummarySchema`).
let measureHeader = "requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd"

@Suite struct SummarySchemaTests {
    /// The header is the group columns in `--by` order, then the eight measures in schema order.
    @Test(arguments: [
        ([GroupColumn](), measureHeader),
        ([.time(.day), .model], "day,model," + measureHeader),
        ([.model, .time(.day)], "model,day," + measureHeader),
        ([.time(.hour), .key, .status, .file, .custom("team")], "hour,key,status,file,team," + measureHeader),
        ([.time(.month), .time(.week)], "month,week," + measureHeader),
    ])
    func header(_ columns: [GroupColumn], _ expected: String) {
        #expect(SummarySchema.header(columns: columns).joined(separator: ",") == expected)
        let table = SummaryTable(columns: columns, rows: [])
        #expect(CSVSummaryWriter.render(table) == expected + "\n")
    }

    /// Schema version 1, eight measure columns.
    @Test func versionAndMeasures() {
        #expect(SummarySchema.version == 1)
        #expect(SummarySchema.measureColumns.joined(separator: ",") == measureHeader)
    }

    /// Integers as integers, fractions as plain decimals without exponent or trailing zeros,
    /// each in its own column.
    @Test func measureCells() {
        let m = measures(
            requests: 1204, input: "9007199254740993.5", cached: "12.0", write: "1.10", output: "1000000000000000000",
            reasoning: "0.000000000000000001", total: "18446744073709551616", cost: "0.000225")
        #expect(SummarySchema.measureCells(m) == [
            "1204", "9007199254740993.5", "12", "1.1", "1000000000000000000", "0.000000000000000001",
            "18446744073709551616", "0.000225",
        ])
    }

    /// Spot checks of the decimal text: no exponent for tiny or huge values, no trailing zeros.
    @Test(arguments: [
        ("0", "0"), ("-0", "0"), ("1e3", "1000"), ("41.208871", "41.208871"), ("0.000225", "0.000225"),
        ("4.05e-06", "0.00000405"), ("2.50", "2.5"), ("9007199254740993.5", "9007199254740993.5"),
        ("1e-18", "0.000000000000000001"), ("9223372036854775807", "9223372036854775807"),
    ])
    func decimalText(_ json: String, _ expected: String) {
        #expect(SummarySchema.measureCells(measures(total: json))[6] == expected)
        #expect(SummarySchema.measureCells(measures(cost: json))[7] == expected)
    }

    /// `cost_usd` is empty when no record of the group carried a cost, and `0` when one carried
    /// a cost of 0.
    @Test func emptyCostOnlyWithoutAnyLoggedCost() {
        #expect(SummarySchema.measureCells(measures(cost: nil))[7] == "")
        #expect(SummarySchema.measureCells(measures(cost: "0"))[7] == "0")
        var many = measures(requests: 5, cost: "0")
        many.costedRequests = 2
        #expect(SummarySchema.measureCells(many)[7] == "0")
    }

    /// Group cells: a time as its grain's label, a string as itself, no value as empty.
    @Test func groupCells() {
        #expect(SummarySchema.groupCell(.time(1_795_860_000), column: .time(.hour)) == "2026-11-28 10:00")
        #expect(SummarySchema.groupCell(.time(1_795_824_000), column: .time(.day)) == "2026-11-28")
        #expect(SummarySchema.groupCell(.time(-259_200), column: .time(.week)) == "1969-12-29")
        #expect(SummarySchema.groupCell(.time(CivilTime.earliest), column: .time(.month)) == "0001-01-01")
        #expect(SummarySchema.groupCell(.text("gpt-4o"), column: .model) == "gpt-4o")
        #expect(SummarySchema.groupCell(.none, column: .time(.day)) == "")
        #expect(SummarySchema.groupCell(.none, column: .model) == "")
    }

    /// Token sums beyond 2^63 − 1 are listed by row and column, in table order; 2^63 − 1 itself
    /// fits, and so does anything in `requests` or `cost_usd`.
    @Test func cellsExceedingInt64() {
        var table = SummaryTable(columns: [.model], rows: [
            SummaryRow(groupValues: [.text("fits")], measures: measures(input: "9223372036854775807", total: "9223372036854775807", cost: "18446744073709551615")),
            SummaryRow(groupValues: [.text("over")], measures: measures(output: "9223372036854775808", total: "9223372036854775807.5")),
            SummaryRow(groupValues: [.text("fits")], measures: measures(requests: .max, input: "9223372036854775806.999999999999999999")),
            SummaryRow(groupValues: [.text("big")], measures: measures(cached: "18446744073709551616")),
        ])
        table.rows[3].measures.reasoningTokens = ExactDecimal(whole: .max, fraction: 999_999_999_999_999_999)
        let found = SummarySchema.cellsExceedingInt64(table).map { "\($0.row):\($0.column)" }
        #expect(found == ["1:output_tokens", "1:total_tokens", "3:cached_input_tokens", "3:reasoning_tokens"])
        #expect(SummarySchema.cellsExceedingInt64(SummaryTable(columns: [], rows: [])).isEmpty)
    }
}

@Suite struct CSVSummaryWriterTests {
    /// Fields are quoted (with `"` doubled) exactly when they hold `,`, `"`, CR or LF; spaces,
    /// tabs, semicolons and non-ASCII text stay bare.
    @Test(arguments: [
        ("gpt-4o", "gpt-4o"),
        ("", ""),
        ("with space", "with space"),
        (" leading and trailing ", " leading and trailing "),
        ("tab\there", "tab\there"),
        ("semi;colon", "semi;colon"),
        ("caf\u{E9} \u{65E5}\u{672C} \u{1F600}", "caf\u{E9} \u{65E5}\u{672C} \u{1F600}"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("\"", "\"\"\"\""),
        ("line\nbreak", "\"line\nbreak\""),
        ("carriage\rreturn", "\"carriage\rreturn\""),
        ("crlf\r\n", "\"crlf\r\n\""),
        ("caf\u{E9},\u{1F600}", "\"caf\u{E9},\u{1F600}\""),
        ("cafe\u{301},\"x\"", "\"cafe\u{301},\"\"x\"\"\""),
    ])
    func quoting(_ cell: String, _ expected: String) {
        // Compared as bytes: Swift's == would accept a different normalization.
        #expect(Array(CSVSummaryWriter.quoted(cell).utf8) == Array(expected.utf8))
    }

    /// A whole table: group cells first, measures after, only the odd fields quoted, `\n`
    /// line ends, and rows in the order the table holds them.
    @Test func renderExactText() {
        let table = SummaryTable(columns: [.time(.day), .model], rows: [
            SummaryRow(groupValues: [.none, .text("gpt-4o")], measures: measures(input: "10", output: "5", total: "15")),
            SummaryRow(
                groupValues: [.time(1_795_824_000), .text("a,b")],
                measures: measures(
                    requests: 2, input: "9007199254740993.5", cached: "3", write: "1", output: "7", reasoning: "2",
                    total: "9007199254741000.5", cost: "0.000225")),
            SummaryRow(groupValues: [.time(1_795_824_000), .text("say \"hi\"")], measures: measures(input: "1", total: "1", cost: "0")),
            SummaryRow(groupValues: [.time(1_795_910_400), .none], measures: measures(requests: 3)),
        ])
        #expect(CSVSummaryWriter.render(table) == #"""
            day,model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd
            ,gpt-4o,1,10,0,0,5,0,15,
            2026-11-28,"a,b",2,9007199254740993.5,3,1,7,2,9007199254741000.5,0.000225
            2026-11-28,"say ""hi""",1,1,0,0,0,0,1,0
            2026-11-29,,3,0,0,0,0,0,0,

            """#)
    }

    /// Hour buckets and custom columns whose names need quoting in the header.
    @Test func hourLabelsAndQuotedHeader() {
        let table = SummaryTable(columns: [.time(.hour), .custom("team, EU"), .custom("say \"x\"")], rows: [
            SummaryRow(groupValues: [.time(1_795_860_000), .text("search"), .none], measures: measures()),
            SummaryRow(groupValues: [.time(-3_600), .text("caf\u{E9}"), .text("1.50")], measures: measures()),
        ])
        #expect(CSVSummaryWriter.render(table) == #"""
            hour,"team, EU","say ""x""",\#(measureHeader)
            2026-11-28 10:00,search,,1,0,0,0,0,0,0,
            1969-12-31 23:00,caf\#u{E9},1.50,1,0,0,0,0,0,0,

            """#)
    }

    /// No group columns and one group: the header and a single row of measures.
    @Test func noGroupColumns() {
        let table = SummaryTable(columns: [], rows: [SummaryRow(groupValues: [], measures: measures(requests: 2, input: "3", total: "3"))])
        #expect(CSVSummaryWriter.render(table) == measureHeader + "\n2,3,0,0,0,0,3,\n")
    }

    /// `write` puts exactly `render`'s bytes in the file, here over many buffer flushes.
    @Test func writeMatchesRender() throws {
        var rows: [SummaryRow] = []
        for index in 0..<4_000 {
            let day: Int64 = (Int64(index) - 400) * 86_400
            let model = index % 3 == 0 ? "caf\u{E9}, \"\(index)\"" : "model-\(index)"
            let cost: String? = index % 2 == 0 ? "0.000\(index)" : nil
            let sums = measures(requests: UInt64(index + 1), input: "\(index).5", total: "\(index * 7)", cost: cost)
            rows.append(SummaryRow(groupValues: [.time(day), .text(model)], measures: sums))
        }
        let table = SummaryTable(columns: [.time(.day), .model], rows: rows)
        let directory = try TemporaryDirectory()
        let output = try OutputFile.atomic(path: directory("usage.csv"))
        try CSVSummaryWriter.write(table, to: output)
        try output.commit()
        let expected = Array(CSVSummaryWriter.render(table).utf8)
        #expect(expected.count > 3 * 65_536)
        #expect(directory.contents("usage.csv") == expected)
    }

    /// An empty table writes its header only.
    @Test func writeEmptyTable() throws {
        let directory = try TemporaryDirectory()
        let output = try OutputFile.atomic(path: directory("usage.csv"))
        try CSVSummaryWriter.write(SummaryTable(columns: [.time(.day), .model], rows: []), to: output)
        try output.commit()
        #expect(directory.contents("usage.csv") == Array("day,model,\(measureHeader)\n".utf8))
    }
}
