import LineFraming
import LogInput
import TallyPrimitives
import UsageDecoding

/// Collects what `inspect` reports while the sample is read, one line at a time.
///
/// Records are described from the decoder (``UsageDecoder/lastMatch(line:)`` and the record's
/// values); lines without usage, and records missing a field, are also parsed with Foundation
/// for ``FieldSuggestions``, which looks at them without knowing any shape.
final class Inspection {
    /// Bad lines kept with their file and line number.
    static let badLineLimit = 20
    /// Distinct values counted per field; later new values are not counted (ids differ on every line).
    static let distinctValueLimit = 10_000

    let configuration: InspectConfiguration
    let decoder: UsageDecoder
    /// Field name of each of the decoder's value fields.
    let valueNames: [String]
    private(set) var lines = 0
    private var records = 0
    private var noUsage = 0
    private var blank = 0
    private var bad = [Int](repeating: 0, count: BadLineReason.allCases.count)
    private var fileName = ""
    private var fileLine = 0
    var files: [InspectReport.InputSummary] = []

    private var shapes: [ShapeKey: ShapeTally] = [:]
    private var fields: [String: FieldTally] = [:]
    private var timeRange: (min: Int64, max: Int64)?
    private var noUsageTypes: [String: Int] = [:]
    private var badLines: [InspectReport.BadLineSample] = []
    private var suggestions = FieldSuggestions()

    private struct ShapeKey: Hashable {
        var shape: RecordShape
        var wrapper: String?
    }

    private struct ShapeTally {
        var count = 0
        var usagePointers: [String: Int] = [:]
        var detailsPointers: [String: Int] = [:]
    }

    private struct FieldTally {
        var found = 0
        var pointers: [String: Int] = [:]
        var values: [String: Int] = [:]
    }

    init(_ configuration: InspectConfiguration) {
        self.configuration = configuration
        let valueFields = configuration.valueFields
        decoder = UsageDecoder(configuration: DecoderConfiguration(
            overrides: configuration.overrides, customFields: configuration.customFields,
            valueFields: valueFields, maxDepth: configuration.maxDepth))
        valueNames = valueFields.map { field in
            switch field {
            case .model: return "model"
            case .key: return "key"
            case .user: return "user"
            case .provider: return "provider"
            case .status: return "status"
            case .custom(let name): return name
            }
        }
    }

    /// True once the sample holds `--lines` lines.
    var isFull: Bool { configuration.sampleLines.map { lines >= $0 } ?? false }

    /// The next lines come from this input.
    func startFile(_ name: String) {
        fileName = name
        fileLine = 0
        linesLeftInFile = false
    }

    /// True when the current input had lines the full sample left out.
    private(set) var linesLeftInFile = false

    /// Inspects every line of `batch` until the sample is full.
    func take(_ batch: LineBatch) {
        batch.forEachLine(maxLineBytes: configuration.maxLineBytes) { line in
            guard !isFull else {
                linesLeftInFile = true
                return
            }
            lines += 1
            fileLine += 1
            switch line {
            case .blank:
                blank += 1
            case .tooLong(let byteCount):
                noteBad(BadLine(reason: .lineTooLong, detail: .tooLong(byteCount: byteCount, limit: configuration.maxLineBytes)))
            case .text(let bytes):
                switch decoder.decode(bytes) {
                case .record(let record):
                    noteRecord(record, bytes)
                case .noUsage:
                    noUsage += 1
                    let object = JSONTree.object(parsing: bytes)
                    noUsageTypes[object?["type"]?.text ?? "(no type)", default: 0] += 1
                    if let object { suggestions.observeLineWithoutUsage(object, bytes: bytes) }
                case .bad(let badLine):
                    noteBad(badLine)
                }
            }
        }
    }

    private func noteBad(_ line: BadLine) {
        bad[BadLineReason.allCases.firstIndex(of: line.reason)!] += 1
        if badLines.count < Self.badLineLimit {
            badLines.append(InspectReport.BadLineSample(
                file: fileName, line: fileLine, reason: line.reason.rawValue, message: line.message))
        }
    }

    private func noteRecord(_ record: UsageRecord, _ line: UnsafeRawBufferPointer) {
        records += 1
        guard let match = decoder.lastMatch(line: line) else { return }
        var shape = shapes[ShapeKey(shape: match.shape, wrapper: match.wrapper), default: ShapeTally()]
        shape.count += 1
        if let usage = match.pointers["usage"] { shape.usagePointers[usage, default: 0] += 1 }
        if let details = match.pointers["usage_details"] { shape.detailsPointers[details, default: 0] += 1 }
        shapes[ShapeKey(shape: match.shape, wrapper: match.wrapper)] = shape

        for (field, pointer) in match.pointers {
            fields[field, default: FieldTally()].found += 1
            fields[field, default: FieldTally()].pointers[pointer, default: 0] += 1
        }
        for (index, name) in valueNames.enumerated() {
            guard let span = decoder.value(index) else { continue }
            count(Self.text(span, in: decoder.valueBytes(index, line: line)), for: name)
        }
        if let cost = record.costUSD { count(cost.description, for: "cost") }
        if let time = record.time {
            timeRange = timeRange.map { (Swift.min($0.min, time), Swift.max($0.max, time)) } ?? (time, time)
        }
        let missing = FieldSuggestions.suggestedFields.filter { match.pointers[$0] == nil }
        if !missing.isEmpty, let object = JSONTree.object(parsing: line) {
            suggestions.observeRecord(object, missing: missing)
        }
    }

    private func count(_ value: String, for field: String) {
        var tally = fields[field, default: FieldTally()]
        if tally.values[value] != nil || tally.values.count < Self.distinctValueLimit {
            tally.values[value, default: 0] += 1
        }
        fields[field] = tally
    }

    /// The report on the lines read.
    func finish(inputs: Int) -> InspectReport {
        var report = InspectReport()
        report.lines = lines
        report.records = records
        report.noUsage = noUsage
        report.blank = blank
        report.bad = Array(zip(BadLineReason.allCases.map(\.rawValue), bad))
        report.complete = files.allSatisfy { $0.status == "ok" || $0.status == "failed" }
        report.sampleLimit = configuration.sampleLines
        report.files = files
        report.shapes = shapes.sorted { lhs, rhs in
            lhs.value.count != rhs.value.count
                ? lhs.value.count > rhs.value.count
                : (lhs.key.shape, lhs.key.wrapper ?? "") < (rhs.key.shape, rhs.key.wrapper ?? "")
        }.map { key, tally in
            InspectReport.ShapeSummary(
                shape: key.shape, wrapper: key.wrapper, count: tally.count,
                usage: Self.ranked(tally.usagePointers).first?.key, details: Self.ranked(tally.detailsPointers).first?.key)
        }
        let custom = configuration.customFields.keys.sorted()
        for name in InspectReport.builtinFieldOrder + custom {
            let tally = fields[name] ?? FieldTally()
            var summary = InspectReport.FieldSummary(name: name, found: tally.found)
            summary.pointers = Self.ranked(tally.pointers)
            summary.samples = Array(Self.ranked(tally.values).prefix(InspectReport.sampleCount))
            if name == "time", let timeRange {
                summary.range = (InspectReport.rfc3339(timeRange.min), InspectReport.rfc3339(timeRange.max))
            }
            report.fields.append(summary)
        }
        report.noUsageTypes = Self.ranked(noUsageTypes)
        report.badLines = badLines
        report.suggestions = suggestions.suggest(
            records: records, found: fields.mapValues(\.found), configuration: configuration)
        return report
    }

    /// Counts sorted by count (largest first), then by text.
    static func ranked(_ counts: [String: Int]) -> [(key: String, count: Int)] {
        counts.map { (key: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
    }

    /// A value's text: a string's unescaped content, or the JSON text of any other value. A
    /// provider taken from the model id is a string span whose last byte is the `/`: stripping
    /// the first and last byte gives the prefix, as for a whole string.
    static func text(_ span: JSONValueSpan, in bytes: UnsafeRawBufferPointer) -> String {
        var start = Int(span.start), end = Int(span.end)
        if span.kind == .string {
            start += 1
            end -= 1
            guard end > start else { return "" }
            if span.hasEscapes { return JSONString.text(of: UnsafeRawBufferPointer(rebasing: bytes[start..<end])) }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
