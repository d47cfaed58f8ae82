import ArgumentParser
import LogGeneration

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes deterministic, realistic LLM request logs (JSON Lines) for benchmarks.
@main
struct LogGen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokentally-loggen",
        abstract: "Write deterministic, realistic LLM request logs (JSON Lines) for benchmarks.",
        discussion: """
            Lines are written until at least --bytes have been written (the last line is whole),
            or --lines lines. The same --seed, --bytes, --start and --days always give the same
            bytes. The line mix is described in Benchmarks/README.md.

              tokentally-loggen --bytes 1G --seed 1 | gzip -6 > logs-1g.jsonl.gz
            """)

    @Option(help: "Size to write: a number of bytes with an optional K, M, G or T suffix (powers of 1024).")
    var bytes: String = "100M"

    @Option(help: "Write exactly this many lines instead (time is still spread over --bytes).")
    var lines: Int?

    @Option(help: "Seed of the random sequence.")
    var seed: UInt64 = 1

    @Option(help: "First timestamp, in Unix seconds (default 2026-11-01T00:00:00Z).")
    var start: Int64 = 1_793_491_200

    @Option(help: "Days the log spans.")
    var days: Int = 30

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    @Flag(help: "Print the line mix to standard error at the end.")
    var stats = false

    func validate() throws {
        guard parseSize(bytes) != nil else { throw ValidationError("--bytes: not a size: \(bytes)") }
        if let lines, lines < 0 { throw ValidationError("--lines must not be negative") }
        guard days > 0 else { throw ValidationError("--days must be positive") }
    }

    func run() throws {
        let limit = parseSize(bytes)!
        var options = LogGeneratorOptions()
        options.seed = seed
        options.start = start
        options.days = days
        options.plannedBytes = limit
        var generator = LogGenerator(options: options)

        let descriptor: Int32
        if let output, output != "-" {
            descriptor = open(output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else { throw failure("\(output): \(String(cString: strerror(errno)))") }
        } else {
            descriptor = 1
        }
        defer { if descriptor != 1 { close(descriptor) } }

        let flushAt = 1 << 20
        let buffer = ByteBuffer(capacity: flushAt + (64 << 10))
        var written: Int64 = 0
        func done() -> Bool {
            if let lines { return generator.statistics.lines >= lines }
            return written + Int64(buffer.count) >= limit
        }
        while !done() {
            generator.appendLine(to: buffer)
            if buffer.count >= flushAt {
                try writeAll(buffer, to: descriptor)
                written += Int64(buffer.count)
                buffer.removeAll()
            }
        }
        try writeAll(buffer, to: descriptor)

        if stats {
            let s = generator.statistics
            var report = "tokentally-loggen: \(s.lines) lines, \(s.bytes) bytes (seed \(seed))\n"
            for kind in LineKind.allCases {
                report += "  \(kind.name): \(s.byKind[kind.rawValue])\n"
            }
            report += "  bad: \(s.stringCounts) with a string count (bad_usage), \(s.truncated) cut in half (invalid_json)\n"
            report += "  wrapper timestamps in epoch milliseconds: \(s.epochTimestamps)\n"
            printToStandardError(report)
        }
    }

    private func writeAll(_ buffer: ByteBuffer, to descriptor: Int32) throws {
        var offset = 0
        while offset < buffer.count {
            let result = write(descriptor, buffer.base + offset, buffer.count - offset)
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("write: \(String(cString: strerror(errno)))")
            }
            offset += result
        }
    }

    private func failure(_ message: String) -> ExitCode {
        printToStandardError("tokentally-loggen: \(message)\n")
        return ExitCode(1)
    }
}

/// Bytes from `100`, `64K`, `128M`, `1G`, `1.5G`, `10T` (powers of 1024).
func parseSize(_ text: String) -> Int64? {
    guard let last = text.last else { return nil }
    let units: [Character: Double] = ["K": 1024, "M": 1024 * 1024, "G": 1024 * 1024 * 1024, "T": 1024 * 1024 * 1024 * 1024]
    if let unit = units[Character(last.uppercased())] {
        guard let number = Double(text.dropLast()), number >= 0 else { return nil }
        return Int64(number * unit)
    }
    return Int64(text).flatMap { $0 >= 0 ? $0 : nil }
}

/// Writes `text` to standard error (without Foundation).
func printToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}
