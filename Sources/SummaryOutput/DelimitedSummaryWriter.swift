import UsageAggregation

/// Stage 5 for the delimited formats — CSV (RFC 4180), CSV for European spreadsheets
/// (`excel-eu`) and TSV — in one reused row buffer (a summary may have millions of rows).
///
/// | | csv | excel-eu | tsv |
/// |---|---|---|---|
/// | between cells | `,` | `;` | tab |
/// | decimal point in measures | `.` | `,` | `.` |
/// | first bytes | — | UTF-8 BOM `EF BB BF` | — |
/// | a value holding the separator, `"`, CR or LF | quoted, `"` doubled | quoted, `"` doubled | never quoted: tab, CR, LF become a space |
///
/// Every dialect writes `\n` line ends and a header always (also with no rows), and puts a
/// `'` in front of a log's string that a spreadsheet would take for a formula
/// (``SpreadsheetSafety``).
public struct DelimitedSummaryWriter: Sendable {
    /// The bytes that tell one dialect from another.
    public struct Dialect: Sendable, Equatable {
        /// The byte between cells.
        public var separator: UInt8
        /// The decimal point written in measures.
        public var decimalPoint: UInt8
        /// Whether the output starts with a UTF-8 byte order mark (Excel needs it to read UTF-8).
        public var byteOrderMark: Bool
        /// Whether a cell that holds the separator, `"`, CR or LF is quoted (RFC 4180); when
        /// false, tabs, CRs and LFs in a value are written as spaces and `"` as itself.
        public var quotes: Bool

        /// RFC 4180.
        public static let csv = Dialect(separator: UInt8(ascii: ","), decimalPoint: UInt8(ascii: "."), byteOrderMark: false, quotes: true)
        /// Excel and LibreOffice in a European locale.
        public static let excelEU = Dialect(separator: UInt8(ascii: ";"), decimalPoint: UInt8(ascii: ","), byteOrderMark: true, quotes: true)
        /// Tab-separated values, one row per line whatever the values hold.
        public static let tsv = Dialect(separator: 0x09, decimalPoint: UInt8(ascii: "."), byteOrderMark: false, quotes: false)
    }

    public let dialect: Dialect

    public init(_ dialect: Dialect) {
        self.dialect = dialect
    }

    /// Writes the header and every row to `output`.
    public func write(_ table: SummaryTable, to output: OutputFile) throws(OutputError) {
        var line: [UInt8] = []
        line.reserveCapacity(512)
        if dialect.byteOrderMark { line.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
        appendHeader(table, to: &line)
        try output.write(line)
        for index in 0..<table.count {
            line.removeAll(keepingCapacity: true)
            appendRow(index, of: table, to: &line)
            try output.write(line)
        }
    }

    /// The text of a table (for tests and small outputs), byte order mark included.
    public func render(_ table: SummaryTable) -> String {
        var bytes: [UInt8] = dialect.byteOrderMark ? [0xEF, 0xBB, 0xBF] : []
        appendHeader(table, to: &bytes)
        for index in 0..<table.count { appendRow(index, of: table, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The header line with its `\n`.
    func appendHeader(_ table: SummaryTable, to bytes: inout [UInt8]) {
        for (index, name) in SummarySchema.header(of: table).enumerated() {
            if index > 0 { bytes.append(dialect.separator) }
            appendField(name, to: &bytes)
        }
        bytes.append(0x0A)
    }

    /// Row `index` with its `\n`: group values, then measures.
    func appendRow(_ index: Int, of table: SummaryTable, to bytes: inout [UInt8]) {
        for (value, column) in zip(table.groupValues(ofRow: index), table.columns) {
            if case .text(let text) = value {
                if SummarySchema.comesFromLogs(column) && SpreadsheetSafety.needsNeutralising(text) {
                    appendField("'" + text, to: &bytes)
                } else {
                    appendField(text, to: &bytes)
                }
            } else {
                SummarySchema.appendGroupCell(value, column: column, to: &bytes)
            }
            bytes.append(dialect.separator)
        }
        for (position, measure) in SummarySchema.measureList(table.optionalMeasures).enumerated() {
            if position > 0 { bytes.append(dialect.separator) }
            let start = bytes.count
            SummarySchema.appendMeasure(measure, of: table.measures[index], to: &bytes)
            if dialect.decimalPoint != UInt8(ascii: ".") {
                for position in start..<bytes.count where bytes[position] == UInt8(ascii: ".") {
                    bytes[position] = dialect.decimalPoint
                }
            }
        }
        bytes.append(0x0A)
    }

    /// Appends a text field: quoted only when it must be, or (without quoting) with tabs,
    /// CRs and LFs as spaces.
    func appendField(_ cell: String, to bytes: inout [UInt8]) {
        guard dialect.quotes else {
            for byte in cell.utf8 {
                bytes.append(byte == 0x09 || byte == 0x0A || byte == 0x0D ? UInt8(ascii: " ") : byte)
            }
            return
        }
        let separator = dialect.separator
        let needsQuotes = cell.utf8.contains { $0 == separator || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            bytes.append(contentsOf: cell.utf8)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        for byte in cell.utf8 {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
