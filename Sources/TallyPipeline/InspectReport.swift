import TallyPrimitives
import UsageDecoding

/// What `tokentally inspect` found in its sample, and its two renderings: text for people,
/// JSON for scripts (docs/cli.md, *tokentally inspect*).
public struct InspectReport: Sendable {
    /// Built-in fields in the order they are shown; custom `--field`s follow, by name.
    static let builtinFieldOrder = ["usage", "usage_details", "time", "model", "key", "user", "provider", "status", "id", "cost"]
    /// Most frequent values shown per field.
    static let sampleCount = 5
    /// Bad lines shown in the text output.
    static let badLinesShown = 10
    /// Longest value shown in the text output, in characters.
    static let valueWidth = 40

    /// One input and what became of it.
    public struct InputSummary: Sendable {
        public var path: String
        /// Lines of the sample taken from it.
        public var lines: Int
        /// `ok` (read to its end), `partly_read` (the sample filled up inside it), `not_read`
        /// (the sample was full before it), `failed`.
        public var status: String
        /// `path: failed: detail`, for a failed input.
        public var problem: String?
    }

    /// Records of one shape, wrapped or not.
    public struct ShapeSummary: Sendable {
        public var shape: RecordShape
        /// The container holding the body (`/response`), nil when the body is the line.
        public var wrapper: String?
        public var count: Int
        /// The usage object's pointer (the most frequent one), and its details' when elsewhere.
        public var usage: String?
        public var details: String?
    }

    /// Where a field came from, and what it held.
    public struct FieldSummary: Sendable {
        public var name: String
        /// Records that have the field.
        public var found: Int
        /// JSON Pointers it was read from, most frequent first.
        public var pointers: [(key: String, count: Int)] = []
        /// Most frequent values first (not for `usage`, `time`, `id`).
        public var samples: [(key: String, count: Int)] = []
        /// For `time`: the earliest and latest record time, RFC 3339 UTC.
        public var range: (min: String, max: String)?

        init(name: String, found: Int) {
            self.name = name
            self.found = found
        }
    }

    /// A bad line, where it is and why.
    public struct BadLineSample: Sendable {
        public var file: String
        public var line: Int
        public var reason: String
        public var message: String

        /// `file:line: reason: message`, as `summarize` reports bad lines.
        public var text: String { "\(file):\(line): \(reason): \(message)" }
    }

    /// A `--field` flag to try.
    public struct Suggestion: Sendable {
        /// Ready to paste: `--field usage=/usageDetails`.
        public var flag: String
        public var field: String
        public var pointer: String
        public var reason: String
        /// Sampled lines that have the path.
        public var lines: Int
    }

    public var lines = 0
    public var records = 0
    public var noUsage = 0
    public var blank = 0
    /// Bad lines by reason, every reason in report order.
    public var bad: [(reason: String, count: Int)] = []
    /// True when every input was read to its end (or failed): the sample is everything.
    public var complete = true
    /// `--lines`, or nil for `--all`.
    public var sampleLimit: Int?
    public var files: [InputSummary] = []
    public var shapes: [ShapeSummary] = []
    public var fields: [FieldSummary] = []
    /// Lines without usage by their top-level `type` (`(no type)` without one), most frequent first.
    public var noUsageTypes: [(key: String, count: Int)] = []
    /// The first bad lines (at most 20).
    public var badLines: [BadLineSample] = []
    public var suggestions: [Suggestion] = []

    /// All bad lines.
    public var badTotal: Int { bad.reduce(0) { $0 + $1.count } }

    /// The problem lines of failed inputs, for standard error.
    public var problemLines: [String] { files.compactMap { $0.problem.map { "tokentally: \($0)" } } }

    // MARK: - Text

    /// The report for people.
    public var text: String {
        var out = ""
        let read = files.filter { $0.status != "not_read" }.count
        let scope = complete
            ? "all lines of \(plural(files.count, "input"))"
            : "the first \(plural(lines, "line")), from \(read) of \(plural(files.count, "input")); --all reads everything"
        let badReasons = bad.filter { $0.count > 0 }.map { "\($0.reason) \($0.count)" }.joined(separator: ", ")
        out += "\(plural(lines, "line")) sampled (\(scope)): \(plural(records, "record")), \(noUsage) without usage, "
            + "\(badTotal) bad\(badReasons.isEmpty ? "" : " (\(badReasons))"), \(blank) blank\n"
        if records > 0 { out += "Records are not deduplicated here (summarize drops repeated Claude Code lines).\n" }

        out += "\nInputs\n"
        let shownFiles = files.filter { $0.status != "not_read" }
        let pathWidth = shownFiles.map { $0.path.count }.max() ?? 0
        for file in shownFiles {
            out += "  " + pad(file.path, pathWidth) + "  " + leftPad(String(file.lines), 7) + " lines  " + file.status + "\n"
            if let problem = file.problem { out += "    \(problem)\n" }
        }
        if files.count > shownFiles.count {
            out += "  … and \(plural(files.count - shownFiles.count, "more input")) not read (the sample was full)\n"
        }

        out += "\nShapes\n"
        if shapes.isEmpty { out += "  (no records)\n" }
        let titles = shapes.map { $0.shape.title + ($0.wrapper.map { " in \($0)" } ?? "") }
        let titleWidth = titles.map(\.count).max() ?? 0
        for (shape, title) in zip(shapes, titles) {
            var line = "  " + pad(title, titleWidth) + "  " + leftPad(String(shape.count), 7)
            if let usage = shape.usage { line += "   usage at \(usage.isEmpty ? "/ (the line)" : usage)" }
            if let details = shape.details { line += " (details from \(details))" }
            out += line + "\n"
        }

        out += "\nFields (of \(plural(records, "record")))\n"
        let shown = fields.filter { $0.found > 0 || !$0.samples.isEmpty || $0.name != "usage_details" }
        let nameWidth = max(8, shown.map(\.name.count).max() ?? 0)
        let fromTexts = shown.map { field in
            field.pointers.isEmpty ? "(not found)" : field.pointers.prefix(3).map { "\($0.key.isEmpty ? "/" : $0.key) (\($0.count))" }
                .joined(separator: ", ") + (field.pointers.count > 3 ? ", …" : "")
        }
        let fromWidth = min(60, max(4, fromTexts.map(\.count).max() ?? 0))
        out += "  " + pad("field", nameWidth) + "  " + leftPad("found", 7) + "  " + pad("from", fromWidth) + "  values (most frequent first)\n"
        for (field, from) in zip(shown, fromTexts) {
            var values = ""
            if let range = field.range {
                values = range.min == range.max ? range.min : "\(range.min) … \(range.max)"
            } else {
                values = field.samples.prefix(Self.sampleCount).map { "\(truncate($0.key)) (\($0.count))" }.joined(separator: ", ")
            }
            let line = "  " + pad(field.name, nameWidth) + "  " + leftPad(String(field.found), 7) + "  " + pad(from, fromWidth) + "  " + values
            out += trimTrailing(line) + "\n"
        }

        out += "\nWithout usage (by type)\n"
        if noUsageTypes.isEmpty { out += "  (none)\n" }
        var typeLine = ""
        for (index, (type, count)) in noUsageTypes.enumerated() {
            let item = "\(type) \(count)" + (index < noUsageTypes.count - 1 ? "," : "")
            if !typeLine.isEmpty && typeLine.count + item.count > 96 {
                out += "  " + typeLine + "\n"
                typeLine = ""
            }
            typeLine += (typeLine.isEmpty ? "" : " ") + item
        }
        if !typeLine.isEmpty { out += "  " + typeLine + "\n" }

        out += "\nBad lines\n"
        if badLines.isEmpty { out += "  (none)\n" }
        for sample in badLines.prefix(Self.badLinesShown) { out += "  \(sample.text)\n" }
        if badTotal > min(badLines.count, Self.badLinesShown) {
            out += "  … and \(badTotal - min(badLines.count, Self.badLinesShown)) more\n"
        }

        out += "\nSuggested flags\n"
        if suggestions.isEmpty {
            out += records == 0 && noUsage > 0
                ? "  (none: no object in the lines without usage looks like token counts)\n"
                : "  (none: no line looks like unrecognised usage, and most records have a time, model and key)\n"
        }
        for suggestion in suggestions {
            out += "  \(suggestion.flag)\n      \(plural(suggestion.lines, "sampled line")): \(suggestion.reason)\n"
        }
        return out
    }

    private func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
    private func leftPad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
    private func truncate(_ text: String) -> String {
        let flat = text.replacingNewlines()
        return flat.count <= Self.valueWidth ? flat : String(flat.prefix(Self.valueWidth - 1)) + "…"
    }
    private func trimTrailing(_ text: String) -> String {
        String(text.reversed().drop { $0 == " " }.reversed())
    }

    // MARK: - JSON

    /// The report for scripts: one JSON object, keys in a fixed order.
    public var json: String {
        let out = JSONText()
        out.object {
            out.field("lines", lines)
            out.field("records", records)
            out.field("no_usage", noUsage)
            out.field("blank", blank)
            out.key("bad")
            out.object { for (reason, count) in bad { out.field(reason, count) } }
            out.field("complete", complete)
            out.key("sample_limit")
            if let sampleLimit { out.scalarInt(sampleLimit) } else { out.null() }
            out.key("files")
            out.array(files) { file in
                out.object {
                    out.field("path", file.path)
                    out.field("lines", file.lines)
                    out.field("status", file.status)
                    out.key("problem")
                    if let problem = file.problem { out.scalarString(problem) } else { out.null() }
                }
            }
            out.key("shapes")
            out.array(shapes) { shape in
                out.object {
                    out.field("shape", shape.shape.rawValue)
                    out.field("title", shape.shape.title)
                    out.key("wrapper")
                    if let wrapper = shape.wrapper { out.scalarString(wrapper) } else { out.null() }
                    out.field("count", shape.count)
                    out.key("usage")
                    if let usage = shape.usage { out.scalarString(usage) } else { out.null() }
                }
            }
            out.key("fields")
            out.object {
                for field in fields {
                    out.key(field.name)
                    out.object {
                        out.field("found", field.found)
                        out.key("pointers")
                        out.object { for (pointer, count) in field.pointers { out.field(pointer, count) } }
                        out.key("samples")
                        out.array(field.samples) { sample in
                            out.object {
                                out.field("value", sample.key)
                                out.field("count", sample.count)
                            }
                        }
                        if field.name == "time" {
                            out.key("min")
                            if let range = field.range { out.scalarString(range.min) } else { out.null() }
                            out.key("max")
                            if let range = field.range { out.scalarString(range.max) } else { out.null() }
                        }
                    }
                }
            }
            out.key("no_usage_types")
            out.object { for (type, count) in noUsageTypes { out.field(type, count) } }
            out.key("bad_lines")
            out.array(badLines) { sample in
                out.object {
                    out.field("file", sample.file)
                    out.field("line", sample.line)
                    out.field("reason", sample.reason)
                    out.field("message", sample.message)
                }
            }
            out.key("suggested_flags")
            out.array(suggestions) { suggestion in
                out.object {
                    out.field("flag", suggestion.flag)
                    out.field("field", suggestion.field)
                    out.field("pointer", suggestion.pointer)
                    out.field("reason", suggestion.reason)
                    out.field("lines", suggestion.lines)
                }
            }
        }
        return out.text + "\n"
    }

    /// `2026-11-29T09:20:46Z`.
    static func rfc3339(_ seconds: Int64) -> String {
        let days = CivilTime.floorDiv(seconds, CivilTime.secondsPerDay)
        let date = CivilTime.date(days: days)
        let second = seconds - days * CivilTime.secondsPerDay
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var year = String(date.year)
        while year.count < 4 { year = "0" + year }
        return "\(year)-\(two(Int64(date.month)))-\(two(Int64(date.day)))T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
    }
}

extension String {
    /// Newlines and tabs as spaces, so a value stays on one line.
    func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
    }
}

extension JSONText {
    /// A bare number after a ``key(_:)``.
    func scalarInt(_ value: Int) { scalar(String(value)) }
    /// A string after a ``key(_:)``.
    func scalarString(_ value: String) { scalar(Self.quote(value)) }
}
