import Foundation
import Testing

/// The package's root directory, found from this file's path (Tests/TallyCommandTests/…).
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built `tokentally` executable: next to the test bundle (the test target depends on
/// the executable, so `swift build --build-tests` builds it there).
func tokentallyExecutable() throws -> URL {
    var candidates: [URL] = []
    if let first = CommandLine.arguments.first {
        let runner = URL(fileURLWithPath: first).resolvingSymlinksInPath()
        candidates.append(runner.deletingLastPathComponent())
        // On Darwin the runner sits inside the bundle: …/debug/X.xctest/Contents/MacOS/X.
        candidates.append(runner.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent())
    }
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
    for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
        candidates.append(bundle.bundleURL.deletingLastPathComponent())
    }
    candidates.append(packageRoot.appendingPathComponent(".build/debug"))
    for directory in candidates {
        let url = directory.appendingPathComponent("tokentally")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isExecutableFile(atPath: url.path)
        {
            return url
        }
    }
    Issue.record("tokentally executable not found; looked in \(candidates.map(\.path))")
    throw ExecutableNotFound()
}

struct ExecutableNotFound: Error {}

/// What a run of the executable gave.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Standard error's lines, without the final newline.
    var stderrLines: [String] {
        stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }
}

/// Runs `tokentally ARGS…` in `directory`, standard input from `stdinPath` (or /dev/null);
/// stdout and stderr go to files, so neither is a terminal.
func tokentally(_ arguments: [String], in directory: URL, stdinPath: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = try tokentallyExecutable()
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let id = UUID().uuidString
    let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("tokentally-cli-\(id).out")
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("tokentally-cli-\(id).err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = try stdinPath.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) }
        ?? FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return ProcessResult(
        status: process.terminationStatus,
        stdout: try String(contentsOf: outURL, encoding: .utf8),
        stderr: try String(contentsOf: errURL, encoding: .utf8))
}

/// A fresh directory under the system's temporary directory, removed by ``remove()``.
struct ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tokentally-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: target)
        return target.path
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    /// Names in the directory, sorted (hidden files included).
    func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The header for these group columns.
func header(_ groupColumns: String) -> String {
    groupColumns + ",requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd\n"
}

/// A founding-shape line: OpenRouter Responses usage under a top-level `usage`.
func usageLine(time: String = "2026-11-28T10:00:00Z", model: String = "openai/gpt-4o", input: Int, output: Int, cost: String? = nil) -> String {
    let costField = cost.map { ",\"cost\":\($0)" } ?? ""
    return "{\"timestamp\":\"\(time)\",\"model\":\"\(model)\",\"usage\":{\"input_tokens\":\(input),\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":\(output),\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":\(input + output)\(costField),\"is_byok\":false}}"
}

/// A one-member gzip file of stored deflate blocks, with its CRC-32 and length.
func storedGzip(_ data: [UInt8]) -> [UInt8] {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in data {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    crc = ~crc
    var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
    var offset = 0
    repeat {
        let length = min(65535, data.count - offset)
        out.append(offset + length == data.count ? 1 : 0)
        out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
        out += data[offset..<(offset + length)]
        offset += length
    } while offset < data.count
    let size = UInt32(truncatingIfNeeded: data.count)
    for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((crc >> UInt32(shift)) & 0xFF)) }
    for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((size >> UInt32(shift)) & 0xFF)) }
    return out
}
