import UsageAggregation

/// The schema sidecar: a W3C CSVW metadata document ("Metadata Vocabulary for Tabular Data")
/// that describes a summary file's columns — name, datatype, unit, description — its
/// dialect, and tokentally's schema version. Written as `FILE-metadata.json` next to
/// `-o FILE` (csv and tsv), and printed by `tokentally schema`.
///
/// ```json
/// {
///   "@context": "http://www.w3.org/ns/csvw",
///   "url": "usage.csv",
///   "dc:title": "tokentally usage summary",
///   "tokentally:schema_version": 1,
///   "dialect": { "delimiter": ",", … },
///   "tableSchema": {
///     "columns": [
///       { "name": "day", "titles": "day", "datatype": "date", "dc:description": "…" },
///       …
///       { "name": "requests", "titles": "requests", "datatype": "integer", "tokentally:unit": "requests", … }
///     ],
///     "primaryKey": ["day", "model"]
///   }
/// }
/// ```
///
/// Column names and types come from ``SummarySchema/describe(columns:)``, the same list the
/// writers take the header from, so the sidecar always matches the file. Keys that CSVW does
/// not define carry the `tokentally:` prefix. The text is deterministic (fixed key order).
public enum SchemaSidecar {
    /// The sidecar's JSON text (pretty-printed, ending in `\n`) for a summary grouped by
    /// `columns`, written in `format`, found at `url` (relative to the sidecar: the file's name).
    public static func json(columns: [GroupColumn], optional: OptionalMeasures = [], format: OutputFormat, url: String) -> String {
        var text = ""
        document(columns: columns, optional: optional, format: format, url: url).append(to: &text, indent: "")
        return text + "\n"
    }

    /// The sidecar as a JSON value.
    static func document(columns: [GroupColumn], optional: OptionalMeasures = [], format: OutputFormat, url: String) -> JSONValue {
        let decimalComma = format.format == .csv && format.dialect == .excelEU
        let described = SummarySchema.describe(columns: columns, optional: optional)
        var tableSchema: [(String, JSONValue)] = [
            ("columns", .array(described.map { column($0, decimalComma: decimalComma) }))
        ]
        if !columns.isEmpty {
            tableSchema.append(("primaryKey", .array(columns.map { .string($0.description) })))
        }
        return .object([
            ("@context", .string("http://www.w3.org/ns/csvw")),
            ("url", .string(url)),
            ("dc:title", .string("tokentally usage summary")),
            ("tokentally:schema_version", .integer(SummarySchema.version)),
            ("dialect", dialect(format)),
            ("tableSchema", .object(tableSchema)),
        ])
    }

    /// One column: `name`, `titles` (the header cell), `datatype`, then unit and description.
    static func column(_ column: ColumnDescription, decimalComma: Bool) -> JSONValue {
        var properties: [(String, JSONValue)] = [
            ("name", .string(column.name)),
            ("titles", .string(column.name)),
            ("datatype", datatype(column.datatype, decimalComma: decimalComma)),
        ]
        if let unit = column.unit { properties.append(("tokentally:unit", .string(unit))) }
        properties.append(("dc:description", .string(column.description)))
        return .object(properties)
    }

    /// A CSVW datatype: the built-in name, or an object with a `format` where the text is not
    /// the XML Schema lexical form (`YYYY-MM-DD HH:00` hours, decimal commas).
    static func datatype(_ datatype: ColumnDatatype, decimalComma: Bool) -> JSONValue {
        switch datatype {
        case .datetime:
            return .object([("base", .string("datetime")), ("format", .string("yyyy-MM-dd HH:mm"))])
        case .decimal where decimalComma:
            return .object([("base", .string("decimal")), ("format", .object([("decimalChar", .string(","))]))])
        default:
            return .string(datatype.rawValue)
        }
    }

    /// The CSVW dialect of the file.
    static func dialect(_ format: OutputFormat) -> JSONValue {
        let tsv = format.format == .tsv
        let delimiter = tsv ? "\t" : format.dialect == .excelEU ? ";" : ","
        return .object([
            ("encoding", .string("utf-8")),
            ("lineTerminators", .array([.string("\n")])),
            ("delimiter", .string(delimiter)),
            ("quoteChar", tsv ? .null : .string("\"")),
            ("doubleQuote", .bool(!tsv)),
            ("header", .bool(true)),
            ("headerRowCount", .integer(1)),
        ])
    }
}

/// A JSON value with ordered object keys, written deterministically.
indirect enum JSONValue {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// Appends the value: objects one key per line, arrays of scalars on one line.
    func append(to text: inout String, indent: String) {
        switch self {
        case .string(let string):
            var bytes: [UInt8] = []
            JSONLinesSummaryWriter.appendString(string, to: &bytes)
            text += String(decoding: bytes, as: UTF8.self)
        case .integer(let value): text += String(value)
        case .bool(let value): text += value ? "true" : "false"
        case .null: text += "null"
        case .array(let elements):
            let nested = elements.contains { if case .object = $0 { return true } else { return false } }
            if !nested {
                text += "["
                for (index, element) in elements.enumerated() {
                    if index > 0 { text += ", " }
                    element.append(to: &text, indent: indent)
                }
                text += "]"
                return
            }
            let inner = indent + "  "
            text += "[\n"
            for (index, element) in elements.enumerated() {
                text += inner
                element.append(to: &text, indent: inner)
                text += index < elements.count - 1 ? ",\n" : "\n"
            }
            text += indent + "]"
        case .object(let properties):
            let inner = indent + "  "
            text += "{\n"
            for (index, (key, value)) in properties.enumerated() {
                text += inner
                JSONValue.string(key).append(to: &text, indent: inner)
                text += ": "
                value.append(to: &text, indent: inner)
                text += index < properties.count - 1 ? ",\n" : "\n"
            }
            text += indent + "}"
        }
    }
}
