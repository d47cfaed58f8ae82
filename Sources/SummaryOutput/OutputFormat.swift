import UsageAggregation

/// The form of the summary (`--format`).
public enum SummaryFormat: String, Sendable, CaseIterable, Equatable {
    /// RFC 4180 CSV (the default; see ``CSVDialect`` for European spreadsheets).
    case csv
    /// Tab-separated values: no quoting; tabs, CRs and LFs inside a value become spaces.
    case tsv
    /// JSON Lines: one object per row, numbers as JSON numbers, missing values as `null`.
    case jsonl
    /// An aligned table for people: numbers right-aligned with thousands separators.
    case table

    /// Whether `-o FILE` gets a CSVW schema sidecar (`FILE-metadata.json`): only for the
    /// delimited formats CSVW describes.
    public var hasSidecar: Bool { self == .csv || self == .tsv }
}

/// How `--format csv` writes its cells (`--csv-dialect`).
public enum CSVDialect: String, Sendable, CaseIterable, Equatable {
    /// RFC 4180: `,` between cells, `.` as decimal point, no BOM.
    case rfc4180
    /// For spreadsheets set to a European locale (Excel, LibreOffice): `;` between cells,
    /// decimal comma in numbers, a UTF-8 byte order mark first.
    case excelEU = "excel-eu"
}

/// A summary's format and, for CSV, its dialect: everything that decides its bytes.
public struct OutputFormat: Sendable, Equatable {
    public var format: SummaryFormat
    public var dialect: CSVDialect

    public init(_ format: SummaryFormat = .csv, dialect: CSVDialect = .rfc4180) {
        self.format = format
        self.dialect = dialect
    }

    public static let csv = OutputFormat(.csv)
    public static let excelEU = OutputFormat(.csv, dialect: .excelEU)
    public static let tsv = OutputFormat(.tsv)
    public static let jsonl = OutputFormat(.jsonl)
    public static let table = OutputFormat(.table)

    /// The delimited writer's dialect for csv (either dialect) and tsv.
    var delimitedDialect: DelimitedSummaryWriter.Dialect {
        if format == .tsv { return .tsv }
        return dialect == .excelEU ? .excelEU : .csv
    }

    /// The path of the schema sidecar for an output written to `path` (CSVW's
    /// `FILE-metadata.json` convention), or nil when this format has none.
    public func sidecarPath(for path: String) -> String? {
        format.hasSidecar ? path + "-metadata.json" : nil
    }
}

/// Stage 5: writes a ``SummaryTable`` in any ``OutputFormat``.
public enum SummaryWriter {
    /// Writes the whole table (header or first line included) to `output`.
    public static func write(_ table: SummaryTable, as format: OutputFormat, to output: OutputFile) throws(OutputError) {
        switch format.format {
        case .csv, .tsv:
            try DelimitedSummaryWriter(format.delimitedDialect).write(table, to: output)
        case .jsonl:
            try JSONLinesSummaryWriter.write(table, to: output)
        case .table:
            try output.write(TableSummaryWriter.render(table))
        }
    }

    /// The text of a table in `format` (for tests and small outputs).
    public static func render(_ table: SummaryTable, as format: OutputFormat) -> String {
        switch format.format {
        case .csv, .tsv: return DelimitedSummaryWriter(format.delimitedDialect).render(table)
        case .jsonl: return JSONLinesSummaryWriter.render(table)
        case .table: return TableSummaryWriter.render(table)
        }
    }
}
