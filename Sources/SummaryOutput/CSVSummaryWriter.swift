import TallyPrimitives
import UsageAggregation

/// Schema version 1 of the summary: the measure columns, in their fixed order.
public enum SummarySchema {
    /// The schema version written in reports and sidecars.
    public static let version = 1

    /// Measure columns after the group columns, exactly in this order.
    public static let measureColumns = [
        "requests", "input_tokens", "cached_input_tokens", "cache_write_tokens",
        "output_tokens", "reasoning_tokens", "total_tokens", "cost_usd",
    ]

    /// The header: group columns in `--by` order, then the measures.
    public static func header(columns: [GroupColumn]) -> [String] {
        columns.map(\.description) + measureColumns
    }

    /// The measure cells of a row: integers as integers, fractions as plain decimals, and an
    /// empty `cost_usd` when no record of the group carried a cost.
    public static func measureCells(_ measures: Measures) -> [String] {
        [
            String(measures.requests),
            measures.inputTokens.description, measures.cachedInputTokens.description,
            measures.cacheWriteTokens.description, measures.outputTokens.description,
            measures.reasoningTokens.description, measures.totalTokens.description,
            measures.costedRequests > 0 ? measures.costUSD.description : "",
        ]
    }

    /// The text of a group value: a date (`YYYY-MM-DD`, or `YYYY-MM-DD HH:00` for hours),
    /// the string itself, or empty.
    public static func groupCell(_ value: GroupValue, column: GroupColumn) -> String {
        switch value {
        case .none: return ""
        case .text(let text): return text
        case .time(let start):
            guard case .time(let grain) = column else { return String(start) }
            return grain.label(bucketStart: start)
        }
    }

    /// Cells whose value does not fit a signed 64-bit integer (BIGINT): written exactly, and
    /// reported, because a reader that types the column as BIGINT would reject them.
    public static func cellsExceedingInt64(_ table: SummaryTable) -> [(row: Int, column: String)] {
        var found: [(Int, String)] = []
        for (index, row) in table.rows.enumerated() {
            for (name, value) in row.measures.tokenColumns where value.exceedsInt64 {
                found.append((index, name))
            }
        }
        return found
    }
}

/// Stage 5: writes a ``SummaryTable`` as CSV (RFC 4180): UTF-8, `\n` line ends, a header
/// always (also with no rows), fields quoted only when they hold `,`, `"`, `\r` or `\n`.
public enum CSVSummaryWriter {
    /// Writes the header and every row to `output`.
    public static func write(_ table: SummaryTable, to output: OutputFile) throws(OutputError) {
        try output.write(line(SummarySchema.header(columns: table.columns)))
        for row in table.rows {
            try output.write(line(cells(of: row, columns: table.columns)))
        }
    }

    /// The CSV text of a table (for tests and small outputs).
    public static func render(_ table: SummaryTable) -> String {
        var text = line(SummarySchema.header(columns: table.columns))
        for row in table.rows { text += line(cells(of: row, columns: table.columns)) }
        return text
    }

    /// A row's cells: group values, then measures.
    static func cells(of row: SummaryRow, columns: [GroupColumn]) -> [String] {
        zip(row.groupValues, columns).map { SummarySchema.groupCell($0, column: $1) }
            + SummarySchema.measureCells(row.measures)
    }

    /// One CSV record with its `\n`.
    static func line(_ cells: [String]) -> String {
        cells.map(quoted).joined(separator: ",") + "\n"
    }

    /// A field, quoted (with `"` doubled) only when it must be.
    public static func quoted(_ cell: String) -> String {
        let needsQuotes = cell.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return cell }
        var result = "\""
        for scalar in cell.unicodeScalars {
            if scalar == "\"" { result += "\"\"" } else { result.unicodeScalars.append(scalar) }
        }
        return result + "\""
    }
}
