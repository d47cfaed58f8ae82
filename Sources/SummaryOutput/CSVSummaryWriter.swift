import TallyPrimitives
import UsageAggregation

/// Schema version 1 of the summary: the measure columns, in their fixed order.
public enum SummarySchema {
    /// The schema version written in reports and sidecars.
    public static let version = 1

    /// Measure columns after the group columns, exactly in this order (names of ``measures``,
    /// which also gives their types and units).
    public static let measureColumns = measures.map(\.name)

    /// Columns appended after ``measureColumns`` with `--prices` (docs/prices.md):
    /// `unpriced_requests` (integer, requests) and `cache_savings_usd` (decimal, US dollars).
    public static let priceColumns = priceMeasures.map(\.name)

    /// The measure columns of a table: schema v1's, then the optional ones it was made with,
    /// in this fixed order (`--prices`, then `--stats`). Every writer takes its columns from
    /// here and renders each with ``appendMeasure(_:of:to:)``.
    /// Writers ask for it once per row: the lists are made once, not per call.
    public static func measureList(_ optional: OptionalMeasures) -> [MeasureColumn] {
        measureLists[Int(optional.intersection([.prices, .stats]).rawValue)]
    }

    /// ``measureList(_:)`` for each combination of the optional flags, by their raw value.
    private static let measureLists: [[MeasureColumn]] = (0..<4).map { raw in
        let optional = OptionalMeasures(rawValue: UInt8(raw))
        var list = MeasureColumn.schemaV1
        if optional.contains(.prices) { list += MeasureColumn.prices }
        if optional.contains(.stats) { list += MeasureColumn.stats }
        return list
    }

    /// The names of ``measureList(_:)``.
    public static func measureColumns(_ optional: OptionalMeasures) -> [String] {
        measureList(optional).map { describe($0).name }
    }

    /// The header: group columns in `--by` order, then the measures (with the optional ones).
    public static func header(columns: [GroupColumn], optional: OptionalMeasures = []) -> [String] {
        columns.map(\.description) + measureColumns(optional)
    }

    /// The header of `table`.
    public static func header(of table: SummaryTable) -> [String] {
        header(columns: table.columns, optional: table.optionalMeasures)
    }

    /// The measure cells of a row: integers as integers, fractions as plain decimals, and an
    /// empty `cost_usd` when no record of the group carried a cost.
    public static func measureCells(_ measures: Measures, optional: OptionalMeasures = []) -> [String] {
        measureList(optional).map { column in
            var bytes: [UInt8] = []
            appendMeasure(column, of: measures, to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Appends the cell of measure `column` of a row; nothing for an empty cell.
    public static func appendMeasure(_ column: MeasureColumn, of measures: Measures, to bytes: inout [UInt8]) {
        func append(_ value: UInt64?) {
            if let value { ExactDecimal.appendDigits(value, minimumWidth: 1, to: &bytes) }
        }
        switch column {
        case .requests: append(measures.requests)
        case .inputTokens: measures.inputTokens.appendText(to: &bytes)
        case .cachedInputTokens: measures.cachedInputTokens.appendText(to: &bytes)
        case .cacheWriteTokens: measures.cacheWriteTokens.appendText(to: &bytes)
        case .outputTokens: measures.outputTokens.appendText(to: &bytes)
        case .reasoningTokens: measures.reasoningTokens.appendText(to: &bytes)
        case .totalTokens: measures.totalTokens.appendText(to: &bytes)
        case .costUSD: if measures.costedRequests > 0 { measures.costUSD.appendText(to: &bytes) }
        // --prices: requests with neither a logged nor a computed cost; the savings, empty when
        // no record of the group had a price.
        case .unpricedRequests: append(measures.unpricedRequests)
        case .cacheSavingsUSD: if measures.savingsRequests > 0 { measures.cacheSavingsUSD.appendText(to: &bytes) }
        // --stats: empty when the group has no value (a latency no record carried).
        case .p50TotalTokens: append(measures.stats?.totalTokens.value(atPercentile: 50))
        case .p95TotalTokens: append(measures.stats?.totalTokens.value(atPercentile: 95))
        case .p99TotalTokens: append(measures.stats?.totalTokens.value(atPercentile: 99))
        case .maxTotalTokens: append(measures.stats?.totalTokens.value(atPercentile: 100))
        case .p50LatencyMS: append(measures.stats?.latencyMS.value(atPercentile: 50))
        case .p95LatencyMS: append(measures.stats?.latencyMS.value(atPercentile: 95))
        case .p99LatencyMS: append(measures.stats?.latencyMS.value(atPercentile: 99))
        case .maxLatencyMS: append(measures.stats?.latencyMS.value(atPercentile: 100))
        }
    }

    /// The text of a group value: a date (`YYYY-MM-DD`, or `YYYY-MM-DD HH:00` for hours),
    /// the string itself, or empty.
    public static func groupCell(_ value: GroupValue, column: GroupColumn) -> String {
        var bytes: [UInt8] = []
        appendGroupCell(value, column: column, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the text of a group value (unquoted).
    public static func appendGroupCell(_ value: GroupValue, column: GroupColumn, to bytes: inout [UInt8]) {
        switch value {
        case .none: break
        case .text(let text): bytes.append(contentsOf: text.utf8)
        case .time(let start):
            if case .time(let grain) = column {
                grain.appendLabel(bucketStart: start, to: &bytes)
            } else {
                bytes.append(contentsOf: String(start).utf8)
            }
        }
    }

    /// Cells whose value does not fit a signed 64-bit integer (BIGINT): written exactly, and
    /// reported, because a reader that types the column as BIGINT would reject them.
    public static func cellsExceedingInt64(_ table: SummaryTable) -> [(row: Int, column: String)] {
        var found: [(Int, String)] = []
        for (index, measures) in table.measures.enumerated() {
            for (name, value) in measures.tokenColumns where value.exceedsInt64 {
                found.append((index, name))
            }
        }
        return found
    }
}

/// Stage 5: writes a ``SummaryTable`` as CSV (RFC 4180): UTF-8, `\n` line ends, a header
/// always (also with no rows), fields quoted only when they hold `,`, `"`, `\r` or `\n`, and a
/// log's string that a spreadsheet would run as a formula neutralised (``SpreadsheetSafety``).
///
/// The default format; ``DelimitedSummaryWriter`` writes it and the other delimited dialects.
public enum CSVSummaryWriter {
    /// Writes the header and every row to `output`.
    public static func write(_ table: SummaryTable, to output: OutputFile) throws(OutputError) {
        try DelimitedSummaryWriter(.csv).write(table, to: output)
    }

    /// The CSV text of a table (for tests and small outputs).
    public static func render(_ table: SummaryTable) -> String {
        DelimitedSummaryWriter(.csv).render(table)
    }

    /// A field, quoted (with `"` doubled) only when it must be.
    public static func quoted(_ cell: String) -> String {
        var bytes: [UInt8] = []
        DelimitedSummaryWriter(.csv).appendField(cell, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
