import UsageAggregation

/// Stage 5 for `--format jsonl`: one JSON object per row and line, keys in header order.
///
/// ```
/// {"day":"2026-11-28","model":"anthropic/claude-sonnet-4","requests":1204,…,"cost_usd":41.208871}
/// ```
///
/// Dates and strings are JSON strings (strings escaped as RFC 8259 asks, nothing else:
/// non-ASCII stays UTF-8); measures are JSON numbers with exactly the CSV's digits; a missing
/// group value and an empty measure cell (`cost_usd` of a group without cost) are `null`.
/// No header line: the keys name the columns. An empty summary is an empty file. Strings are
/// written as logged (no spreadsheet neutralisation: JSON is not opened as a sheet).
public enum JSONLinesSummaryWriter {
    /// Writes every row to `output`.
    public static func write(_ table: SummaryTable, to output: OutputFile) throws(OutputError) {
        let keys = keyPrefixes(SummarySchema.header(of: table))
        var line: [UInt8] = []
        line.reserveCapacity(512)
        for index in 0..<table.count {
            line.removeAll(keepingCapacity: true)
            appendRow(index, of: table, keys: keys, to: &line)
            try output.write(line)
        }
    }

    /// The JSON Lines text of a table (for tests and small outputs).
    public static func render(_ table: SummaryTable) -> String {
        let keys = keyPrefixes(SummarySchema.header(of: table))
        var bytes: [UInt8] = []
        for index in 0..<table.count { appendRow(index, of: table, keys: keys, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `{"name":` for the first column, `,"name":` for the others, in header order.
    static func keyPrefixes(_ header: [String]) -> [[UInt8]] {
        header.enumerated().map { index, name in
            var bytes: [UInt8] = [index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ",")]
            appendString(name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            return bytes
        }
    }

    /// One object with its `\n`.
    static func appendRow(_ index: Int, of table: SummaryTable, keys: [[UInt8]], to bytes: inout [UInt8]) {
        let columns = table.columns
        var key = 0
        for (value, column) in zip(table.groupValues(ofRow: index), columns) {
            bytes.append(contentsOf: keys[key])
            key += 1
            switch value {
            case .none: bytes.append(contentsOf: "null".utf8)
            case .text(let text): appendString(text, to: &bytes)
            case .time:
                bytes.append(UInt8(ascii: "\""))
                SummarySchema.appendGroupCell(value, column: column, to: &bytes)
                bytes.append(UInt8(ascii: "\""))
            }
        }
        for measure in SummarySchema.measureList(table.optionalMeasures) {
            bytes.append(contentsOf: keys[key])
            key += 1
            let start = bytes.count
            SummarySchema.appendMeasure(measure, of: table.measures[index], to: &bytes)
            if bytes.count == start { bytes.append(contentsOf: "null".utf8) }
        }
        if keys.isEmpty { bytes.append(UInt8(ascii: "{")) }
        bytes.append(UInt8(ascii: "}"))
        bytes.append(0x0A)
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\r`, `\t`, `\b`, `\f`
    /// or `\u00XX`.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
