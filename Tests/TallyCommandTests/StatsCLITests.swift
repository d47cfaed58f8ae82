import Foundation
import TestSupport
import Testing

/// `--stats` on the command line (issue 6, part 5).
@Suite struct StatsCLITests {
    /// `--field latency=` reads a number of milliseconds from anywhere in the line; it is an
    /// error without `--stats`, and no custom column may take a measure's name.
    @Test func latencyFieldNeedsStats() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let lines = [
            #"{"timestamp":"2026-11-28T10:00:00Z","model":"m","timing":{"total":120.5},"usage":{"input_tokens":10,"output_tokens":5}}"#,
            #"{"timestamp":"2026-11-28T10:00:01Z","model":"m","timing":{"total":80},"usage":{"input_tokens":30,"output_tokens":5}}"#,
            #"{"timestamp":"2026-11-28T10:00:02Z","model":"m","timing":{"total":"slow"},"usage":{"input_tokens":1,"output_tokens":1}}"#,
        ]
        try scratch.write("log.jsonl", lines.joined(separator: "\n") + "\n")
        let run = try tokentally(
            ["summarize", "log.jsonl", "--by", "model", "--stats", "--field", "latency=/timing/total", "--report", "r.json"],
            in: scratch.url)
        #expect(run.status == 0)
        // Totals 2, 15, 35: p50 rank 2 = 15, p95/p99 rank 3 = 35. Latencies 121 (120.5 rounded
        // half up) and 80; "slow" is left out with a warning.
        #expect(run.stdout.hasSuffix("\nm,3,41,0,0,11,0,52,,15,35,35,35,80,121,121,121\n"))
        let report = try String(contentsOfFile: scratch.path("r.json"), encoding: .utf8)
        #expect(report.contains(#""invalid_latency": 1"#) || report.contains(#""invalid_latency":1"#))

        let refused = try tokentally(["summarize", "log.jsonl", "--field", "latency=/timing/total"], in: scratch.url)
        #expect(refused.status == 64)
        #expect(refused.stderrLines.first == "Error: --field latency= is read only with --stats (the latency columns)")

        let inspect = try tokentally(["inspect", "log.jsonl", "--field", "latency=/timing/total"], in: scratch.url)
        #expect(inspect.status == 64)
        #expect(inspect.stderrLines.first == "Error: --field latency= is not shown by inspect: it is read only by summarize --stats")

        let clash = try tokentally(["summarize", "log.jsonl", "--field", "p95_latency_ms=/x"], in: scratch.url)
        #expect(clash.status == 64)
        #expect(clash.stderrLines.first?.contains("built-in column") == true)
    }

    /// `tokentally schema --stats` lists the eight columns; merge takes `--stats` like summarize
    /// and refuses states made without it.
    @Test func schemaAndMerge() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let schema = try tokentally(["schema", "--stats"], in: scratch.url)
        #expect(schema.status == 0)
        #expect(schema.stdout.contains(#""name" : "p99_latency_ms""#) || schema.stdout.contains(#""name": "p99_latency_ms""#))

        try scratch.write("a/log.jsonl", usageLine(input: 1000, output: 100) + "\n")
        try scratch.write("b/log.jsonl", usageLine(input: 10, output: 0) + "\n")
        for host in ["a", "b"] {
            let run = try tokentally(["summarize", "\(host)/log.jsonl", "--stats", "--state", "\(host)-state", "-o", "\(host).csv"], in: scratch.url)
            #expect(run.status == 0)
        }
        let merged = try tokentally(["merge", "a-state", "b-state", "--stats"], in: scratch.url)
        #expect(merged.status == 0)
        // Totals 10 and 1100 in one group: p50 rank 1, p95 rank 2; no latency.
        #expect(merged.stdout.hasSuffix(",10,1100,1100,1100,,,,\n"))
        let refused = try tokentally(["merge", "a-state", "b-state"], in: scratch.url)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("made with other options"))
    }
}
