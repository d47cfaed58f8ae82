import Foundation
import TestSupport
import Testing

@testable import TallyPipeline

/// `--stats` through the whole pipeline (issue 6, part 5): percentiles within HdrHistogram's
/// precision of the exact ones computed here from the generated values, and the same whatever
/// the threads, the batches, or a `--state` in between.
@Suite struct StatsPipelineTests {
    /// One generated log: `busy` gets 5 000 requests (a histogram), `quiet` 100 (exact), `slow`
    /// 40 requests of which only some carry a latency. Values spread over five decades.
    struct Log {
        var text = ""
        var tokens: [String: [UInt64]] = [:]
        var latencies: [String: [UInt64]] = [:]

        init(seed: UInt64) {
            var rng = SplitMix64(seed: seed)
            var lines: [String] = []
            for (model, count) in [("busy", 5_000), ("quiet", 100), ("slow", 40)] {
                for index in 0..<count {
                    let input = UInt64(pow(10, Double.random(in: 0..<5, using: &rng)))
                    let output = UInt64.random(in: 0...2_000, using: &rng)
                    tokens[model, default: []].append(input + output)
                    var latency = ""
                    if model != "slow" || index % 3 == 0 {
                        let ms = UInt64(pow(10, Double.random(in: 1..<5, using: &rng)))
                        latencies[model, default: []].append(ms)
                        latency = #","latency_ms":\#(ms)"#
                    }
                    lines.append(
                        #"{"timestamp":"2026-11-28T10:00:00Z","model":"\#(model)"\#(latency),"usage":{"input_tokens":\#(input),"output_tokens":\#(output)}}"#
                    )
                }
            }
            lines.shuffle(using: &rng)
            text = lines.joined(separator: "\n") + "\n"
        }
    }

    /// Nearest rank, computed here: the value at rank ⌈p·n/100⌉ of the sorted values.
    static func exact(_ values: [UInt64], _ percentile: Int) -> UInt64 {
        let sorted = values.sorted()
        return sorted[max(1, (percentile * sorted.count + 99) / 100) - 1]
    }

    /// The stats cells of each row of a `--by model --stats` CSV, by model.
    static func cells(_ csv: String) -> [String: [String: String]] {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        var rows: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            rows[line[0]] = Dictionary(uniqueKeysWithValues: zip(header, line))
        }
        return rows
    }

    @Test func percentilesAreWithinHDRPrecisionAndThreadInvariant() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = Log(seed: 11)
        let path = try scratch.write("log.jsonl", log.text)
        let one = try runPipeline([path], by: "model", threads: 1, stats: true)
        let four = try runPipeline([path], by: "model", threads: 4, batchBytes: 4_096, stats: true)
        #expect(one.csv == four.csv)

        let rows = Self.cells(one.csv)
        #expect(rows.keys.sorted() == ["busy", "quiet", "slow"])
        for (model, row) in rows {
            for (measure, values) in [("total_tokens", log.tokens[model]!), ("latency_ms", log.latencies[model]!)] {
                let maximum = values.max()!
                #expect(row["max_\(measure)"] == String(maximum), "\(model) max_\(measure)")
                for p in [50, 95, 99] {
                    let exact = Self.exact(values, p)
                    let reported = try #require(UInt64(row["p\(p)_\(measure)"] ?? ""), "\(model) p\(p)_\(measure)")
                    if values.count <= 256 {
                        #expect(reported == exact, "\(model) p\(p)_\(measure): exact below 257 values")
                    } else {
                        // HdrHistogram, two significant digits: never below, at most 1% above.
                        #expect(reported >= exact && reported - exact <= exact / 100, "\(model) p\(p)_\(measure): \(reported) vs \(exact)")
                    }
                    #expect(reported <= maximum)
                }
            }
        }
        // `slow`: 40 requests, 14 with a latency (index 0, 3, …, 39).
        #expect(log.latencies["slow"]!.count == 14)
        #expect(rows["slow"]!["requests"] == "40")
    }

    /// Partials stored by `--state` keep their distributions: a second night that reads only
    /// the new log gives what a run from scratch over both gives.
    @Test func statePartialsKeepTheDistributions() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        _ = try scratch.write("logs/a.jsonl", Log(seed: 1).text)
        let logs = scratch.path("logs"), state = scratch.path("state")
        let first = try runPipeline([logs], by: "model", state: state, stats: true)
        #expect(first.report.files.map(\.origin) == [.read])
        _ = try scratch.write("logs/b.jsonl", Log(seed: 2).text)
        let second = try runPipeline([logs], by: "model", state: state, stats: true)
        #expect(second.report.files.map(\.origin) == [.unchanged, .read])
        let scratchRun = try runPipeline([logs], by: "model", stats: true)
        #expect(second.csv == scratchRun.csv)
        #expect(second.csv.hasPrefix("model,requests,"))
        #expect(second.csv.contains(",p50_total_tokens,"))

        // A state made without --stats cannot give percentiles: the inputs are read again.
        let plain = try runPipeline([logs], by: "model", state: state)
        #expect(plain.report.files.map(\.origin) == [.read, .read])
        #expect(!plain.csv.contains("p50"))
        let statsAgain = try runPipeline([logs], by: "model", state: state, stats: true)
        #expect(statsAgain.report.files.map(\.origin) == [.read, .read])
        #expect(statsAgain.csv == scratchRun.csv)
    }

    /// A deduplicated request counts once in the distributions too, with its winning copy's
    /// values; the columns follow the price columns when both flags are on.
    @Test func deduplicatedRequestsCountOnce() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let lines = [
            // Two copies of req-1: the one with more output wins (total 1100, 900 ms).
            #"{"timestamp":"2026-11-28T10:00:00Z","id":"req-1","model":"m","latency_ms":300,"usage":{"input_tokens":1000,"output_tokens":10}}"#,
            #"{"timestamp":"2026-11-28T10:00:01Z","id":"req-1","model":"m","latency_ms":900,"usage":{"input_tokens":1000,"output_tokens":100}}"#,
            #"{"timestamp":"2026-11-28T10:00:02Z","id":"req-2","model":"m","latency_ms":50,"usage":{"input_tokens":5,"output_tokens":5}}"#,
        ]
        let log = try scratch.write("log.jsonl", lines.joined(separator: "\n") + "\n")
        let run = try runPipeline([log], by: "model", dedup: true, stats: true)
        // Totals 10 and 1100: p50 is rank 1 (10), p95 and p99 rank 2 (1100); latencies 50, 900.
        #expect(run.csv == """
            model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd,p50_total_tokens,p95_total_tokens,p99_total_tokens,max_total_tokens,p50_latency_ms,p95_latency_ms,p99_latency_ms,max_latency_ms
            m,2,1005,0,0,105,0,1110,,10,1100,1100,1100,50,900,900,900

            """)
    }

    /// A damaged partial (its distributions cut short) stops the run with one line naming the
    /// file; nothing is counted from it.
    @Test func aDamagedPartialIsRefused() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        _ = try scratch.write("logs/a.jsonl", Log(seed: 3).text)
        let logs = scratch.path("logs"), state = scratch.path("state")
        _ = try runPipeline([logs], by: "model", state: state, stats: true)
        let partials = try FileManager.default.contentsOfDirectory(atPath: state + "/partials")
        let partial = state + "/partials/" + (try #require(partials.first))
        let text = try String(contentsOfFile: partial, encoding: .utf8)
        let cut = try #require(text.range(of: "\"buckets\":["))
        try String(text[..<cut.upperBound] + "1,2,3]}}]}").write(toFile: partial, atomically: false, encoding: .utf8)
        do {
            _ = try runPipeline([logs], by: "model", state: state, stats: true)
            Issue.record("a damaged partial was accepted")
        } catch {
            #expect("\(error)".contains("partials/\(partials[0]) is damaged"))
        }
    }
}
