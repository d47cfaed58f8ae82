import TallyPrimitives
import Testing
import UsageDecoding

@testable import UsageAggregation

/// A grouping plan with a real stage-3 decoder configured for it, as a decoding thread has them.
final class KeyHarness {
    let plan: GroupingPlan
    let decoder: UsageDecoder
    let builder: GroupKeyBuilder

    init(_ columns: [GroupColumn], custom: [String: String] = [:], zone: ZoneRules = .utc) throws {
        plan = GroupingPlan(columns: columns, zone: zone)
        var pointers: [String: JSONPointer] = [:]
        for (name, text) in custom { pointers[name] = try JSONPointer(parsing: text) }
        decoder = UsageDecoder(configuration: DecoderConfiguration(customFields: pointers, valueFields: plan.valueFields))
        builder = GroupKeyBuilder(plan: plan)
    }

    /// The raw key cells of a line that must decode to a record (nil otherwise).
    func cells(_ line: String, fileID: UInt32 = 0) -> [UInt64]? {
        Array(line.utf8).withUnsafeBytes { bytes -> [UInt64]? in
            guard case .record(let record) = decoder.decode(bytes) else { return nil }
            return Array(builder.cells(for: record, decoder: decoder, line: bytes, fileID: fileID))
        }
    }

    /// The cells of a line, read back: `none`, `time:<bucket start>`, or `text:<hex bytes>`.
    func values(_ line: String, fileID: UInt32 = 0) -> [String]? {
        cells(line, fileID: fileID).map { cells in
            zip(plan.columns, cells).map { column, cell in
                if cell == 0 { return "none" }
                if column.isTime { return "time:\(GroupingPlan.bucketStart(ofCell: cell))" }
                return spelled(.text(builder.strings.string(UInt32(cell))))
            }
        }
    }
}

/// `text:` and the hex bytes of a string, as ``spelled(_:)`` writes a text value.
func textCell(_ value: String) -> String { spelled(.text(value)) }

/// A usage object every test line carries.
let usageMember = #""usage":{"input_tokens":10,"output_tokens":5}"#

@Suite struct GroupingPlanTests {
    /// String fields are asked of the decoder once each, in first-use order; time and file
    /// columns need none.
    @Test func valueFieldsAreDeduplicatedInOrder() {
        let plan = GroupingPlan(columns: [
            .time(.day), .custom("team"), .model, .file, .key, .model, .time(.hour), .custom("team"), .status, .custom("env"),
        ])
        #expect(plan.valueFields == [.custom("team"), .model, .key, .status, .custom("env")])
        #expect(plan.columns.count == 10)
        #expect(GroupingPlan(columns: [.time(.week), .file]).valueFields == [])
    }

    /// Time cells keep the order of bucket starts as unsigned integers, are never 0 (which
    /// means "no time") over the accepted range, and read back to the bucket start.
    @Test func timeCellsPreserveOrderAndAreNeverZero() {
        let starts: [Int64] = [
            .min + 1, CivilTime.earliest, -2_204_150_400, -86_400, -1, 0, 1, 86_400, 1_795_392_000, CivilTime.latest, .max,
        ]
        let cells = starts.map(GroupingPlan.timeCell)
        #expect(cells == cells.sorted())
        #expect(Set(cells).count == starts.count)
        #expect(!cells.contains(0))
        #expect(cells.map(GroupingPlan.bucketStart(ofCell:)) == starts)
        #expect(GroupingPlan.timeCell(0) == UInt64(1) << 63)
        #expect(GroupingPlan.timeCell(-1) == (UInt64(1) << 63) - 1)
    }
}

@Suite struct GroupKeyBuilderTests {
    /// Each time column holds its grain's bucket of the record's time (2026-11-28T10:15:00Z
    /// is 1795860900; buckets as in GroupColumnTests, from Python).
    @Test func timeCells() throws {
        let keys = try KeyHarness([.time(.hour), .time(.day), .time(.week), .time(.month)])
        #expect(keys.values(#"{"timestamp":"2026-11-28T10:15:00Z","# + usageMember + "}") == [
            "time:1795860000", "time:1795824000", "time:1795392000", "time:1793491200",
        ])
        // 1969-12-28T23:59:59Z, a Sunday before the epoch.
        #expect(keys.values(#"{"timestamp":"1969-12-28T23:59:59Z","# + usageMember + "}") == [
            "time:-262800", "time:-345600", "time:-864000", "time:-2678400",
        ])
        // The earliest accepted instant is a valid time, not "no time".
        #expect(keys.values(#"{"timestamp":"0001-01-01T00:00:00Z","# + usageMember + "}") == [
            "time:-62135596800", "time:-62135596800", "time:-62135596800", "time:-62135596800",
        ])
    }

    /// A record without a usable time has 0 (an empty cell) in every time column.
    @Test(arguments: [
        "{" + usageMember + "}",
        #"{"timestamp":null,"# + usageMember + "}",
        #"{"timestamp":"next tuesday","# + usageMember + "}",
    ])
    func missingTimeIsZero(_ line: String) throws {
        let keys = try KeyHarness([.time(.day), .model, .time(.hour)])
        #expect(keys.cells(line) == [0, 0, 0])
    }

    /// A string value is its unescaped text; the escaped and plain spellings of one text are
    /// one value (one id).
    @Test(arguments: [
        (#""gpt\u002d4o""#, "gpt-4o"),
        (#""open\u0061i\/gpt-4o""#, "openai/gpt-4o"),
        (#""say \"hi\"\\""#, #"say "hi"\"#),
        (#""tab\there\nnew\r\b\f""#, "tab\there\nnew\r\u{8}\u{C}"),
        (#""caf\u00e9""#, "caf\u{E9}"),
        (#""caf\u00C9""#, "caf\u{C9}"),
        (#""\ud83d\ude00""#, "\u{1F600}"),
        (#""lone \ud800 half""#, "lone \u{FFFD} half"),
        (#""\u0000""#, "\u{0}"),
    ])
    func escapedStringsAreUnescaped(_ json: String, _ expected: String) throws {
        let keys = try KeyHarness([.model])
        let escaped = try #require(keys.cells(#"{"model":"# + json + "," + usageMember + "}"))
        #expect(keys.values(#"{"model":"# + json + "," + usageMember + "}") == [textCell(expected)])
        // The same text written without escapes (JSON needs some; only those are kept).
        var plain = "\""
        for scalar in expected.unicodeScalars {
            switch scalar {
            case "\"": plain += "\\\""
            case "\\": plain += "\\\\"
            case "\n": plain += "\\n"
            case "\r": plain += "\\r"
            case "\t": plain += "\\t"
            case "\u{8}": plain += "\\b"
            case "\u{C}": plain += "\\f"
            case "\u{0}": plain += "\\u0000"
            default: plain.unicodeScalars.append(scalar)
            }
        }
        plain += "\""
        #expect(keys.cells(#"{"model":"# + plain + "," + usageMember + "}") == escaped)
    }

    /// Without a logged provider, the provider is the model id's prefix before its first `/`
    /// (escaped or not); a model without one gives no provider.
    @Test(arguments: [
        (#"{"model":"anthropic/claude-sonnet-4","#, "anthropic"),
        (#"{"model":"open\u0061i\/gpt-4o","#, "openai"),
        (#"{"model":"meta-llama/llama-3.3-70b-instruct:free","#, "meta-llama"),
        (#"{"custom_llm_provider":"bedrock","model":"anthropic/claude","#, "bedrock"),
        (#"{"provider":"","custom_llm_provider":"vertex_ai","model":"a/b","#, "vertex_ai"),
    ])
    func providerCell(_ prefix: String, _ expected: String) throws {
        let keys = try KeyHarness([.provider, .model])
        #expect(keys.values(prefix + usageMember + "}")?.first == textCell(expected))
    }

    @Test func noProviderWithoutASlash() throws {
        let keys = try KeyHarness([.provider])
        #expect(keys.values(#"{"model":"gpt-4o","# + usageMember + "}") == ["none"])
        #expect(keys.values(#"{"model":"/gpt-4o","# + usageMember + "}") == ["none"])
    }

    /// Canonically equivalent spellings of one name stay two values, with their own bytes.
    @Test func canonicallyEquivalentValuesAreDistinct() throws {
        let keys = try KeyHarness([.model])
        let precomposed = try #require(keys.cells(#"{"model":"caf\u00e9","# + usageMember + "}"))
        let decomposed = try #require(keys.cells(#"{"model":"cafe\u0301","# + usageMember + "}"))
        #expect(precomposed != decomposed)
        #expect(keys.cells("{\"model\":\"caf\u{E9}\"," + usageMember + "}") == precomposed)
        #expect(keys.cells("{\"model\":\"cafe\u{301}\"," + usageMember + "}") == decomposed)
        #expect(storedBytes(UInt32(decomposed[0]), keys.builder.strings) == [0x63, 0x61, 0x66, 0x65, 0xCC, 0x81])
    }

    /// A value longer than 1024 bytes is cut at the last whole character within them, and the
    /// builder says so (the line then counts a `value_truncated` warning).
    @Test(arguments: [
        (String(repeating: "a", count: 5000), String(repeating: "a", count: 1024)),
        (String(repeating: "a", count: 1023) + "\u{E9}xyz", String(repeating: "a", count: 1023)),  // é would straddle byte 1024
        (String(repeating: "\u{4E2D}", count: 400), String(repeating: "\u{4E2D}", count: 341)),  // 3 bytes each: 1023
        (String(repeating: "a", count: 1024), String(repeating: "a", count: 1024)),
    ])
    func longValuesAreCut(_ value: String, _ kept: String) throws {
        let keys = try KeyHarness([.model])
        #expect(keys.values(#"{"model":""# + value + #"","# + usageMember + "}") == [textCell(kept)])
        #expect(keys.builder.truncated == (value.utf8.count > 1024))
        // Escaped, the same (the limit applies to the unescaped text).
        let escaped = value.replacingOccurrences(of: "a", with: "\\u0061")
        #expect(keys.values(#"{"model":""# + escaped + #"","# + usageMember + "}") == [textCell(kept)])
    }

    /// An escaped value longer than the builder's first scratch buffer (256 bytes) is
    /// unescaped whole; so is a shorter one after it.
    @Test func longEscapedValue() throws {
        let keys = try KeyHarness([.model])
        let long = String(repeating: "ab\\n", count: 300)  // 1 200 bytes escaped, 900 unescaped
        let expected = String(repeating: "ab\n", count: 300)
        #expect(keys.values(#"{"model":""# + long + #"","# + usageMember + "}") == [textCell(expected)])
        #expect(!keys.builder.truncated)
        #expect(keys.values(#"{"model":"x\ty","# + usageMember + "}") == [textCell("x\ty")])
    }

    /// An empty string is no value (0), like a missing or null one.
    @Test(arguments: [#""model":"","#, #""model":null,"#, ""])
    func emptyNullOrMissingIsZero(_ member: String) throws {
        let keys = try KeyHarness([.model, .custom("team")], custom: ["team": "/team"])
        #expect(keys.cells(#"{"# + member + #""team":"a","# + usageMember + "}")?.first == 0)
        #expect(keys.builder.strings.count == 1)  // only "a"
    }

    /// A number, boolean, object or array is its JSON text as logged (docs/schema.md).
    @Test(arguments: [
        ("42", "42"), ("1.50", "1.50"), ("-0", "-0"), ("1e3", "1e3"), ("true", "true"), ("false", "false"),
        (#"{"a":1}"#, #"{"a":1}"#), ("[1, 2]", "[1, 2]"), ("[]", "[]"),
    ])
    func nonStringsAreTheirJSONText(_ json: String, _ expected: String) throws {
        let keys = try KeyHarness([.custom("team")], custom: ["team": "/meta/team"])
        #expect(keys.values(#"{"meta":{"team":"# + json + "}," + usageMember + "}") == [textCell(expected)])
    }

    /// The file column holds the id the caller passes, 0 included; its string comes from the
    /// builder's own interner, shared with the values.
    @Test func fileColumn() throws {
        let keys = try KeyHarness([.file, .model])
        let file = keys.builder.id(of: "logs/a.jsonl.gz")
        #expect(file == 1)
        #expect(keys.values(#"{"model":"m","# + usageMember + "}", fileID: file) == [textCell("logs/a.jsonl.gz"), textCell("m")])
        #expect(keys.cells(#"{"model":"logs/a.jsonl.gz","# + usageMember + "}", fileID: 0) == [0, 1])
        #expect(keys.builder.id(of: "logs/a.jsonl.gz") == 1)
    }

    /// Every column in one key, in `--by` order, with a repeated column given the same cell.
    @Test func mixedColumnsInByOrder() throws {
        let keys = try KeyHarness(
            [.model, .time(.day), .key, .status, .file, .custom("team"), .model], custom: ["team": "/metadata/team"])
        let fileID = keys.builder.id(of: "-")
        let line = #"{"api_key":"k-1","timestamp":86400,"response":{"model":"inner","status":"completed","# + usageMember
            + #"},"model":"outer","metadata":{"team":"search"}}"#
        #expect(keys.values(line, fileID: fileID) == [
            textCell("inner"), "time:86400", textCell("k-1"), textCell("completed"), textCell("-"), textCell("search"), textCell("inner"),
        ])
    }

    /// Ids stay the same from line to line; the returned cells are overwritten by the next call.
    @Test func idsAreStableAcrossLines() throws {
        let keys = try KeyHarness([.model])
        let lines = ["a", "b", "a", "c", "b", "a"].map { #"{"model":""# + $0 + #"","# + usageMember + "}" }
        #expect(lines.compactMap { keys.cells($0) } == [[1], [2], [1], [3], [2], [1]])
        #expect(keys.builder.strings.count == 3)
    }

    /// No group columns: an empty key.
    @Test func noColumns() throws {
        let keys = try KeyHarness([])
        #expect(keys.cells("{" + usageMember + "}") == [])
    }
}
