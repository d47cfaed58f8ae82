import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Fault injection (issue 7, part 3) for what the other suites leave out: an input truncated or
/// removed while it is read, an unreadable input among readable ones, and an output directory
/// that cannot be written. Each checks the exit code, the line on standard error, and what is
/// left on disk.
///
/// Permissions mean nothing to root, and CI runs as root: there, tokentally runs as `nobody`
/// through `setpriv(1)`.
@Suite struct FaultCLITests {
    /// `tokentally ARGS…` as an unprivileged user: as is when this process is not root, else
    /// through `setpriv --reuid=nobody`.
    static func unprivileged(_ arguments: [String], in directory: URL) throws -> ProcessResult {
        guard getuid() == 0 else { return try tokentally(arguments, in: directory) }
        let binary = try tokentallyExecutable().path
        return try tokentally(
            ["--reuid=65534", "--regid=65534", "--clear-groups", binary] + arguments, in: directory, shell: true,
            executable: "/usr/bin/setpriv")
    }

    /// A scratch directory every user can write (the unprivileged run writes its outputs there).
    static func sharedScratch() throws -> TemporaryDirectory {
        let scratch = try TemporaryDirectory()
        chmod(scratch.path, 0o777)
        return scratch
    }

    @Test(.enabled(if: getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func anUnreadableInputFailsAloneAndTheOthersCount() throws {
        let scratch = try Self.sharedScratch()
        defer { scratch.remove() }
        try scratch.directory("logs")
        try scratch.write("logs/a.jsonl", usageLine(input: 100, output: 10) + "\n")
        try scratch.write("logs/b.jsonl", usageLine(input: 200, output: 20) + "\n")
        try scratch.write("logs/c.jsonl.gz", storedGzip(Array((usageLine(input: 300, output: 30) + "\n").utf8)))
        chmod(scratch.path("logs/b.jsonl"), 0)
        chmod(scratch.path("logs"), 0o777)
        let run = try Self.unprivileged(["summarize", "logs", "-o", "usage.csv", "--report", "report.json"], in: scratch.url)
        #expect(run.status == 2)
        #expect(run.stderrLines.first == "tokentally: logs/b.jsonl: failed: cannot open: Permission denied")
        // a and c count; b is reported failed.
        #expect(try scratch.read("usage.csv") == header("day,model") + "2026-11-28,openai/gpt-4o,2,400,0,0,40,0,440,\n")
        let report = try scratch.read("report.json")
        #expect(report.contains(#""status": "failed""#) || report.contains(#""status":"failed""#))
    }

    @Test(.enabled(if: getuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func anUnwritableOutputDirectoryWritesNothing() throws {
        let scratch = try Self.sharedScratch()
        defer { scratch.remove() }
        try scratch.write("log.jsonl", usageLine(input: 100, output: 10) + "\n")
        try scratch.directory("out")
        try scratch.write("out/usage.csv", "the previous summary\n")
        chmod(scratch.path("out"), 0o555)
        defer { chmod(scratch.path("out"), 0o755) }
        let run = try Self.unprivileged(["summarize", "log.jsonl", "-o", "out/usage.csv"], in: scratch.url)
        #expect(run.status == 1)
        #expect(run.stderrLines == ["tokentally: out/usage.csv: cannot create a file in out: Permission denied"])
        #expect(try scratch.read("out/usage.csv") == "the previous summary\n")
        #expect(try scratch.names("out") == ["usage.csv"])
    }

    /// A gzip log of `members` members, each of `linesPerMember` lines: the bytes and the offset
    /// where each member ends.
    static func multiMemberLog(members: Int, linesPerMember: Int) -> (bytes: [UInt8], ends: [Int]) {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for member in 0..<members {
            var text = ""
            for line in 0..<linesPerMember {
                text += usageLine(input: 1000 + member, output: line % 100) + "\n"
            }
            bytes += storedGzip(Array(text.utf8))
            ends.append(bytes.count)
        }
        return (bytes, ends)
    }

    /// Starts `tokentally summarize` on `log`, stops it (SIGSTOP) as soon as it has read some
    /// of the log, runs `fault` with the log's read position, lets it go on, and returns
    /// how it ended.
    static func interrupt(
        log: String, in scratch: TemporaryDirectory, fault: (_ position: Int) throws -> Void
    ) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = try tokentallyExecutable()
        process.arguments = [
            "summarize", log, "--threads", "1", "--inflate", "zlib", "-o", "usage.csv", "--report", "report.json",
        ]
        process.currentDirectoryURL = scratch.url
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let target = scratch.path(log)
        // The descriptor of the log, and its offset, from /proc.
        func readPosition() -> Int? {
            guard let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return nil }
            for fd in fds {
                guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
                    link == target,
                    let info = try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8),
                    let line = info.split(separator: "\n").first(where: { $0.hasPrefix("pos:") })
                else { continue }
                return Int(line.dropFirst(4).trimmingCharacters(in: .whitespaces))
            }
            return nil
        }
        var position: Int?
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && process.isRunning {
            if let seen = readPosition(), seen > 0 {
                kill(pid, SIGSTOP)
                position = readPosition()
                break
            }
            usleep(1_000)
        }
        let stopped = try #require(position, "tokentally ended before its read position could be seen")
        try fault(stopped)
        kill(pid, SIGCONT)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, message)
    }

    /// Cut at a member boundary ahead of the reader, the log would end cleanly: only its size
    /// tells that it was truncated while read. The input fails (exit 2), named with both sizes.
    @Test func anInputTruncatedWhileReadFails() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = Self.multiMemberLog(members: 16, linesPerMember: 4_000)
        _ = try scratch.write("log.jsonl.gz", log.bytes)
        var cut = 0
        let ended = try Self.interrupt(log: "log.jsonl.gz", in: scratch) { position in
            #expect(position < log.bytes.count, "the whole log was read before it could be cut")
            cut = log.ends.first { $0 > position } ?? log.bytes.count - 1
            #expect(truncate(scratch.path("log.jsonl.gz"), off_t(cut)) == 0)
        }
        #expect(ended.status == 2)
        #expect(ended.stderr.hasPrefix(
            "tokentally: log.jsonl.gz: failed: the file was truncated while it was read (from \(log.bytes.count) to \(cut) bytes)"))
        // Its lines do not count: the summary has its header only.
        #expect(try scratch.read("usage.csv") == header("day,model"))
        #expect(try scratch.read("report.json").contains("truncated while it was read"))
    }

    /// Removed while read, the log is read to its end (an open file stays readable) and counts
    /// in full.
    @Test func anInputRemovedWhileReadCountsInFull() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = Self.multiMemberLog(members: 20, linesPerMember: 4_000)
        _ = try scratch.write("log.jsonl.gz", log.bytes)
        let ended = try Self.interrupt(log: "log.jsonl.gz", in: scratch) { position in
            #expect(position < log.bytes.count)
            #expect(unlink(scratch.path("log.jsonl.gz")) == 0)
        }
        #expect(ended.status == 0)
        #expect(ended.stderr == "")
        let summary = try scratch.read("usage.csv")
        #expect(summary.split(separator: "\n").last?.hasPrefix("2026-11-28,openai/gpt-4o,80000,") == true)
    }
}
