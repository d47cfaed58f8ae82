import TestSupport
import Foundation
import LogInput
import TallyPipeline
import TallyPrimitives
import UsageAggregation
import UsageDecoding

/// The package's root directory, found from this file's path (Tests/TallyPipelineTests/…).
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `samples/` and its golden files.
let samplesDirectory = packageRoot.appendingPathComponent("samples")
let expectedDirectory = samplesDirectory.appendingPathComponent("expected")

/// What one pipeline run gave: the CSV text, the report, and the report's JSON text.
struct PipelineRun {
    var csv: String
    var report: RunReport
    var reportJSON: String
}

/// Runs `SummarizePipeline` over `inputs` with `--by by`, writing into a scratch directory.
func runPipeline(
    _ inputs: [String], by: String = "day,model", threads: Int? = 2, batchBytes: Int? = nil,
    salvage: Bool = false, fields: [String: String] = [:], inflate: InflateBackend = .zlib, dedup: Bool = false,
    tz: String = "UTC", since: String? = nil, until: String? = nil, state: String? = nil, forgetMissing: Bool = false,
    prices: PriceTable? = nil, stats: Bool = false
) throws -> PipelineRun {
    let scratch = try TemporaryDirectory()
    defer { scratch.remove() }
    var configuration = SummarizeConfiguration(inputs: inputs)
    configuration.columns = try by.split(separator: ",").map { try column(String($0), customFields: Set(fields.keys)) }
    for (name, pointer) in fields {
        let parsed = try JSONPointer(parsing: pointer)
        if let builtin = BuiltinField(rawValue: name) {
            configuration.overrides[builtin] = parsed
        } else {
            configuration.customFields[name] = parsed
        }
    }
    configuration.threads = threads
    if let batchBytes { configuration.batchBytes = batchBytes }
    configuration.salvage = salvage
    configuration.dedup = dedup
    configuration.inflate = inflate
    configuration.zone = try ZoneRules.named(tz)
    configuration.window = TimeWindow(
        since: try since.map { try bound($0, configuration.zone) }, until: try until.map { try bound($0, configuration.zone) })
    configuration.statePath = state
    configuration.forgetMissing = forgetMissing
    configuration.prices = prices
    configuration.stats = stats
    configuration.outputPath = scratch.path("out.csv")
    configuration.reportPath = scratch.path("run-report.json")
    let report = try SummarizePipeline.run(configuration)
    let csv = try String(contentsOfFile: scratch.path("out.csv"), encoding: .utf8)
    let json = try String(contentsOfFile: scratch.path("run-report.json"), encoding: .utf8)
    return PipelineRun(csv: csv, report: report, reportJSON: json)
}

struct UnknownColumn: Error { var name: String }
struct BadBound: Error { var text: String }

/// A `--since`/`--until` value in `zone` (the CLI's parsing is tested with the CLI).
func bound(_ text: String, _ zone: ZoneRules) throws -> Int64 {
    guard let instant = TimeWindow.parseBound(text, zone: zone) else { throw BadBound(text: text) }
    return instant
}

/// The count of one line warning in a tally, by its report name.
func warningCount(_ tally: LineTally, _ name: String) -> Int? {
    LineWarnings.all.firstIndex { $0.name == name }.map { tally.warnings[$0] }
}

/// A `--by` name as a group column (the CLI's parsing is tested with the CLI).
func column(_ name: String, customFields: Set<String> = []) throws -> GroupColumn {
    if let grain = TimeGrain(rawValue: name) { return .time(grain) }
    switch name {
    case "model": return .model
    case "key": return .key
    case "user": return .user
    case "provider": return .provider
    case "status": return .status
    case "file": return .file
    default:
        if customFields.contains(name) { return .custom(name) }
        throw UnknownColumn(name: name)
    }
}

/// The reconciliation terms of a tally, in PRODUCT.md's order.
struct Terms: Equatable, CustomStringConvertible {
    var linesRead, records, noUsage, bad, blank, filtered, duplicates, failedFileLines: Int

    init(
        linesRead: Int, records: Int, noUsage: Int = 0, bad: Int = 0, blank: Int = 0,
        filtered: Int = 0, duplicates: Int = 0, failedFileLines: Int = 0
    ) {
        self.linesRead = linesRead
        self.records = records
        self.noUsage = noUsage
        self.bad = bad
        self.blank = blank
        self.filtered = filtered
        self.duplicates = duplicates
        self.failedFileLines = failedFileLines
    }

    init(_ tally: LineTally) {
        self.init(
            linesRead: tally.linesRead, records: tally.records, noUsage: tally.noUsage, bad: tally.badLines,
            blank: tally.blankLines, filtered: tally.filteredOut, duplicates: tally.duplicatesDropped,
            failedFileLines: tally.failedFileLines)
    }

    /// lines read = records + no usage + bad + blank + filtered + duplicates + failed-file lines
    var balances: Bool {
        linesRead == records + noUsage + bad + blank + filtered + duplicates + failedFileLines
    }

    var description: String {
        "read \(linesRead) = records \(records) + no_usage \(noUsage) + bad \(bad) + blank \(blank) + filtered \(filtered) + duplicates \(duplicates) + failed \(failedFileLines)"
    }
}

/// A founding-shape log line (OpenRouter Responses usage with a top-level `usage`).
func usageLine(
    time: String? = "2026-11-28T10:00:00Z", model: String = "openai/gpt-4o", key: String? = nil,
    input: String, output: String, cached: String = "0", reasoning: String = "0", total: String? = nil,
    cost: String? = nil, extra: String = ""
) -> String {
    var fields: [String] = []
    if let time { fields.append("\"timestamp\":\"\(time)\"") }
    fields.append("\"model\":\"\(model)\"")
    if let key { fields.append("\"api_key\":\"\(key)\"") }
    if !extra.isEmpty { fields.append(extra) }
    var usage = [
        "\"input_tokens\":\(input)", "\"input_tokens_details\":{\"cached_tokens\":\(cached)}",
        "\"output_tokens\":\(output)", "\"output_tokens_details\":{\"reasoning_tokens\":\(reasoning)}",
    ]
    if let total { usage.append("\"total_tokens\":\(total)") }
    if let cost { usage.append("\"cost\":\(cost)") }
    usage.append("\"is_byok\":false")
    fields.append("\"usage\":{\(usage.joined(separator: ","))}")
    return "{" + fields.joined(separator: ",") + "}"
}
