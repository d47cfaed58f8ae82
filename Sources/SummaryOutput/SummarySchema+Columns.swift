import UsageAggregation

/// The type of a column, as the schema sidecar declares it (W3C CSVW built-in datatypes).
public enum ColumnDatatype: String, Sendable, Equatable {
    /// `YYYY-MM-DD`.
    case date
    /// `YYYY-MM-DD HH:00` (local wall-clock time of `--tz`, no offset).
    case datetime
    /// A whole number (no sign, no separators).
    case integer
    /// A plain decimal: `.` as decimal point (`,` in the excel-eu dialect), no exponent.
    case decimal
    /// Text.
    case string

    /// Whether cells hold numbers (right-aligned in a table, JSON numbers in jsonl).
    public var isNumeric: Bool { self == .integer || self == .decimal }
}

/// One column of the summary: what the sidecar, `tokentally schema` and every writer know of it.
public struct ColumnDescription: Sendable, Equatable {
    /// The header name.
    public var name: String
    public var datatype: ColumnDatatype
    /// What a number counts (`tokens`, `requests`, `USD`); nil for group columns.
    public var unit: String?
    /// One sentence for people (the sidecar's `dc:description`).
    public var description: String

    public init(name: String, datatype: ColumnDatatype, unit: String? = nil, description: String) {
        self.name = name
        self.datatype = datatype
        self.unit = unit
        self.description = description
    }
}

/// A measure column: one of schema v1's, or one that a flag appends after them.
public enum MeasureColumn: Int, Sendable, CaseIterable {
    case requests, inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens, reasoningTokens, totalTokens, costUSD
    /// `--prices`.
    case unpricedRequests, cacheSavingsUSD
    /// `--stats`.
    case p50TotalTokens, p95TotalTokens, p99TotalTokens, maxTotalTokens
    case p50LatencyMS, p95LatencyMS, p99LatencyMS, maxLatencyMS

    /// Schema v1's measures, in order.
    static let schemaV1: [MeasureColumn] = [
        .requests, .inputTokens, .cachedInputTokens, .cacheWriteTokens, .outputTokens, .reasoningTokens, .totalTokens,
        .costUSD,
    ]
    /// What `--prices` appends.
    static let prices: [MeasureColumn] = [.unpricedRequests, .cacheSavingsUSD]
    /// What `--stats` appends.
    static let stats: [MeasureColumn] = [
        .p50TotalTokens, .p95TotalTokens, .p99TotalTokens, .maxTotalTokens,
        .p50LatencyMS, .p95LatencyMS, .p99LatencyMS, .maxLatencyMS,
    ]
}

extension SummarySchema {
    /// The measure columns of schema v1, in their fixed order: the single list that the header,
    /// every writer and the sidecar take their names, types and units from. A column added by
    /// a later flag goes in its own list (after these), with a case of ``MeasureColumn`` and
    /// its cell in ``appendMeasure(_:of:to:)``.
    public static let measures: [ColumnDescription] = [
        ColumnDescription(
            name: "requests", datatype: .integer, unit: "requests",
            description: "Records counted in the group."),
        ColumnDescription(
            name: "input_tokens", datatype: .decimal, unit: "tokens",
            description: "All input (prompt) tokens, cached and cache-write tokens included."),
        ColumnDescription(
            name: "cached_input_tokens", datatype: .decimal, unit: "tokens",
            description: "Input tokens read from the cache (part of input_tokens)."),
        ColumnDescription(
            name: "cache_write_tokens", datatype: .decimal, unit: "tokens",
            description: "Input tokens written to the cache (part of input_tokens)."),
        ColumnDescription(
            name: "output_tokens", datatype: .decimal, unit: "tokens",
            description: "All output (completion) tokens, reasoning tokens included."),
        ColumnDescription(
            name: "reasoning_tokens", datatype: .decimal, unit: "tokens",
            description: "Reasoning tokens (part of output_tokens)."),
        ColumnDescription(
            name: "total_tokens", datatype: .decimal, unit: "tokens",
            description: "The logged total_tokens when present, else input + output."),
        ColumnDescription(
            name: "cost_usd", datatype: .decimal, unit: "USD",
            description: "Sum of the costs the logs carry; empty when no record of the group carried one."),
    ]

    /// The columns `--prices` appends after ``measures`` (docs/prices.md).
    public static let priceMeasures: [ColumnDescription] = [
        ColumnDescription(
            name: "unpriced_requests", datatype: .integer, unit: "requests",
            description: "Requests with neither a logged cost nor a price in the --prices table."),
        ColumnDescription(
            name: "cache_savings_usd", datatype: .decimal, unit: "USD",
            description: "What cached input saved against the full input price; empty when no price applied in the group."),
    ]

    /// The columns `--stats` appends after the others (docs/schema.md, *Percentiles*).
    public static let statsMeasures: [ColumnDescription] =
        distribution(
            "total_tokens", of: "total_tokens", unit: "tokens", empty: nil,
            max: "The largest total_tokens of one request in the group (whole tokens).")
        + distribution(
            "latency_ms", of: "latency", unit: "milliseconds", empty: "no record carried a latency",
            max: "The longest latency of one request in the group; empty when no record carried a latency.")

    /// The p50, p95, p99 and max columns of one distribution, named `p50_<suffix>` and so on.
    private static func distribution(
        _ suffix: String, of measure: String, unit: String, empty: String?, max: String
    ) -> [ColumnDescription] {
        let whenEmpty = empty.map { "; empty when \($0)" } ?? ""
        let percentiles = [("p50", "Median"), ("p95", "95th percentile"), ("p99", "99th percentile")].map { prefix, which in
            ColumnDescription(
                name: "\(prefix)_\(suffix)", datatype: .integer, unit: unit,
                description: "\(which) of the \(measure) of one request in the group (nearest rank; exact up to 256 requests, else within 1%)\(whenEmpty).")
        }
        return percentiles + [ColumnDescription(name: "max_\(suffix)", datatype: .integer, unit: unit, description: max)]
    }

    /// The description of a measure column.
    public static func describe(_ column: MeasureColumn) -> ColumnDescription {
        switch column {
        case .unpricedRequests, .cacheSavingsUSD:
            return priceMeasures[column.rawValue - MeasureColumn.unpricedRequests.rawValue]
        case .p50TotalTokens, .p95TotalTokens, .p99TotalTokens, .maxTotalTokens,
            .p50LatencyMS, .p95LatencyMS, .p99LatencyMS, .maxLatencyMS:
            return statsMeasures[column.rawValue - MeasureColumn.p50TotalTokens.rawValue]
        default:
            return measures[column.rawValue]
        }
    }

    /// Every column of a summary grouped by `columns` (with the `optional` measures), in
    /// header order.
    public static func describe(columns: [GroupColumn], optional: OptionalMeasures = []) -> [ColumnDescription] {
        columns.map(describe) + measureList(optional).map(describe)
    }

    /// A group column's description.
    public static func describe(_ column: GroupColumn) -> ColumnDescription {
        let name = column.description
        switch column {
        case .time(.hour):
            return ColumnDescription(
                name: name, datatype: .datetime,
                description: "Start of the record's hour, local time of the --tz zone (YYYY-MM-DD HH:00).")
        case .time(.day):
            return ColumnDescription(name: name, datatype: .date, description: "The record's day in the --tz zone.")
        case .time(.week):
            return ColumnDescription(
                name: name, datatype: .date, description: "The Monday starting the record's ISO week in the --tz zone.")
        case .time(.month):
            return ColumnDescription(
                name: name, datatype: .date, description: "The first day of the record's month in the --tz zone.")
        case .model:
            return ColumnDescription(name: name, datatype: .string, description: "The model id as logged.")
        case .provider:
            return ColumnDescription(
                name: name, datatype: .string,
                description: "The provider as logged, else the model id's prefix before its first /.")
        case .key:
            return ColumnDescription(name: name, datatype: .string, description: "The API key as logged (often a hash or an alias).")
        case .user:
            return ColumnDescription(name: name, datatype: .string, description: "The end user as logged.")
        case .status:
            return ColumnDescription(name: name, datatype: .string, description: "The request status as logged.")
        case .file:
            return ColumnDescription(name: name, datatype: .string, description: "The input's name (- for standard input).")
        case .custom(let field):
            return ColumnDescription(name: name, datatype: .string, description: "The custom field \(field) (--field \(field)=POINTER).")
        }
    }

    /// Whether a group column's strings come from the logs, so that a hostile value could
    /// reach a spreadsheet: every string column except `file`, whose names are chosen by whoever
    /// runs tokentally (docs/schema.md, *Spreadsheet safety*).
    static func comesFromLogs(_ column: GroupColumn) -> Bool {
        switch column {
        case .time, .file: return false
        case .model, .provider, .key, .user, .status, .custom: return true
        }
    }
}
