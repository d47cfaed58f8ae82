import LogInput
import UsageDecoding

/// What happened to one input.
public struct FileReport: Sendable {
    /// The input's display name.
    public var path: String
    /// Compression, bytes, members, flags and failure, from stage 1.
    public var outcome: InputOutcome
    /// The reconciliation terms as counted: for a failed input that was not salvaged, every
    /// line is a line of a failed file.
    public var tally = LineTally()
    /// For a failed input: what its complete lines before the damage held (what `--salvage`
    /// counts, or counted).
    public var salvageable: LineTally?
    /// Whether this failed input's complete lines were counted (`--salvage`).
    public var salvaged = false
    /// Bytes of an incomplete last line cut off by the damage.
    public var fragmentBytes = 0
    /// The first bad lines, as `file:line: reason: message`.
    public var badLineSamples: [String] = []
    /// The first lines with each warning, as `file:line: warning`.
    public var warningSamples: [String] = []
    /// Where this input's contribution came from (always `read` without `--state`).
    public var origin: FileOrigin = .read
    /// For an input with the same content as another (`origin == .duplicate`): that input.
    public var duplicateOf: String?

    public init(path: String, outcome: InputOutcome) {
        self.path = path
        self.outcome = outcome
    }

    /// `ok`, `flagged` or `failed`.
    public var status: InputStatus { outcome.status }
}

/// Where an input's contribution to a run came from.
public enum FileOrigin: String, Sendable, Codable {
    /// Read in this run.
    case read
    /// From the state: the input is unchanged since it was summarised.
    case unchanged
    /// From the state: the same bytes were summarised under another name (a log rotated).
    case renamed
    /// From the state: the input is gone (rotated away); its contribution is kept.
    case history
    /// Not counted: another input of this run has the same content (`duplicateOf`).
    case duplicate
    /// From a state directory given to `tokentally merge`.
    case merged
}

/// The run report (`--report`), and the source of the one-line summary on standard error.
public struct RunReport: Sendable {
    /// The tool's version.
    public static let toolVersion = "0.1.0"
    /// Version of the report's JSON layout.
    public static let reportVersion = 1

    /// Every input, sorted by name.
    public var files: [FileReport] = []
    /// Sum of the files' tallies.
    public var totals = LineTally()
    /// Rows written.
    public var rows = 0
    /// Measure cells above 2⁶³−1, as `row N: column`, written exactly.
    public var cellsExceedingInt64: [String] = []
    /// Rows above which a summary is suspicious (a `--by` column unique per request, such as
    /// an id): reported, never an error.
    public static let manyGroups = 1_000_000
    /// `--max-bad-lines`.
    public var maxBadLines = 0

    public init() {}

    /// The first bad lines of the run (counted inputs only), at most 20.
    public var badLineSamples: [String] {
        Array(files.filter { $0.status != .failed || $0.salvaged }.flatMap(\.badLineSamples).prefix(BatchDecoder.sampleLimit))
    }

    /// 0 when every input read in this run is ok and bad lines are within `--max-bad-lines`,
    /// else 2. (An input taken from `--state` was reported when it was read.)
    public var exitCode: Int32 {
        files.contains { $0.origin == .read && $0.status != .ok } || totals.badLines > maxBadLines ? 2 : 0
    }

    /// Inputs with this status.
    public func count(_ status: InputStatus) -> Int { files.filter { $0.status == status }.count }

    // MARK: - Standard error

    /// `tokentally: 3 files (1 failed), 10234 lines: 10000 records, 200 no usage, …`
    public var summaryLine: String {
        var fileNotes: [String] = []
        let read = files.filter { $0.origin == .read }
        let failed = read.filter { $0.status == .failed }.count, flagged = read.filter { $0.status == .flagged }.count
        if failed > 0 { fileNotes.append("\(failed) failed") }
        if flagged > 0 { fileNotes.append("\(flagged) flagged") }
        let fromState = files.filter { [.unchanged, .renamed, .history, .merged].contains($0.origin) }.count
        let duplicates = files.filter { $0.origin == .duplicate }.count
        if fromState > 0 || duplicates > 0 {
            fileNotes.insert("\(files.count - fromState - duplicates) read", at: 0)
            if fromState > 0 { fileNotes.append("\(fromState) from state") }
            if duplicates > 0 { fileNotes.append("\(duplicates) duplicate") }
        }
        let fileText = plural(files.count, "file") + (fileNotes.isEmpty ? "" : " (\(fileNotes.joined(separator: ", ")))")
        var terms = [plural(totals.records, "record"), "\(totals.noUsage) without usage", "\(totals.blankLines) blank"]
        let reasons = zip(BadLineReason.allCases, totals.badLinesByReason).filter { $0.1 > 0 }.map { "\($0.0.rawValue) \($0.1)" }
        terms.append("\(totals.badLines) bad" + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: ", ")))"))
        if totals.filteredOut > 0 { terms.append("\(totals.filteredOut) filtered out") }
        if totals.failedFileLines > 0 { terms.append("\(totals.failedFileLines) in failed files") }
        let warningCount = totals.warnings.reduce(0, +)
        var text = "tokentally: \(fileText), \(plural(totals.linesRead, "line")): \(terms.joined(separator: ", "))"
        if warningCount > 0 { text += "; \(plural(warningCount, "warning"))" }
        text += "; \(plural(rows, "row"))"
        return text
    }

    private func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// One line per input that is not ok, one per sampled bad line (at most 20), and one for
    /// oversized sums: what someone reading a cron mail needs.
    public var problemLines: [String] {
        var lines: [String] = []
        for file in files {
            if let original = file.duplicateOf {
                lines.append("tokentally: \(file.path): same content as \(original); counted once")
            }
            guard file.origin == .read else { continue }  // reported when it was read
            if let failure = file.outcome.failure {
                var line = "tokentally: \(file.path): failed: \(failure.detail)"
                // (Nothing to say when nothing was read, as for an input that cannot be opened.)
                if let salvageable = file.salvageable, salvageable.linesRead > 0 {
                    line += file.salvaged
                        ? "; \(salvageable.linesRead) complete lines before it were counted (--salvage)"
                        : "; \(salvageable.linesRead) complete lines before it were not counted (--salvage counts them)"
                }
                lines.append(line)
            }
            for note in file.outcome.flags {
                lines.append("tokentally: \(file.path): flagged: \(note.detail)")
            }
        }
        for sample in badLineSamples { lines.append("tokentally: \(sample)") }
        if totals.badLines > badLineSamples.count && !badLineSamples.isEmpty {
            lines.append("tokentally: … \(totals.badLines - badLineSamples.count) more bad lines (see --report)")
        }
        if rows > Self.manyGroups {
            lines.append("tokentally: \(rows) rows, more than \(Self.manyGroups): is a --by column unique per request?")
        }
        if !cellsExceedingInt64.isEmpty {
            lines.append("tokentally: \(cellsExceedingInt64.count) sums exceed 2^63-1 (written exactly; BIGINT readers will reject them)")
        }
        return lines
    }

    // MARK: - JSON

    /// The report as pretty-printed JSON, keys in a fixed order.
    public var json: String {
        let out = JSONText()
        out.object {
            out.field("tokentally_version", RunReport.toolVersion)
            out.field("report_version", RunReport.reportVersion)
            out.field("schema_version", 1)
            out.field("exit_code", Int(exitCode))
            out.key("totals")
            out.object {
                out.field("files", files.count)
                out.field("files_ok", count(.ok))
                out.field("files_flagged", count(.flagged))
                out.field("files_failed", count(.failed))
                tallyFields(totals, out)
                out.field("reconciled", totals.isBalanced)
                out.field("rows", rows)
                out.field("max_bad_lines", maxBadLines)
                out.field("int64_overflow_cells", cellsExceedingInt64)
                out.field("many_groups", rows > Self.manyGroups)
            }
            out.field("bad_line_samples", badLineSamples)
            out.key("files")
            out.array(files) { file in
                out.object {
                    out.field("path", file.path)
                    out.field("status", file.status.rawValue)
                    out.field("origin", file.origin.rawValue)
                    out.key("duplicate_of")
                    if let original = file.duplicateOf { out.scalar(JSONText.quote(original)) } else { out.null() }
                    out.field("compression", file.outcome.compression.rawValue)
                    out.field("bytes_read", Int(file.outcome.bytesRead))
                    out.field("bytes_decompressed", Int(file.outcome.bytesDecompressed))
                    out.field("gzip_members", file.outcome.members)
                    out.key("flags")
                    out.array(file.outcome.flags) { note in
                        out.object {
                            out.field("flag", note.flag.rawValue)
                            out.field("offset", Int(note.offset))
                            out.field("detail", note.detail)
                        }
                    }
                    out.key("failure")
                    if let failure = file.outcome.failure {
                        out.object {
                            out.field("kind", failure.kind.rawValue)
                            out.field("offset", Int(failure.offset))
                            out.field("detail", failure.detail)
                            out.field("salvaged", file.salvaged)
                            out.field("fragment_bytes", file.fragmentBytes)
                            // (Nothing to say when nothing was read, as for an input that cannot be opened.)
                if let salvageable = file.salvageable, salvageable.linesRead > 0 {
                                out.key("salvageable")
                                out.object { tallyFields(salvageable, out) }
                            }
                        }
                    } else {
                        out.null()
                    }
                    tallyFields(file.tally, out)
                    out.field("bad_line_samples", file.badLineSamples)
                    out.field("warning_samples", file.warningSamples)
                }
            }
        }
        return out.text + "\n"
    }

    private func tallyFields(_ tally: LineTally, _ out: JSONText) {
        out.field("lines_read", tally.linesRead)
        out.field("records", tally.records)
        out.field("no_usage", tally.noUsage)
        out.field("bad_lines", tally.badLines)
        out.key("bad_lines_by_reason")
        out.object {
            for (reason, count) in zip(BadLineReason.allCases, tally.badLinesByReason) { out.field(reason.rawValue, count) }
        }
        out.field("blank_lines", tally.blankLines)
        out.field("filtered_out", tally.filteredOut)
        out.field("duplicates_dropped", tally.duplicatesDropped)
        out.field("failed_file_lines", tally.failedFileLines)
        out.key("warnings")
        out.object {
            for (entry, count) in zip(LineWarnings.all, tally.warnings) { out.field(entry.name, count) }
        }
    }
}

/// A small JSON writer with keys in the order written (a report is read by people first).
final class JSONText {
    private(set) var text = ""
    private var indent = 0
    private var needsComma = false
    private var afterKey = false

    private func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        if needsComma { text += "," }
        if indent > 0 { text += "\n" + String(repeating: "  ", count: indent) }
    }

    func key(_ name: String) {
        beginValue()
        text += Self.quote(name) + ": "
        afterKey = true
    }

    func object(_ body: () -> Void) {
        beginValue()
        text += "{"
        indent += 1
        needsComma = false
        body()
        indent -= 1
        if needsComma { text += "\n" + String(repeating: "  ", count: indent) }
        text += "}"
        needsComma = true
    }

    func array<T>(_ items: [T], _ element: (T) -> Void) {
        beginValue()
        text += "["
        indent += 1
        needsComma = false
        for item in items { element(item) }
        indent -= 1
        if needsComma { text += "\n" + String(repeating: "  ", count: indent) }
        text += "]"
        needsComma = true
    }

    func null() { scalar("null") }

    func field(_ name: String, _ value: String) { key(name); scalar(Self.quote(value)) }
    func field(_ name: String, _ value: Int) { key(name); scalar(String(value)) }
    func field(_ name: String, _ value: Bool) { key(name); scalar(value ? "true" : "false") }
    func field(_ name: String, _ values: [String]) {
        key(name)
        array(values) { scalar(Self.quote($0)) }
    }

    func scalar(_ literal: String) {
        beginValue()
        text += literal
        needsComma = true
    }

    /// A JSON string literal.
    static func quote(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
