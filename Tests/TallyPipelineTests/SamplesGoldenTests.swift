import TestSupport
import Foundation
import LogInput
import Testing
import TallyPipeline

/// `samples/` against the golden files that `samples/oracle.py` (an independent Python
/// implementation of PRODUCT.md) computed: byte for byte, for any thread count, batch size or
/// order of the inputs.
@Suite struct SamplesGoldenTests {
    /// Golden file and the arguments of `tokentally summarize samples/ …` it was computed with
    /// (as in `samples/oracle.py`'s `GOLDENS`). Every golden is checked through the binary in
    /// `TallyCommandTests`; those below `pipelineGoldens` also through the pipeline API here.
    static let goldens = sampleGoldens

    /// The Swift list of goldens is the oracle's (`samples/oracle.py --list`): a golden added
    /// to one and not the other would go unchecked, or unmade.
    @Test func theGoldenListIsTheOracles() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", samplesDirectory.appendingPathComponent("oracle.py").path, "--list"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let listed = try #require(try JSONSerialization.jsonObject(with: data) as? [[Any]])
        let oracle = listed.map { "\($0[0]) \(($0[1] as? [String]) ?? [])" }
        #expect(oracle == Self.goldens.map { "\($0.file) \($0.arguments)" })
    }

    /// The goldens whose arguments the pipeline API of ``runPipeline`` expresses: `--by` with
    /// the columns ``column(_:customFields:)`` knows, and `--field`. (`user`, `provider`,
    /// `--tz`, `--since` and `--until` are checked through the binary.)
    static let pipelineGoldens: [(file: String, by: String, fields: [String: String])] = goldens.compactMap { golden in
        var by: String?
        var fields: [String: String] = [:]
        var rest = golden.arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { return nil }
            switch flag {
            case "--by": by = value
            case "--field":
                let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { return nil }
                fields[parts[0]] = parts[1]
            default: return nil
            }
        }
        guard let by else { return nil }
        let known = Set(fields.keys)
        guard by.split(separator: ",").allSatisfy({ (try? column(String($0), customFields: known)) != nil }) else {
            return nil
        }
        return (golden.file, by, fields)
    }

    /// The sample logs, in byte order of their paths below `samples/`.
    static let sampleFiles = [
        "anthropic-messages-2026-11-27.jsonl",
        "chat-completions-2026-11-26.jsonl",
        "claude-code/0e9ceb15-4426-443f-a010-6036246033f8.jsonl",
        "claude-code/5816ee9e-13cd-4a51-a994-43fbaf3d6114.jsonl",
        "gateway/gateway-2026-11-29.jsonl.gz",
        "gemini-2026-11-28.jsonl",
        "litellm-2026-11-29.jsonl",
        "mixed-2026-11-30.jsonl.gz",
        "openrouter-sdk-camelcase-2026-11-27.jsonl",
        "openrouter-usage-2026-11-26.jsonl",
        "responses-bodies-2026-11-27.jsonl",
        "responses-stream-2026-11-28.jsonl.gz",
    ]

    static func golden(_ name: String) throws -> String {
        try String(contentsOf: expectedDirectory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("samples/ summarised matches the golden file", arguments: pipelineGoldens.map(\.file))
    func matchesGolden(_ file: String) throws {
        let golden = try #require(Self.pipelineGoldens.first { $0.file == file })
        let run = try runPipeline([samplesDirectory.path], by: golden.by, fields: golden.fields)
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
        // The second Claude Code session (which holds the winning copy of a message whose
        // first copies are in the first session) comes before the first one here.
        let shuffled = [7, 3, 0, 10, 4, 11, 2, 5, 9, 1, 6, 8].map { forward[$0] }
        let expected = try Self.golden("summary-day-model.csv")
        #expect(try runPipeline(forward).csv == expected)
        #expect(try runPipeline(forward.reversed(), threads: 4, batchBytes: 512).csv == expected)
        #expect(try runPipeline(shuffled, threads: 3).csv == expected)

        let byFile = try runPipeline(forward, by: "file,model", threads: 1)
        #expect(try runPipeline(shuffled, by: "file,model", threads: 4, batchBytes: 300).csv == byFile.csv)
        #expect(try runPipeline(shuffled, by: "file,model", threads: 4, batchBytes: 300).reportJSON == byFile.reportJSON)
        // One row per (file, model) pair present in the samples.
        #expect(byFile.csv.split(separator: "\n").count == 1 + 54)
    }

    @Test("the run report over samples/ reconciles per file and in total, with the oracle's figures")
    func samplesReconcile() throws {
        let run = try runPipeline([samplesDirectory.path])
        let report = run.report
        // From `python3 samples/oracle.py --tally` (and samples/README.md).
        let expected: [(String, Terms)] = [
            ("anthropic-messages-2026-11-27.jsonl", Terms(linesRead: 16, records: 8, noUsage: 8)),
            ("chat-completions-2026-11-26.jsonl", Terms(linesRead: 15, records: 10, noUsage: 4, blank: 1)),
            // Claude Code: one record per message (the copy with the most output), in the
            // file of that copy; the other copies are duplicates, across both sessions.
            ("claude-code/0e9ceb15-4426-443f-a010-6036246033f8.jsonl", Terms(linesRead: 19, records: 4, noUsage: 7, duplicates: 8)),
            ("claude-code/5816ee9e-13cd-4a51-a994-43fbaf3d6114.jsonl", Terms(linesRead: 15, records: 4, noUsage: 6, duplicates: 5)),
            ("gateway/gateway-2026-11-29.jsonl.gz", Terms(linesRead: 31, records: 28, noUsage: 1, bad: 1, blank: 1)),
            ("gemini-2026-11-28.jsonl", Terms(linesRead: 8, records: 8)),
            ("litellm-2026-11-29.jsonl", Terms(linesRead: 9, records: 9)),
            ("mixed-2026-11-30.jsonl.gz", Terms(linesRead: 15, records: 13, noUsage: 2)),
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
        #expect(Terms(report.totals) == Terms(linesRead: 241, records: 152, noUsage: 67, bad: 3, blank: 6, duplicates: 13))
        #expect(report.totals.badLinesByReason == [0, 0, 1, 0, 0, 2])  // line_too_long … bad_usage
        // One fractional count (1321.53) and one record without any time: warnings, by hand.
        #expect(report.totals.warnings == [0, 0, 1, 0, 0, 1, 0, 0, 0])
        #expect(report.rows == 56)
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
