import TestSupport
import Foundation
import TallyPrimitives
import Testing
import UsageAggregation

@testable import SummaryOutput

/// A small table with every kind of cell: times, a missing value, a string to quote, a string
/// to neutralise, a fraction, an empty and a zero cost.
let sampleTable = SummaryTable(columns: [.time(.day), .model], rows: [
    SummaryRow(groupValues: [.none, .text("gpt-4o")], measures: measures(input: "10", output: "5", total: "15")),
    SummaryRow(
        groupValues: [.time(1_795_824_000), .text("a;b,c")],
        measures: measures(
            requests: 1204, input: "5210331", cached: "3100200", output: "402113.5", total: "5612444.5", cost: "41.208871")),
    SummaryRow(groupValues: [.time(1_795_824_000), .text("=HYPERLINK(\"x\")")], measures: measures(input: "1", total: "1", cost: "0")),
    SummaryRow(groupValues: [.time(1_795_910_400), .none], measures: measures(requests: 3)),
])

@Suite struct DelimitedWriterTests {
    @Test func csv() {
        #expect(SummaryWriter.render(sampleTable, as: .csv) == #"""
            day,model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd
            ,gpt-4o,1,10,0,0,5,0,15,
            2026-11-28,"a;b,c",1204,5210331,3100200,0,402113.5,0,5612444.5,41.208871
            2026-11-28,"'=HYPERLINK(""x"")",1,1,0,0,0,0,1,0
            2026-11-29,,3,0,0,0,0,0,0,

            """#)
    }

    /// `;` between cells, decimal commas in measures only, a BOM, quotes around `;` (not `,`).
    @Test func excelEU() {
        let text = SummaryWriter.render(sampleTable, as: .excelEU)
        #expect(Array(text.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: Array(text.utf8.dropFirst(3)), as: UTF8.self) == #"""
            day;model;requests;input_tokens;cached_input_tokens;cache_write_tokens;output_tokens;reasoning_tokens;total_tokens;cost_usd
            ;gpt-4o;1;10;0;0;5;0;15;
            2026-11-28;"a;b,c";1204;5210331;3100200;0;402113,5;0;5612444,5;41,208871
            2026-11-28;"'=HYPERLINK(""x"")";1;1;0;0;0;0;1;0
            2026-11-29;;3;0;0;0;0;0;0;

            """#)
    }

    /// Tabs between cells, nothing quoted, tab/CR/LF inside a value written as a space.
    @Test func tsv() {
        var table = sampleTable
        table.rows[0].groupValues[1] = .text("tab\there\r\nnext")
        #expect(SummaryWriter.render(table, as: .tsv) == """
            day\tmodel\trequests\tinput_tokens\tcached_input_tokens\tcache_write_tokens\toutput_tokens\treasoning_tokens\ttotal_tokens\tcost_usd
            \ttab here  next\t1\t10\t0\t0\t5\t0\t15\t
            2026-11-28\ta;b,c\t1204\t5210331\t3100200\t0\t402113.5\t0\t5612444.5\t41.208871
            2026-11-28\t'=HYPERLINK("x")\t1\t1\t0\t0\t0\t0\t1\t0
            2026-11-29\t\t3\t0\t0\t0\t0\t0\t0\t

            """)
    }

    /// An empty summary: the header (after the BOM for excel-eu).
    @Test func emptyTables() {
        let empty = SummaryTable(columns: [.time(.hour), .key], rows: [])
        #expect(SummaryWriter.render(empty, as: .csv) == "hour,key," + measureHeader + "\n")
        #expect(SummaryWriter.render(empty, as: .tsv) == "hour\tkey\t" + measureHeader.replacingOccurrences(of: ",", with: "\t") + "\n")
        #expect(SummaryWriter.render(empty, as: .excelEU) == "\u{FEFF}hour;key;" + measureHeader.replacingOccurrences(of: ",", with: ";") + "\n")
        #expect(SummaryWriter.render(empty, as: .jsonl) == "")
    }

    /// `write` puts exactly `render`'s bytes in the file for every delimited dialect.
    @Test(arguments: [OutputFormat.csv, .excelEU, .tsv, .jsonl, .table])
    func writeMatchesRender(_ format: OutputFormat) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let output = try OutputFile.atomic(path: directory("usage"))
        try SummaryWriter.write(sampleTable, as: format, to: output)
        try output.commit()
        #expect(directory.contents("usage") == Array(SummaryWriter.render(sampleTable, as: format).utf8))
    }
}

@Suite struct SpreadsheetSafetyTests {
    /// Cells that start a formula get a `'`; plain negative numbers and harmless text do not.
    @Test(arguments: [
        ("=1+1", true), ("+1", true), ("@SUM(A1)", true), ("\tx", true), ("\rx", true), ("-2+3", true),
        ("-", true), ("--", true), ("-x", true), ("-1e", true), ("-1.", true), ("+12", true),
        ("-12", false), ("-0.5", false), ("-1e3", false), ("-1E+3", false), ("12", false), ("gpt-4o", false),
        ("", false), (" =x", false), ("a=b", false), ("'=x", false), ("\nx", false),
    ])
    func rule(_ text: String, _ neutralised: Bool) {
        #expect(SpreadsheetSafety.needsNeutralising(text) == neutralised)
        #expect(SpreadsheetSafety.neutralised(text) == (neutralised ? "'" + text : text))
    }

    /// Every string column from the logs is neutralised; `file` (named by the operator) is not,
    /// nor are times or measures; jsonl and the table keep the value as logged.
    @Test func columns() {
        let columns: [GroupColumn] = [.model, .provider, .key, .user, .status, .custom("team"), .file]
        let table = SummaryTable(columns: columns, rows: [
            SummaryRow(groupValues: columns.map { _ in .text("@x") }, measures: measures())
        ])
        let csvRow = SummaryWriter.render(table, as: .csv).split(separator: "\n")[1]
        #expect(csvRow == "'@x,'@x,'@x,'@x,'@x,'@x,@x,1,0,0,0,0,0,0,")
        let tsvRow = SummaryWriter.render(table, as: .tsv).split(separator: "\n")[1]
        #expect(tsvRow.hasPrefix("'@x\t'@x\t'@x\t'@x\t'@x\t'@x\t@x\t1"))
        #expect(SummaryWriter.render(table, as: .jsonl).hasPrefix(#"{"model":"@x","provider":"@x""#))
        #expect(SummaryWriter.render(table, as: .table).split(separator: "\n")[2].hasPrefix("@x     @x        @x   @x"))
        #expect(!SummaryWriter.render(table, as: .table).contains("'@x"))
    }

    /// A tab-led value: the `'` goes first, then the tab becomes a space in TSV.
    @Test func tabInTSV() {
        let table = SummaryTable(columns: [.model], rows: [SummaryRow(groupValues: [.text("\tcmd")], measures: measures())])
        #expect(SummaryWriter.render(table, as: .tsv).split(separator: "\n")[1].hasPrefix("' cmd\t1\t"))
        #expect(SummaryWriter.render(table, as: .csv).split(separator: "\n")[1].hasPrefix("'\tcmd,1,"))
    }
}

@Suite struct JSONLinesWriterTests {
    @Test func exactText() {
        #expect(SummaryWriter.render(sampleTable, as: .jsonl) == #"""
            {"day":null,"model":"gpt-4o","requests":1,"input_tokens":10,"cached_input_tokens":0,"cache_write_tokens":0,"output_tokens":5,"reasoning_tokens":0,"total_tokens":15,"cost_usd":null}
            {"day":"2026-11-28","model":"a;b,c","requests":1204,"input_tokens":5210331,"cached_input_tokens":3100200,"cache_write_tokens":0,"output_tokens":402113.5,"reasoning_tokens":0,"total_tokens":5612444.5,"cost_usd":41.208871}
            {"day":"2026-11-28","model":"=HYPERLINK(\"x\")","requests":1,"input_tokens":1,"cached_input_tokens":0,"cache_write_tokens":0,"output_tokens":0,"reasoning_tokens":0,"total_tokens":1,"cost_usd":0}
            {"day":"2026-11-29","model":null,"requests":3,"input_tokens":0,"cached_input_tokens":0,"cache_write_tokens":0,"output_tokens":0,"reasoning_tokens":0,"total_tokens":0,"cost_usd":null}

            """#)
    }

    /// Strings are escaped as JSON asks, and every line parses back to the same values.
    @Test func escapingRoundTrips() throws {
        let nasty = "q\"b\\s/\n\r\t\u{8}\u{C}\u{1}\u{1F} caf\u{E9} \u{1F600} \u{2028}"
        let table = SummaryTable(columns: [.time(.hour), .custom("team")], rows: [
            SummaryRow(groupValues: [.time(1_795_860_000), .text(nasty)], measures: measures(total: "9007199254740993", cost: "0.000225"))
        ])
        let text = SummaryWriter.render(table, as: .jsonl)
        #expect(text.contains(#""q\"b\\s/\n\r\t\b\f\u0001\u001f caf"#))
        #expect(text.contains(#""total_tokens":9007199254740993,"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["team"] as? String == nasty)
        #expect(object["hour"] as? String == "2026-11-28 10:00")
        #expect((object["cost_usd"] as? NSNumber)?.doubleValue == 0.000225)
    }
}

@Suite struct TableWriterTests {
    @Test func exactText() {
        #expect(SummaryWriter.render(sampleTable, as: .table) == """
            day         model            requests  input_tokens  cached_input_tokens  cache_write_tokens  output_tokens  reasoning_tokens  total_tokens   cost_usd
            ----------  ---------------  --------  ------------  -------------------  ------------------  -------------  ----------------  ------------  ---------
                        gpt-4o                  1            10                    0                   0              5                 0            15
            2026-11-28  a;b,c               1,204     5,210,331            3,100,200                   0      402,113.5                 0   5,612,444.5  41.208871
            2026-11-28  =HYPERLINK("x")         1             1                    0                   0              0                 0             1          0
            2026-11-29                          3             0                    0                   0              0                 0             0

            """)
    }

    @Test(arguments: [
        ("0", "0"), ("999", "999"), ("1000", "1,000"), ("123456", "123,456"), ("1234567.891", "1,234,567.891"),
        ("18446744073709551616", "18,446,744,073,709,551,616"), ("0.000225", "0.000225"),
    ])
    func thousands(_ number: String, _ expected: String) {
        #expect(TableSummaryWriter.withThousandsSeparators(number) == expected)
    }

    /// Terminal escapes in a logged value are shown, not sent to the terminal.
    @Test func controlCharacters() {
        #expect(TableSummaryWriter.visible("a\u{1B}[31mred\u{7}") == "a\\u{1B}[31mred\\u{7}")
        #expect(TableSummaryWriter.visible("caf\u{E9}") == "caf\u{E9}")
    }
}
