import UsageAggregation

/// Stage 5 for `--format table` (the default when standard output is a terminal): an aligned
/// table for people.
///
/// ```
/// day         model                      requests  input_tokens  …  cost_usd
/// ----------  -------------------------  --------  ------------  …  ---------
/// 2026-11-28  anthropic/claude-sonnet-4     1,204     5,210,331  …  41.208871
/// ```
///
/// Columns are two spaces apart; numbers (and their headers) are right-aligned with `,`
/// between thousands; dates and strings are left-aligned; an empty cell stays blank. Widths
/// count characters (grapheme clusters), so wide East Asian characters can shift a row.
/// Control characters in a value (a hostile log could carry terminal escapes) are shown as
/// `\u{1B}`. No trailing spaces. Not meant to be parsed: use csv, tsv or jsonl for that.
public enum TableSummaryWriter {
    /// The table's text, every line ending in `\n`.
    public static func render(_ table: SummaryTable) -> String {
        let descriptions = SummarySchema.describe(columns: table.columns, optional: table.optionalMeasures)
        let rightAligned = descriptions.map(\.datatype.isNumeric)
        var cells: [[String]] = [descriptions.map(\.name)]
        cells.reserveCapacity(table.count + 1)
        var measureText: [UInt8] = []
        for index in 0..<table.count {
            var line: [String] = []
            line.reserveCapacity(descriptions.count)
            for (value, column) in zip(table.groupValues(ofRow: index), table.columns) {
                if case .text(let text) = value {
                    line.append(visible(text))
                } else {
                    line.append(SummarySchema.groupCell(value, column: column))
                }
            }
            for measure in SummarySchema.measureList(table.optionalMeasures) {
                measureText.removeAll(keepingCapacity: true)
                SummarySchema.appendMeasure(measure, of: table.measures[index], to: &measureText)
                line.append(withThousandsSeparators(String(decoding: measureText, as: UTF8.self)))
            }
            cells.append(line)
        }
        var widths = descriptions.map { _ in 0 }
        for line in cells {
            for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        cells.insert(widths.map { String(repeating: "-", count: $0) }, at: 1)
        var text = ""
        for line in cells {
            var out = ""
            for (index, cell) in line.enumerated() {
                if index > 0 { out += "  " }
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                out += rightAligned[index] ? padding + cell : cell + padding
            }
            while out.last == " " { out.removeLast() }
            text += out + "\n"
        }
        return text
    }

    /// `1234567.5` → `1,234,567.5`: a `,` between each three digits of the whole part.
    static func withThousandsSeparators(_ number: String) -> String {
        let whole = number.prefix { $0 != "." }
        guard whole.count > 3 else { return number }
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return grouped + number.dropFirst(whole.count)
    }

    /// The text with every control character (C0, DEL, C1) written as `\u{XX}`.
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
