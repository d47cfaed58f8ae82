import TestSupport
import Foundation
import Testing

/// `--progress`: the progress line on standard error, under a pseudo-terminal (util-linux
/// `script`) and without one (issue 5, item 5).
@Suite struct ProgressCLITests {
    static let log = String(repeating: usageLine(input: 10, output: 2) + "\n", count: 2000)

    /// Runs `tokentally ARGS…` in `directory` under a pseudo-terminal: what the terminal showed
    /// (standard output and standard error together, `\n` as `\r\n`) and the exit status.
    func underTerminal(_ arguments: [String], in directory: URL) throws -> (status: Int32, screen: String) {
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux script is needed (bsdutils)")
        let command = ([try tokentallyExecutable().path] + arguments).map { "'" + $0 + "'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = ["-qfec", command, "/dev/null"]
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("on a terminal the line shows files, bytes, speed, records, elapsed, ETA, and is erased before the summary")
    func onTerminal() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("log.jsonl", Self.log)
        let (status, screen) = try underTerminal(["summarize", "log.jsonl", "-o", "out.csv"], in: scratch.url)
        #expect(status == 0)
        #expect(screen.contains("\rfiles 0/1 · "))
        #expect(screen.contains("\rfiles 1/1 · "))
        #expect(screen.contains(" · 2,000 records · "))
        #expect(screen.contains(" elapsed · ETA "))
        #expect(screen.contains("\r\u{1B}[Ktokentally: 1 file, 2000 lines: 2000 records"))
        #expect(try scratch.read("out.csv").hasPrefix("day,model,"))
    }

    @Test("on a terminal, --quiet and --progress never show no line", arguments: [["--quiet"], ["--progress", "never"]])
    func offOnTerminal(options: [String]) throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("log.jsonl", Self.log)
        let (status, screen) = try underTerminal(["summarize", "log.jsonl", "-o", "out.csv"] + options, in: scratch.url)
        #expect(status == 0)
        #expect(!screen.contains("files "))
        #expect(!screen.contains("\u{1B}[K"))
        #expect(screen.contains("tokentally: 1 file") == !options.contains("--quiet"))
    }

    @Test("not on a terminal there is no line (cron output stays empty), with auto as with the default")
    func offWithoutTerminal() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("log.jsonl", Self.log)
        for options in [[], ["--progress", "auto"]] {
            let result = try tokentally(["summarize", "log.jsonl", "-o", "out.csv"] + options, in: scratch.url)
            #expect(result.status == 0)
            #expect(result.stderr == "")
        }
    }

    @Test("--progress always draws the line even to a file, and erases it at the end")
    func alwaysToFile() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("log.jsonl", Self.log)
        let result = try tokentally(["summarize", "log.jsonl", "--progress", "always"], in: scratch.url)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("day,model,"))
        #expect(result.stderr.hasPrefix("\rfiles 0/1 · "))
        #expect(result.stderr.contains("\rfiles 1/1 · "))
        #expect(result.stderr.hasSuffix("\u{1B}[K\r\u{1B}[K"))
        #expect(!result.stderr.contains("\n"))
    }

    @Test("standard input has no known size: no total and no ETA")
    func standardInput() throws {
        let scratch = try TemporaryDirectory()
        let path = try scratch.write("log.jsonl", Self.log)
        let result = try tokentally(["summarize", "-", "--progress", "always"], in: scratch.url, stdinPath: path)
        #expect(result.status == 0)
        #expect(result.stderr.contains("\rfiles 1/1 · "))
        #expect(!result.stderr.contains("ETA"))
    }

    @Test("an unknown --progress value is a usage error")
    func unknownValue() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("log.jsonl", Self.log)
        let result = try tokentally(["summarize", "log.jsonl", "--progress", "sometimes"], in: scratch.url)
        #expect(result.status == 64)
    }
}
