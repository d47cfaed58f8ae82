import TestSupport
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

/// Runs `tokentally ARGS…` in `directory`, standard input from `stdinPath` (or /dev/null),
/// with `environment` added to this process's; stdout and stderr go to files, so neither is
/// a terminal.
///
/// With `shell`, `arguments` go to `executable` (a shell) instead, to set limits or build a
/// pipeline around the binary.
func tokentally(
    _ arguments: [String], in directory: URL, stdinPath: String? = nil, environment: [String: String] = [:],
    shell: Bool = false, executable: String = "/bin/sh"
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = shell ? URL(fileURLWithPath: executable) : try tokentallyExecutable()
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
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

/// A founding-shape line: OpenRouter Responses usage under a top-level `usage`.
func usageLine(time: String = "2026-11-28T10:00:00Z", model: String = "openai/gpt-4o", input: Int, output: Int, cost: String? = nil) -> String {
    let costField = cost.map { ",\"cost\":\($0)" } ?? ""
    return "{\"timestamp\":\"\(time)\",\"model\":\"\(model)\",\"usage\":{\"input_tokens\":\(input),\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":\(output),\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":\(input + output)\(costField),\"is_byok\":false}}"
}
