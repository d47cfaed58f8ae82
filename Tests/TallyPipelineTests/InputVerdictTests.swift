import TestSupport
import Foundation
import Testing
import TallyPipeline

/// Failed, flagged and ok inputs: what counts, what is reported, and the reconciliation.
@Suite struct InputVerdictTests {
    /// Five records; inputs 100, 200, 300, 400, 500 and outputs 10 … 50.
    static let lines: [String] = (1...5).map { index in
        usageLine(model: "openai/gpt-4o", input: "\(index * 100)", output: "\(index * 10)", cost: "0.001")
    }
    static let text = lines.joined(separator: "\n") + "\n"
    /// A good plain companion input: one record.
    static let companion = usageLine(model: "anthropic/claude-sonnet-4", input: "7", output: "3", cost: "0.5") + "\n"
    static let companionRow = "2026-11-28,anthropic/claude-sonnet-4,1,7,0,0,3,0,10,0.5\n"

    /// Batch sizes: the small one cuts batches before the damage; the larger ones leave the
    /// complete lines in the framer when the damage is found (regression, issue 2:
    /// `LineFramer.finish(cleanEnd: false)` once dropped them).
    static let batchSizes: [Int?] = [200, 4096, nil]

    /// The gzip file cut 10 bytes into the fourth line: three complete lines, then a fragment.
    static func truncatedGzip() -> [UInt8] {
        let whole = storedGzip(Array(text.utf8))
        let completeBytes = lines[0..<3].map { $0.utf8.count + 1 }.reduce(0, +)
        // 10-byte header, 5-byte stored-block header, then the data.
        return Array(whole[0..<(10 + 5 + completeBytes + 10)])
    }

    @Test("an intact hand-made gzip file is ok and all its records count (control)")
    func intactGzip() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("intact.jsonl.gz", storedGzip(Array(Self.text.utf8)))
        let run = try runPipeline([path])
        #expect(run.csv == header("day,model") + "2026-11-28,openai/gpt-4o,5,1500,0,0,150,0,1650,0.005\n")
        #expect(run.report.files.first?.status == .ok)
        #expect(Terms(run.report.totals) == Terms(linesRead: 5, records: 5))
        #expect(run.report.exitCode == 0)
    }

    @Test("a truncated gzip input fails: no records count, its lines are failed_file_lines", arguments: batchSizes)
    func truncatedGzipFails(_ batchBytes: Int?) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let good = try scratch.write("a-good.jsonl", Self.companion)
        let cut = try scratch.write("b-cut.jsonl.gz", Self.truncatedGzip())
        for threads in [1, 3] {
            let run = try runPipeline([cut, good], threads: threads, batchBytes: batchBytes)
            // Only the good input's record is in the summary.
            #expect(run.csv == header("day,model") + Self.companionRow)
            let report = run.report
            try #require(report.files.count == 2)
            let failed = report.files[1]
            #expect(failed.path == cut)
            #expect(failed.status == .failed)
            #expect(failed.salvaged == false)
            #expect(Terms(report.files[0].tally) == Terms(linesRead: 1, records: 1))
            #expect(report.totals.isBalanced)
            #expect(report.exitCode == 2)
            #expect(report.problemLines.contains { $0.hasPrefix("tokentally: \(cut): failed") })
            // Three complete lines and the cut fourth were read; none counts.
            do {
                #expect(Terms(failed.tally) == Terms(linesRead: 4, records: 0, failedFileLines: 4))
                let salvageable = try #require(failed.salvageable)
                #expect(Terms(salvageable) == Terms(linesRead: 3, records: 3))
                #expect(Terms(report.totals) == Terms(linesRead: 5, records: 1, failedFileLines: 4))
            }
        }
    }

    @Test("--salvage counts the complete lines before the damage, and only those", arguments: batchSizes)
    func salvageCountsCompleteLines(_ batchBytes: Int?) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let good = try scratch.write("a-good.jsonl", Self.companion)
        let cut = try scratch.write("b-cut.jsonl.gz", Self.truncatedGzip())
        let run = try runPipeline([cut, good], batchBytes: batchBytes, salvage: true)
        let failed = run.report.files[1]
        #expect(failed.status == .failed)
        #expect(failed.salvaged)
        #expect(run.report.exitCode == 2)
        let json = try reportObject(run)
        let files = try #require(json["files"] as? [[String: Any]])
        let failure = try #require(files[1]["failure"] as? [String: Any])
        #expect(failure["salvaged"] as? Bool == true)
        #expect(failure["kind"] as? String == "truncated")
        do {
            // Records 1–3 of the cut file (100+200+300 in, 10+20+30 out, 3 × 0.001) and the companion.
            #expect(run.csv == header("day,model")
                + Self.companionRow
                + "2026-11-28,openai/gpt-4o,3,600,0,0,60,0,660,0.003\n")
            // The cut fourth line is still a line of a failed file.
            #expect(Terms(failed.tally) == Terms(linesRead: 4, records: 3, failedFileLines: 1))
            #expect(Terms(run.report.totals) == Terms(linesRead: 5, records: 4, failedFileLines: 1))
        }
    }

    @Test("a gzip input with zero padding after the member is flagged: counted, exit 2")
    func trailingZerosFlagged() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("padded.jsonl.gz", storedGzip(Array(Self.text.utf8)) + [UInt8](repeating: 0, count: 512))
        let run = try runPipeline([path])
        #expect(run.csv == header("day,model") + "2026-11-28,openai/gpt-4o,5,1500,0,0,150,0,1650,0.005\n")
        #expect(run.report.files.first?.status == .flagged)
        #expect(Terms(run.report.totals) == Terms(linesRead: 5, records: 5))
        #expect(run.report.exitCode == 2)
    }

    @Test("a gzip member whose CRC does not match fails, even though every line parses", arguments: batchSizes)
    func crcMismatchFails(_ batchBytes: Int?) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        var bytes = storedGzip(Array(Self.text.utf8))
        // Change the first input count's digit "1" (of 100) to "9": still valid JSON.
        let data = Array(Self.text.utf8)
        let digit = try #require(Self.firstRange(of: Array("\"input_tokens\":1".utf8), in: data)).upperBound - 1
        bytes[15 + digit] = UInt8(ascii: "9")
        let path = try scratch.write("flipped.jsonl.gz", bytes)
        let run = try runPipeline([path], batchBytes: batchBytes)
        #expect(run.csv == header("day,model"))
        #expect(run.report.files.first?.status == .failed)
        #expect(run.report.exitCode == 2)
        // Five complete lines were read (the damage is found at the member's end); none counts.
        do {
            #expect(Terms(run.report.totals) == Terms(linesRead: 5, records: 0, failedFileLines: 5))
        }
    }

    @Test("the JSON report has every reconciliation term, per file and in total")
    func reportJSONTerms() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let good = try scratch.write("a-good.jsonl", Self.companion + "\n" + "{\"usage\":{\"input_tokens\":\"1\",\"output_tokens\":1}}\n")
        let cut = try scratch.write("b-cut.jsonl.gz", Self.truncatedGzip())
        // Small batches: this test is about the JSON, not the framing bug described above.
        let run = try runPipeline([cut, good], batchBytes: 200)
        let json = try reportObject(run)
        let totals = try #require(json["totals"] as? [String: Any])
        let files = try #require(json["files"] as? [[String: Any]])
        // a-good: 3 lines = 1 record + 1 blank + 1 bad; b-cut: 4 failed lines.
        let expected: [(String, [String: Int])] = [
            ("totals", ["lines_read": 7, "records": 1, "no_usage": 0, "bad_lines": 1, "blank_lines": 1,
                        "filtered_out": 0, "duplicates_dropped": 0, "failed_file_lines": 4]),
            ("a-good", ["lines_read": 3, "records": 1, "no_usage": 0, "bad_lines": 1, "blank_lines": 1,
                        "filtered_out": 0, "duplicates_dropped": 0, "failed_file_lines": 0]),
            ("b-cut", ["lines_read": 4, "records": 0, "no_usage": 0, "bad_lines": 0, "blank_lines": 0,
                       "filtered_out": 0, "duplicates_dropped": 0, "failed_file_lines": 4]),
        ]
        let objects: [[String: Any]] = [totals] + files
        for ((name, terms), object) in zip(expected, objects) {
            for (key, value) in terms {
                #expect(object[key] as? Int == value, "\(name).\(key)")
            }
            let byReason = try #require(object["bad_lines_by_reason"] as? [String: Int], "\(name)")
            #expect(byReason.values.reduce(0, +) == terms["bad_lines"])
            #expect(object["warnings"] is [String: Int], "\(name)")
        }
        #expect((totals["bad_lines_by_reason"] as? [String: Int])?["bad_usage"] == 1)
        #expect(totals["reconciled"] as? Bool == true)
        #expect(totals["files"] as? Int == 2)
        #expect(totals["files_failed"] as? Int == 1)
        #expect(files.map { $0["status"] as? String } == ["ok", "failed"])
        #expect(files.map { $0["path"] as? String } == [good, cut])
        #expect(json["exit_code"] as? Int == 2)
        #expect(json["bad_line_samples"] as? [String] == (files[0]["bad_line_samples"] as? [String]))
        let sample = try #require((json["bad_line_samples"] as? [String])?.first)
        #expect(sample.hasPrefix("\(good):3: bad_usage: "))
    }

    static func firstRange(of needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle {
            return start..<(start + needle.count)
        }
        return nil
    }
}
