/// Keeps a string from a log from running as a formula when the summary is opened in a
/// spreadsheet (CSV injection; OWASP's advice).
///
/// A cell that starts with `=`, `+`, `-`, `@`, a tab or a CR is a formula, or starts one, in
/// Excel, LibreOffice and Google Sheets. Such a string from a log — a model, key, user,
/// status, provider or custom field a hostile client chose — is written with a single quote
/// `'` in front: spreadsheets then show it as text. A plain number (`-12`, `-0.5`, `-1e3`,
/// the JSON text of a numeric custom field) is left alone: it is no formula.
///
/// Only CSV and TSV cells are neutralised: JSON Lines and the terminal table are not read
/// by spreadsheets, and carry the value as logged.
public enum SpreadsheetSafety {
    /// Whether `text` must get a `'` in front.
    public static func needsNeutralising(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "@"), 0x09, 0x0D: return true
        case UInt8(ascii: "-"): return !isPlainNumber(text)
        default: return false
        }
    }

    /// The text as it goes into a CSV/TSV cell: with `'` in front when it needs it.
    public static func neutralised(_ text: String) -> String {
        needsNeutralising(text) ? "'" + text : text
    }

    /// JSON number syntax with an optional leading `-`: `-12`, `-0.5`, `-1e3`.
    static func isPlainNumber(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        guard digits() > 0 else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
