import Foundation
import TallyPipeline
import UsageAggregation
import UsageDecoding

/// The package's root directory, found from this file's path (Tests/TallyPipelineTests/…).
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `samples/` and its golden files.
let samplesDirectory = packageRoot.appendingPathComponent("samples")
let expectedDirectory = samplesDirectory.appendingPathComponent("expected")

/// A fresh directory under the system's temporary directory, removed by ``remove()``.
struct ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("tokentally-pipeline-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` (UTF-8, exactly as given) to `name`; returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    /// Writes raw bytes to `name`; returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: target)
        return target.path
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// What one pipeline run gave: the CSV text, the report, and the report's JSON text.
struct PipelineRun {
    var csv: String
    var report: RunReport
    var reportJSON: String
}

/// Runs `SummarizePipeline` over `inputs` with `--by by`, writing into a scratch directory.
func runPipeline(
    _ inputs: [String], by: String = "day,model", threads: Int = 2, batchBytes: Int? = nil,
    salvage: Bool = false, fields: [String: String] = [:]
) throws -> PipelineRun {
    let scratch = try ScratchDirectory()
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
    configuration.outputPath = scratch.path("out.csv")
    configuration.reportPath = scratch.path("run-report.json")
    let report = try SummarizePipeline.run(configuration)
    let csv = try String(contentsOfFile: scratch.path("out.csv"), encoding: .utf8)
    let json = try String(contentsOfFile: scratch.path("run-report.json"), encoding: .utf8)
    return PipelineRun(csv: csv, report: report, reportJSON: json)
}

struct UnknownColumn: Error { var name: String }

/// A `--by` name as a group column (the CLI's parsing is tested with the CLI).
func column(_ name: String, customFields: Set<String> = []) throws -> GroupColumn {
    if let grain = TimeGrain(rawValue: name) { return .time(grain) }
    switch name {
    case "model": return .model
    case "key": return .key
    case "status": return .status
    case "file": return .file
    default:
        if customFields.contains(name) { return .custom(name) }
        throw UnknownColumn(name: name)
    }
}

/// The header `tokentally` writes for these group columns.
func header(_ groupColumns: String) -> String {
    groupColumns + ",requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd\n"
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

// MARK: - gzip bytes made by hand

/// CRC-32 (ISO 3309, as gzip uses it), bit by bit: slow and obviously right.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

/// A one-member gzip file whose deflate data is stored blocks (RFC 1951 BTYPE 00), so the
/// byte offset of every input byte inside the file is known: byte `i` of `data` sits at
/// `10 + 5 * (i / 65535 + 1) + i` when the data is cut into 65535-byte blocks.
func storedGzip(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
    var offset = 0
    repeat {
        let length = min(65535, data.count - offset)
        let final: UInt8 = offset + length == data.count ? 1 : 0
        out.append(final)
        out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
        out += data[offset..<(offset + length)]
        offset += length
    } while offset < data.count
    let crc = crc32(data)
    let size = UInt32(truncatingIfNeeded: data.count)
    for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((crc >> UInt32(shift)) & 0xFF)) }
    for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((size >> UInt32(shift)) & 0xFF)) }
    return out
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
