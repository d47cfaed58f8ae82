import TestSupport
import Foundation
import LogInput
import Testing
import TallyPipeline

/// `samples/` against the golden files that `samples/oracle.py` (an independent Python
/// implementation of PRODUCT.md) computed: byte for byte, for any thread count, batch size or
/// order of the inputs.
@Suite struct SamplesGoldenTests {
    /// Golden file and the `--by` it was computed with (as in `samples/oracle.py`).
    static let goldens: [(file: String, by: String)] = [
        ("summary-day-model.csv", "day,model"),
        ("summary-day-key.csv", "day,key"),
        ("summary-month-model-status.csv", "month,model,status"),
        ("summary-week-key.csv", "week,key"),
        ("summary-hour.csv", "hour"),
    ]

    /// The sample logs, in byte order of their paths below `samples/`.
    static let sampleFiles = [
        "gateway/gateway-2026-11-29.jsonl.gz",
        "openrouter-sdk-camelcase-2026-11-27.jsonl",
        "openrouter-usage-2026-11-26.jsonl",
        "responses-bodies-2026-11-27.jsonl",
        "responses-stream-2026-11-28.jsonl.gz",
    ]

    static func golden(_ name: String) throws -> String {
        try String(contentsOf: expectedDirectory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("samples/ summarised matches the golden file", arguments: goldens.map(\.file))
    func matchesGolden(_ file: String) throws {
        let by = try #require(Self.goldens.first { $0.file == file }).by
        let run = try runPipeline([samplesDirectory.path], by: by)
        let expected = try Self.golden(file)
        #expect(run.csv == expected)
        // The golden is not trivially empty: a wrong golden path must not pass.
        #expect(expected.split(separator: "\n").count > 10)
    }

    @Test("--threads 1, 2 and 4 and any batch size give the golden bytes", arguments: [1, 2, 4])
    func threadCountDoesNotChangeOutput(_ threads: Int) throws {
        let expected = try Self.golden("summary-day-model.csv")
        // Small batches: every file is split over many batches, decoded by different threads.
        for batchBytes in [300, 4096, 1 << 20] {
            let run = try runPipeline([samplesDirectory.path], threads: threads, batchBytes: batchBytes)
            #expect(run.csv == expected, "threads \(threads), batch \(batchBytes) bytes")
        }
    }

    @Test("each inflate backend gives the golden bytes and the same report", arguments: InflateBackend.allCases)
    func inflateBackendDoesNotChangeOutput(_ backend: InflateBackend) throws {
        if !backend.isAvailable {
            try Test.cancel(Comment(rawValue: "ISA-L is not available here (\(InflateBackend.isalUnavailableReason ?? "?"))"))
        }
        let run = try runPipeline([samplesDirectory.path], inflate: backend)
        #expect(run.csv == (try Self.golden("summary-day-model.csv")))
        #expect(run.reportJSON == (try runPipeline([samplesDirectory.path], inflate: .zlib).reportJSON))
    }

    @Test("naming the files in another order gives the same bytes")
    func inputOrderDoesNotChangeOutput() throws {
        let forward = Self.sampleFiles.map { samplesDirectory.appendingPathComponent($0).path }
        let shuffled = [forward[3], forward[0], forward[4], forward[2], forward[1]]
        let expected = try Self.golden("summary-day-model.csv")
        #expect(try runPipeline(forward).csv == expected)
        #expect(try runPipeline(forward.reversed(), threads: 4, batchBytes: 512).csv == expected)
        #expect(try runPipeline(shuffled, threads: 3).csv == expected)

        let byFile = try runPipeline(forward, by: "file,model", threads: 1)
        #expect(try runPipeline(shuffled, by: "file,model", threads: 4, batchBytes: 300).csv == byFile.csv)
        #expect(try runPipeline(shuffled, by: "file,model", threads: 4, batchBytes: 300).reportJSON == byFile.reportJSON)
        // One row per (file, model) pair present in the samples.
        #expect(byFile.csv.split(separator: "\n").count == 1 + 22)
    }

    @Test("the run report over samples/ reconciles per file and in total, with the oracle's figures")
    func samplesReconcile() throws {
        let run = try runPipeline([samplesDirectory.path])
        let report = run.report
        // From `python3 samples/oracle.py --tally` (and samples/README.md).
        let expected: [(String, Terms)] = [
            ("gateway/gateway-2026-11-29.jsonl.gz", Terms(linesRead: 31, records: 28, noUsage: 1, bad: 1, blank: 1)),
            ("openrouter-sdk-camelcase-2026-11-27.jsonl", Terms(linesRead: 17, records: 15, noUsage: 1, blank: 1)),
            ("openrouter-usage-2026-11-26.jsonl", Terms(linesRead: 35, records: 30, noUsage: 2, bad: 1, blank: 2)),
            ("responses-bodies-2026-11-27.jsonl", Terms(linesRead: 19, records: 17, noUsage: 1, bad: 1)),
            ("responses-stream-2026-11-28.jsonl.gz", Terms(linesRead: 42, records: 6, noUsage: 35, blank: 1)),
        ]
        try #require(report.files.count == expected.count)
        for (file, (name, terms)) in zip(report.files, expected) {
            #expect(file.path == samplesDirectory.appendingPathComponent(name).path)
            #expect(Terms(file.tally) == terms, "\(name)")
            #expect(terms.balances)
            #expect(file.tally.isBalanced)
            #expect(file.status == .ok)
        }
        #expect(Terms(report.totals) == Terms(linesRead: 144, records: 96, noUsage: 40, bad: 3, blank: 5))
        #expect(report.totals.badLinesByReason == [0, 0, 1, 0, 0, 2])  // line_too_long … bad_usage
        // One fractional count (1321.53) and one record without any time: warnings, by hand.
        #expect(report.totals.warnings == [0, 0, 1, 0, 0, 1, 0])
        #expect(report.rows == 29)
        // Three bad lines with the default --max-bad-lines 0.
        #expect(report.exitCode == 2)

        let prefix = samplesDirectory.path + "/"
        let samples = report.badLineSamples.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
        try #require(samples.count == 3)
        #expect(samples[0].hasPrefix("gateway/gateway-2026-11-29.jsonl.gz:22: bad_usage: "))
        #expect(samples[0].contains("output_tokens"))
        #expect(samples[1].hasPrefix("openrouter-usage-2026-11-26.jsonl:25: invalid_json: "))
        #expect(samples[2].hasPrefix("responses-bodies-2026-11-27.jsonl:12: bad_usage: "))
        #expect(samples[2].contains("input_tokens"))
    }
}
