import TestSupport
import Foundation
import Testing

/// The built `tokentally` binary: exit codes, standard error, outputs. Standard error is a
/// file here, never a terminal, as under cron.
@Suite struct CLITests {
    static let cleanLog = [
        usageLine(model: "openai/gpt-4o", input: 1321, output: 6590, cost: "0.0123"),
        usageLine(model: "openai/gpt-4o", input: 100, output: 10, cost: "4.05e-06"),
        usageLine(time: "2026-11-29T00:30:00+01:00", model: "anthropic/claude-sonnet-4", input: 50, output: 5),
    ].joined(separator: "\n") + "\n"
    /// 2026-11-29T00:30:00+01:00 is still the 28th in UTC (23:30).
    static let cleanCSV = header("day,model")
        + "2026-11-28,anthropic/claude-sonnet-4,1,50,0,0,5,0,55,\n"
        + "2026-11-28,openai/gpt-4o,2,1421,0,0,6600,0,8021,0.01230405\n"

    /// Two good lines around one whose count is a string.
    static let oneBadLineLog = [
        usageLine(input: 10, output: 1),
        "{\"timestamp\":\"2026-11-28T10:00:00Z\",\"model\":\"openai/gpt-4o\",\"usage\":{\"input_tokens\":\"1321\",\"output_tokens\":5}}",
        usageLine(input: 20, output: 2),
    ].joined(separator: "\n") + "\n"
    static let oneBadLineCSV = header("day,model") + "2026-11-28,openai/gpt-4o,2,30,0,0,3,0,33,\n"

    // MARK: - exit 0

    @Test("a clean run exits 0, writes the CSV on stdout and nothing on stderr")
    func cleanRun() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.cleanLog)
        let result = try tokentally(["summarize", "clean.jsonl"], in: scratch.url)
        #expect(result.status == 0)
        #expect(result.stdout == Self.cleanCSV)
        #expect(result.stderr == "")
    }

    @Test("-o writes the file atomically: right content, no temporary file left, stdout empty")
    func atomicOutput() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.cleanLog)
        try scratch.write("out.csv", "previous contents\n")
        let result = try tokentally(["summarize", "clean.jsonl", "-o", "out.csv", "--report", "run.report"], in: scratch.url)
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "")
        #expect(try scratch.read("out.csv") == Self.cleanCSV)
        #expect(try scratch.names() == ["clean.jsonl", "out.csv", "out.csv-metadata.json", "run.report"])
    }

    @Test("- reads standard input")
    func standardInput() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("piped.jsonl", Self.cleanLog)
        let result = try tokentally(["summarize", "-", "--by", "file,model"], in: scratch.url, stdinPath: input)
        #expect(result.status == 0)
        #expect(result.stdout == header("file,model")
            + "-,anthropic/claude-sonnet-4,1,50,0,0,5,0,55,\n"
            + "-,openai/gpt-4o,2,1421,0,0,6600,0,8021,0.01230405\n")
        #expect(result.stderr == "")

        // Gzip on standard input is recognised by its magic bytes.
        let gz = try scratch.write("piped.gz.bin", storedGzip(Array(Self.cleanLog.utf8)))
        let zipped = try tokentally(["summarize", "-"], in: scratch.url, stdinPath: gz)
        #expect(zipped.status == 0)
        #expect(zipped.stdout == Self.cleanCSV)
    }

    @Test("samples/ through the binary: the golden CSV; exit 0 only once its 3 bad lines are allowed")
    func samplesThroughBinary() throws {
        let golden = try String(
            contentsOf: packageRoot.appendingPathComponent("samples/expected/summary-day-model.csv"), encoding: .utf8)
        let allowed = try tokentally(["summarize", "samples", "--max-bad-lines", "3"], in: packageRoot)
        #expect(allowed.status == 0)
        #expect(allowed.stdout == golden)
        #expect(allowed.stderr == "")

        let strict = try tokentally(["summarize", "samples", "--threads", "1"], in: packageRoot)
        #expect(strict.status == 2)
        #expect(strict.stdout == golden)
        // Three bad lines, then the summary (figures from samples/oracle.py --tally).
        let lines = strict.stderrLines
        try #require(lines.count == 4)
        #expect(lines[0].hasPrefix("tokentally: samples/gateway/gateway-2026-11-29.jsonl.gz:22: bad_usage: "))
        #expect(lines[1].hasPrefix("tokentally: samples/openrouter-usage-2026-11-26.jsonl:25: invalid_json: "))
        #expect(lines[2].hasPrefix("tokentally: samples/responses-bodies-2026-11-27.jsonl:12: bad_usage: "))
        #expect(lines[3].hasPrefix("tokentally: 12 files, 241 lines: 152 records, 67 without usage, 6 blank, 3 bad"))
    }

    /// Every golden file in `samples/expected/` and the arguments it was computed with, as in
    /// `samples/oracle.py`'s `GOLDENS` (and `SamplesGoldenTests.goldens`). Through the binary,
    /// since some options (`--tz`, `--since`, `--until`, the `user` and `provider` columns) are
    /// command-line strings only.
    static let sampleGoldens = TestSupport.sampleGoldens

    @Test("samples/ through the binary gives every golden file", arguments: sampleGoldens.map(\.file))
    func samplesGoldenThroughBinary(_ file: String) throws {
        let arguments = try #require(Self.sampleGoldens.first { $0.file == file }).arguments
        let golden = try String(
            contentsOf: packageRoot.appendingPathComponent("samples/expected/\(file)"), encoding: .utf8)
        // The golden is not trivially empty: a wrong golden path must not pass.
        #expect(golden.split(separator: "\n").count > 3)
        let result = try tokentally(["summarize", "samples"] + arguments + ["--max-bad-lines", "3"], in: packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == golden)
        #expect(result.stderr == "")
    }

    // MARK: - exit 2

    @Test("a bad line: exit 2, outputs written, one problem line and one summary line on stderr")
    func badLineExit2() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("bad.jsonl", Self.oneBadLineLog)
        let result = try tokentally(["summarize", "bad.jsonl"], in: scratch.url)
        #expect(result.status == 2)
        #expect(result.stdout == Self.oneBadLineCSV)
        let lines = result.stderrLines
        try #require(lines.count == 2)
        #expect(lines[0].hasPrefix("tokentally: bad.jsonl:2: bad_usage: "))
        #expect(lines[0].contains("input_tokens"))
        #expect(lines[1].hasPrefix("tokentally: 1 file, 3 lines: 2 records"))
        #expect(lines[1].contains("1 bad"))
    }

    @Test("more than 20 bad lines: 20 on stderr, a line saying how many more, then the summary")
    func manyBadLines() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let bad = "{\"usage\":{\"input_tokens\":true,\"output_tokens\":1}}"
        try scratch.write("bad.jsonl", (Array(repeating: bad, count: 25) + [usageLine(input: 1, output: 1)]).joined(separator: "\n"))
        let result = try tokentally(["summarize", "bad.jsonl", "--max-bad-lines", "24"], in: scratch.url)
        #expect(result.status == 2)
        // The last line has no newline: it still counts (the stream ended cleanly).
        #expect(result.stdout == header("day,model") + "2026-11-28,openai/gpt-4o,1,1,0,0,1,0,2,\n")
        let lines = result.stderrLines
        try #require(lines.count == 22)
        for (index, line) in lines.prefix(20).enumerated() {
            #expect(line.hasPrefix("tokentally: bad.jsonl:\(index + 1): bad_usage: "))
        }
        #expect(lines[20].hasPrefix("tokentally: "))
        #expect(lines[20].contains("5 more"))
        #expect(lines[21].hasPrefix("tokentally: 1 file, 26 lines: "))
        #expect(lines[21].contains("25 bad"))
    }

    @Test("--quiet prints nothing, even when the exit code is 2")
    func quiet() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("bad.jsonl", Self.oneBadLineLog)
        for flag in ["--quiet", "-q"] {
            let result = try tokentally(["summarize", flag, "bad.jsonl"], in: scratch.url)
            #expect(result.status == 2)
            #expect(result.stdout == Self.oneBadLineCSV)
            #expect(result.stderr == "")
        }
    }

    @Test("--max-bad-lines N: exit 2 only with more than N bad lines", arguments: [
        (nil as Int?, Int32(2)), (0, 2), (1, 2), (2, 0), (3, 0),
    ])
    func maxBadLinesBoundary(_ limit: Int?, _ status: Int32) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        // Two bad lines: truncated JSON and a negative count.
        try scratch.write("two-bad.jsonl", [
            usageLine(input: 10, output: 1),
            "{\"timestamp\":\"2026-11-28T10:00:00Z\",\"usage\":{\"input_tok",
            "{\"timestamp\":\"2026-11-28T10:00:00Z\",\"model\":\"x\",\"usage\":{\"input_tokens\":5,\"output_tokens\":-1}}",
        ].joined(separator: "\n") + "\n")
        let arguments = ["summarize", "two-bad.jsonl"] + (limit.map { ["--max-bad-lines", "\($0)"] } ?? [])
        let result = try tokentally(arguments, in: scratch.url)
        #expect(result.status == status)
        #expect(result.stdout == header("day,model") + "2026-11-28,openai/gpt-4o,1,10,0,0,1,0,11,\n")
        if status == 0 {
            #expect(result.stderr == "")
        } else {
            #expect(result.stderrLines.count == 3)
            #expect(result.stderrLines.last?.contains("2 bad") == true)
        }
    }

    @Test("a failed input (truncated gzip): exit 2, its records not counted, named on stderr")
    func failedInputExit2() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("a.jsonl", Self.cleanLog)
        let whole = storedGzip(Array(Self.oneBadLineLog.utf8))
        try scratch.write("b.jsonl.gz", Array(whole[0..<(whole.count - 30)]))
        let result = try tokentally(["summarize", "a.jsonl", "b.jsonl.gz", "-o", "out.csv"], in: scratch.url)
        #expect(result.status == 2)
        #expect(try scratch.read("out.csv") == Self.cleanCSV)
        let lines = result.stderrLines
        #expect(lines.contains { $0.hasPrefix("tokentally: b.jsonl.gz: failed") })
        #expect(lines.last?.hasPrefix("tokentally: 2 files (1 failed),") == true)
        #expect(try scratch.names() == ["a.jsonl", "b.jsonl.gz", "out.csv", "out.csv-metadata.json"])
    }

    @Test("a flagged input (junk after the gzip member): exit 2, its records counted")
    func flaggedInputExit2() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("junk.jsonl.gz", storedGzip(Array(Self.cleanLog.utf8)) + Array("not gzip at all\n".utf8))
        let result = try tokentally(["summarize", "junk.jsonl.gz"], in: scratch.url)
        #expect(result.status == 2)
        #expect(result.stdout == Self.cleanCSV)
        let lines = result.stderrLines
        try #require(lines.count == 2)
        #expect(lines[0].hasPrefix("tokentally: junk.jsonl.gz: flagged"))
        #expect(lines[1].hasPrefix("tokentally: 1 file (1 flagged), 3 lines: 3 records"))
    }

    // MARK: - exit 1

    @Test("a missing input is fatal: exit 1, one stderr line naming it, the previous output untouched")
    func missingInputExit1() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.cleanLog)
        try scratch.write("out.csv", "previous contents\n")
        let result = try tokentally(
            ["summarize", "clean.jsonl", "no-such-file.jsonl", "-o", "out.csv", "--report", "r.json"], in: scratch.url)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        let lines = result.stderrLines
        try #require(lines.count == 1)
        #expect(lines[0].hasPrefix("tokentally: "))
        #expect(lines[0].contains("no-such-file.jsonl"))
        #expect(try scratch.read("out.csv") == "previous contents\n")
        #expect(try scratch.names() == ["clean.jsonl", "out.csv"])
    }

    @Test("an -o path in a directory that cannot be written is fatal: exit 1, nothing written")
    func unwritableOutputDirectoryExit1() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.cleanLog)
        try scratch.write("a-file", "I am not a directory\n")
        try FileManager.default.createDirectory(at: scratch.url.appendingPathComponent("a-dir"), withIntermediateDirectories: false)
        // The last one fails only at the rename, after the temporary file was written.
        for target in ["no-such-dir/out.csv", "a-file/out.csv", "a-dir"] {
            let result = try tokentally(["summarize", "clean.jsonl", "-o", target], in: scratch.url)
            #expect(result.status == 1, "\(target)")
            #expect(result.stdout == "")
            let lines = result.stderrLines
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("tokentally: ") == true)
            #expect(lines.first?.contains(target) == true)
        }
        #expect(try scratch.names() == ["a-dir", "a-file", "clean.jsonl"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("a-dir")) == [])
        #expect(try scratch.read("a-file") == "I am not a directory\n")
    }

    @Test("an unwritable --report leaves the previous -o file untouched and no temporary files")
    func unwritableReportKeepsOutput() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.cleanLog)
        try scratch.write("out.csv", "previous contents\n")
        try FileManager.default.createDirectory(at: scratch.url.appendingPathComponent("a-dir"), withIntermediateDirectories: false)
        // Regression, issue 2: a --report that is a directory failed only at its rename, after
        // the CSV had already replaced out.csv.
        for report in ["missing-dir/run.json", "a-dir"] {
            let result = try tokentally(["summarize", "clean.jsonl", "-o", "out.csv", "--report", report], in: scratch.url)
            #expect(result.status == 1, "\(report)")
            #expect(result.stderrLines.count == 1)
            #expect(result.stderrLines.first?.contains(report) == true)
            #expect(try scratch.read("out.csv") == "previous contents\n")
            #expect(try scratch.names() == ["a-dir", "clean.jsonl", "out.csv"])
        }
    }

    // MARK: - exit 64

    @Test("usage errors exit 64 and write nothing", arguments: [
        ["summarize", "clean.jsonl", "--by", "day,colour"],
        ["summarize", "clean.jsonl", "--by", "day,,model"],
        ["summarize", "clean.jsonl", "--field", "team"],
        ["summarize", "clean.jsonl", "--field", "team=metadata/team"],
        ["summarize", "clean.jsonl", "--field", "=/metadata/team"],
        ["summarize"],
        ["summarize", "clean.jsonl", "--threads", "0"],
        ["summarize", "clean.jsonl", "--max-bad-lines", "-1"],
        ["summarize", "clean.jsonl", "--no-such-flag"],
        ["summarize", "clean.jsonl", "--inflate", "gzip"],
    ])
    func usageErrorsExit64(_ arguments: [String]) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", Self.cleanLog)
        let result = try tokentally(arguments + ["-o", "out.csv"], in: scratch.url)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderr != "")
        #expect(try scratch.names() == ["clean.jsonl"])
    }

    @Test("a custom --field is a valid --by column; --field key= overrides /api_key")
    func fieldOptions() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("meta.jsonl", [
            "{\"timestamp\":\"2026-11-28T10:00:00Z\",\"api_key\":\"k1\",\"metadata\":{\"team\":\"ads\",\"k\":\"hash-1\"},\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}",
            "{\"timestamp\":\"2026-11-28T11:00:00Z\",\"api_key\":\"k1\",\"metadata\":{\"team\":\"search\",\"k\":\"hash-2\"},\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}",
        ].joined(separator: "\n") + "\n")
        let result = try tokentally(
            ["summarize", "meta.jsonl", "--by", "team,key", "--field", "team=/metadata/team", "--field", "key=/metadata/k"],
            in: scratch.url)
        #expect(result.status == 0)
        #expect(result.stdout == header("team,key") + "ads,hash-1,1,3,0,0,1,0,4,\n" + "search,hash-2,1,5,0,0,1,0,6,\n")
        let plain = try tokentally(["summarize", "meta.jsonl", "--by", "key"], in: scratch.url)
        #expect(plain.stdout == header("key") + "k1,2,8,0,0,2,0,10,\n")
    }

    // MARK: - the report

    @Test("--report writes valid JSON with the documented keys and exact terms")
    func reportJSON() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("bad.jsonl", Self.oneBadLineLog + "\n{\"type\":\"response.output_text.delta\",\"delta\":\"x\"}\n")
        let result = try tokentally(["summarize", "bad.jsonl", "--report", "run.json", "-o", "out.csv", "-q"], in: scratch.url)
        #expect(result.status == 2)
        let data = try Data(contentsOf: scratch.url.appendingPathComponent("run.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["tokentally_version", "report_version", "schema_version", "exit_code", "totals", "bad_line_samples", "files"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(json["exit_code"] as? Int == 2)
        #expect(json["schema_version"] as? Int == 1)
        let totals = try #require(json["totals"] as? [String: Any])
        // 5 lines: 2 records, 1 bad (bad_usage), 1 blank, 1 without usage.
        let terms = ["lines_read": 5, "records": 2, "no_usage": 1, "bad_lines": 1, "blank_lines": 1,
                     "filtered_out": 0, "duplicates_dropped": 0, "failed_file_lines": 0,
                     "files": 1, "files_ok": 1, "files_flagged": 0, "files_failed": 0, "rows": 1, "max_bad_lines": 0]
        for (key, value) in terms { #expect(totals[key] as? Int == value, "totals.\(key)") }
        #expect((totals["bad_lines_by_reason"] as? [String: Int])?["bad_usage"] == 1)
        #expect(totals["reconciled"] as? Bool == true)
        #expect(totals["warnings"] is [String: Int])
        #expect(totals["int64_overflow_cells"] as? [String] == [])
        let files = try #require(json["files"] as? [[String: Any]])
        try #require(files.count == 1)
        #expect(files[0]["path"] as? String == "bad.jsonl")
        #expect(files[0]["status"] as? String == "ok")
        #expect(files[0]["lines_read"] as? Int == 5)
        #expect(files[0]["records"] as? Int == 2)
        let samples = try #require(json["bad_line_samples"] as? [String])
        try #require(samples.count == 1)
        #expect(samples[0].hasPrefix("bad.jsonl:2: bad_usage: "))
    }
}

/// Faults of the machine rather than of the input: each ends with the right exit code, one
/// clear line, no temporary file left, and the previous outputs intact.
@Suite struct MachineFaultTests {
    /// A file-size limit hit while the summary is written (as a full disk would be): exit 1,
    /// one line naming the file, nothing left behind.
    @Test func fileSizeLimitWhileWriting() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        // Enough rows for more than 8 KiB of CSV.
        let lines = (0..<400).map { usageLine(model: "m/\($0)", input: $0, output: 1) }
        _ = try scratch.write("a.jsonl", lines.joined(separator: "\n") + "\n")
        try "previous\n".write(toFile: scratch.path("out.csv"), atomically: false, encoding: .utf8)
        let binary = try tokentallyExecutable().path
        let result = try tokentally(["-c", "ulimit -f 8; exec \"$0\" summarize a.jsonl --by model -o out.csv", binary], in: scratch.url, shell: true)
        #expect(result.status == 1)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderr.contains("out.csv"))
        #expect(try String(contentsOfFile: scratch.path("out.csv"), encoding: .utf8) == "previous\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["a.jsonl", "out.csv"])
    }

    /// Standard output closed early (`| head -1`): the run ends quietly (killed by SIGPIPE, as
    /// every Unix filter is), without a message.
    @Test func standardOutputClosedEarly() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let lines = (0..<3000).map { usageLine(model: "m/\($0)", input: $0, output: 1) }
        _ = try scratch.write("a.jsonl", lines.joined(separator: "\n") + "\n")
        let binary = try tokentallyExecutable().path
        let result = try tokentally(
            ["-c", "\"$0\" summarize a.jsonl --by model --format csv | head -1; echo \"status ${PIPESTATUS[0]}\"", binary],
            in: scratch.url, shell: true, executable: "/bin/bash")
        #expect(result.stdout.hasPrefix("model,requests,"))
        #expect(result.stdout.hasSuffix("status 141\n") || result.stdout.hasSuffix("status 0\n"))
        #expect(result.stderr == "")
    }
}
