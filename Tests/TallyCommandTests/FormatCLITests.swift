import TestSupport
import Foundation
import Testing

/// `--format`, `--csv-dialect`, the schema sidecar next to `-o FILE`, and `tokentally schema`,
/// through the built binary.
@Suite struct FormatCLITests {
    static let log = CLITests.cleanLog

    @Test("--format tsv and jsonl on standard output")
    func tsvAndJSONLines() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.log)
        let tsv = try tokentally(["summarize", "clean.jsonl", "--format", "tsv"], in: scratch.url)
        #expect(tsv.status == 0)
        #expect(tsv.stdout == CLITests.cleanCSV.replacingOccurrences(of: ",", with: "\t"))
        let jsonl = try tokentally(["summarize", "clean.jsonl", "--format", "jsonl"], in: scratch.url)
        #expect(jsonl.status == 0)
        #expect(jsonl.stdout == """
            {"day":"2026-11-28","model":"anthropic/claude-sonnet-4","requests":1,"input_tokens":50,"cached_input_tokens":0,"cache_write_tokens":0,"output_tokens":5,"reasoning_tokens":0,"total_tokens":55,"cost_usd":null}
            {"day":"2026-11-28","model":"openai/gpt-4o","requests":2,"input_tokens":1421,"cached_input_tokens":0,"cache_write_tokens":0,"output_tokens":6600,"reasoning_tokens":0,"total_tokens":8021,"cost_usd":0.01230405}

            """)
        #expect(jsonl.stderr == "")
    }

    @Test("--format table, and --csv-dialect excel-eu: ; decimal comma, BOM")
    func tableAndExcel() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.log)
        let table = try tokentally(["summarize", "clean.jsonl", "--format", "table", "--by", "model"], in: scratch.url)
        #expect(table.status == 0)
        #expect(table.stdout.split(separator: "\n")[3] == "openai/gpt-4o                     2         1,421                    0                   0          6,600                 0         8,021  0.01230405")
        let excel = try tokentally(["summarize", "clean.jsonl", "--csv-dialect", "excel-eu", "-o", "eu.csv"], in: scratch.url)
        #expect(excel.status == 0)
        #expect(scratch.contents("eu.csv") == [0xEF, 0xBB, 0xBF] + Array(
            CLITests.cleanCSV.replacingOccurrences(of: ",", with: ";").replacingOccurrences(of: "0.0123", with: "0,0123").utf8))
        let sidecar = try JSONSerialization.jsonObject(with: Data(try scratch.read("eu.csv-metadata.json").utf8)) as? [String: Any]
        #expect((sidecar?["dialect"] as? [String: Any])?["delimiter"] as? String == ";")
    }

    @Test("-o FILE.csv writes FILE.csv-metadata.json with it; its columns are the header")
    func sidecarNextToOutput() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.log)
        let result = try tokentally(["summarize", "clean.jsonl", "--by", "day,model,key", "-o", "out.csv"], in: scratch.url)
        #expect(result.status == 0)
        #expect(try scratch.names() == ["clean.jsonl", "out.csv", "out.csv-metadata.json"])
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(try scratch.read("out.csv-metadata.json").utf8)) as? [String: Any])
        #expect(document["url"] as? String == "out.csv")
        #expect(document["tokentally:schema_version"] as? Int == 1)
        let columns = ((document["tableSchema"] as? [String: Any])?["columns"] as? [[String: Any]]) ?? []
        let header = try scratch.read("out.csv").split(separator: "\n")[0].split(separator: ",").map(String.init)
        #expect(columns.compactMap { $0["name"] as? String } == header)

        // tokentally schema prints the same document for the same options.
        let printed = try tokentally(["schema", "--by", "day,model,key", "--url", "out.csv"], in: scratch.url)
        #expect(printed.status == 0)
        #expect(printed.stdout == (try scratch.read("out.csv-metadata.json")))
    }

    @Test("tsv gets a sidecar with a tab dialect; jsonl and table none; standard output none")
    func sidecarPerFormat() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.log)
        #expect(try tokentally(["summarize", "clean.jsonl", "--format", "tsv", "-o", "out.tsv"], in: scratch.url).status == 0)
        #expect(try scratch.read("out.tsv-metadata.json").contains(#""delimiter": "\t""#))
        #expect(try tokentally(["summarize", "clean.jsonl", "--format", "jsonl", "-o", "out.jsonl"], in: scratch.url).status == 0)
        #expect(try tokentally(["summarize", "clean.jsonl", "--format", "table", "-o", "out.txt"], in: scratch.url).status == 0)
        #expect(try tokentally(["summarize", "clean.jsonl", "-o", "-"], in: scratch.url).stdout == CLITests.cleanCSV)
        #expect(try scratch.names() == ["clean.jsonl", "out.jsonl", "out.tsv", "out.tsv-metadata.json", "out.txt"])
    }

    @Test("a log's model that starts a formula is neutralised in CSV, kept in jsonl")
    func neutralisation() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("evil.jsonl", usageLine(model: "=HYPERLINK(\\\"http://x\\\")", input: 1, output: 1) + "\n")
        let csv = try tokentally(["summarize", "evil.jsonl", "--by", "model"], in: scratch.url)
        #expect(csv.stdout.split(separator: "\n")[1] == #""'=HYPERLINK(""http://x"")",1,1,0,0,1,0,2,"#)
        let jsonl = try tokentally(["summarize", "evil.jsonl", "--by", "model", "--format", "jsonl"], in: scratch.url)
        #expect(jsonl.stdout.hasPrefix(#"{"model":"=HYPERLINK(\"http://x\")","#))
    }

    @Test("on a terminal without -o the default is the table; with -o it is csv")
    func tableOnTerminal() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("log.jsonl", ProgressCLITests.log)
        let (status, screen) = try ProgressCLITests().underTerminal(["summarize", "log.jsonl", "--progress", "never", "-q"], in: scratch.url)
        #expect(status == 0)
        #expect(screen.hasPrefix("day         model          requests  input_tokens"))
        #expect(screen.contains("2026-11-28  openai/gpt-4o     2,000        20,000"))
        let (_, csvScreen) = try ProgressCLITests().underTerminal(
            ["summarize", "log.jsonl", "--progress", "never", "-q", "--format", "csv"], in: scratch.url)
        #expect(csvScreen.hasPrefix("day,model,requests"))
    }

    @Test("format usage errors exit 64 and write nothing", arguments: [
        ["summarize", "clean.jsonl", "-o", "out.csv", "--format", "xml"],
        ["summarize", "clean.jsonl", "-o", "out.csv", "--format", "tsv", "--csv-dialect", "excel-eu"],
        ["summarize", "clean.jsonl", "-o", "out.csv", "--format", "jsonl", "--csv-dialect", "rfc4180"],
        ["summarize", "clean.jsonl", "-o", "out.csv", "--csv-dialect", "excel"],
        ["schema", "--format", "jsonl"],
        ["schema", "--by", "day,team"],
        ["merge", "state", "--format", "table", "--csv-dialect", "excel-eu"],
    ])
    func usageErrors(_ arguments: [String]) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.log)
        let result = try tokentally(arguments, in: scratch.url)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr != "")
        #expect(try scratch.names() == ["clean.jsonl"])
    }

    @Test("merge takes --format and writes the sidecar too")
    func mergeFormats() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        _ = try scratch.write("h1/a.jsonl", usageLine(input: 10, output: 5) + "\n")
        #expect(try tokentally(["summarize", "h1", "--state", "s1", "-o", "one.csv"], in: scratch.url).status == 0)
        let merged = try tokentally(["merge", "s1", "--format", "jsonl"], in: scratch.url)
        #expect(merged.status == 0)
        #expect(merged.stdout.hasPrefix(#"{"day":"2026-11-28","model":"openai/gpt-4o","requests":1,"input_tokens":10,"#))
        #expect(try tokentally(["merge", "s1", "--format", "tsv", "-o", "all.tsv"], in: scratch.url).status == 0)
        #expect(try scratch.read("all.tsv-metadata.json").contains(#""url": "all.tsv""#))
        #expect(try scratch.read("one.csv-metadata.json").contains(#""primaryKey": ["day", "model"]"#))
    }

    @Test("tokentally schema: custom fields, tsv, excel-eu, without reading any log")
    func schemaCommand() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let custom = try tokentally(["schema", "--field", "team=/metadata/team", "--by", "month,team"], in: scratch.url)
        #expect(custom.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(custom.stdout.utf8)) as? [String: Any])
        #expect(document["url"] as? String == "usage.csv")
        let schema = try #require(document["tableSchema"] as? [String: Any])
        #expect(schema["primaryKey"] as? [String] == ["month", "team"])
        #expect(((schema["columns"] as? [[String: Any]]) ?? []).count == 10)
        let tsv = try tokentally(["schema", "--format", "tsv"], in: scratch.url)
        #expect(tsv.stdout.contains(#""url": "usage.tsv""#))
        #expect(tsv.stdout.contains(#""quoteChar": null"#))
        let eu = try tokentally(["schema", "--csv-dialect", "excel-eu"], in: scratch.url)
        #expect(eu.stdout.contains(#""decimalChar": ",""#))
        #expect(try scratch.names() == [])
    }
}
