import TestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM stop a run cleanly: exit 130 / 143, one line, nothing written, previous
/// outputs untouched, no temporary file left (issue 5, item 2).
@Suite struct SignalCLITests {
    @Test("a signal during a run blocked on standard input stops it: nothing written", arguments: [SIGINT, SIGTERM])
    func stopsBlockedRun(signal: Int32) throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("out.csv", "previous summary\n")
        let process = Process()
        process.executableURL = try tokentallyExecutable()
        process.arguments = ["summarize", "-", "-o", "out.csv", "--report", "report.json"]
        process.currentDirectoryURL = scratch.url
        let input = Pipe()
        process.standardInput = input
        _ = FileManager.default.createFile(atPath: scratch.path("stderr.txt"), contents: nil)
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch.path("stderr.txt")))
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // A few lines, and the pipe kept open: the run waits for more.
        input.fileHandleForWriting.write(Data((usageLine(input: 1, output: 2) + "\n").utf8))
        // The outputs' temporary files exist once the run is under way (signals are trapped by then).
        let deadline = Date().addingTimeInterval(30)
        while try scratch.names().filter({ $0.hasPrefix(".out.csv.tmp-") }).isEmpty && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        try input.fileHandleForWriting.close()
        try errors.close()

        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 128 + signal)
        #expect(try scratch.read("stderr.txt") == "tokentally: interrupted, nothing written\n")
        #expect(try scratch.read("out.csv") == "previous summary\n")
        #expect(try scratch.names() == ["out.csv", "stderr.txt"])
    }

    @Test("a signal while a large file is read stops the run between batches", arguments: [SIGINT, SIGTERM])
    func stopsReadingRun(signal: Int32) throws {
        let scratch = try TemporaryDirectory()
        let line = usageLine(input: 10, output: 2) + "\n"
        try scratch.write("big.jsonl", String(repeating: line, count: 400_000))
        try scratch.write("out.csv", "previous summary\n")
        let process = Process()
        process.executableURL = try tokentallyExecutable()
        process.arguments = ["summarize", "big.jsonl", "-o", "out.csv", "--threads", "1"]
        process.currentDirectoryURL = scratch.url
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while try scratch.names().filter({ $0.hasPrefix(".out.csv.tmp-") }).isEmpty && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.01)
        }
        kill(process.processIdentifier, signal)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // On a fast machine the run may have finished first; then it wrote a whole summary.
        if process.terminationStatus == 0 {
            #expect(try scratch.read("out.csv").hasPrefix("day,model,"))
        } else {
            #expect(process.terminationStatus == 128 + signal)
            #expect(stderr == "tokentally: interrupted, nothing written\n")
            #expect(try scratch.read("out.csv") == "previous summary\n")
        }
        #expect(try scratch.names() == ["big.jsonl", "out.csv"])
    }
}
