import TestSupport
import Foundation
import Testing
import LogInput
import TallyPipeline

/// Exact sums, empty cells, time buckets and the grouping columns, each with figures worked
/// out by hand.
@Suite struct SumsAndGroupsTests {
    @Test("2^53+1 plus 0.5 is written as 9007199254740993.5 (no binary floating point)")
    func exactIntegerAndFractionSum() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("exact.jsonl", [
            usageLine(model: "m", input: "9007199254740993", output: "0"),
            usageLine(model: "m", input: "0.5", output: "1"),
        ].joined(separator: "\n") + "\n")
        let run = try runPipeline([log])
        // total_tokens is absent: input + output per record = 9007199254740993 + 1.5.
        #expect(run.csv == header("day,model") + "2026-11-28,m,2,9007199254740993.5,0,0,1,0,9007199254740994.5,\n")
        #expect(run.report.cellsExceedingInt64 == [])
    }

    @Test("costs sum exactly: 6000 × 1e-06 over three files is 0.006, whatever the threads")
    func manySmallCostsSumExactly() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        var paths: [String] = []
        for file in 0..<3 {
            var text = ""
            for index in 1...2000 {
                // Each file's times differ (three copies of one content would count once).
                let minute = index % 60, hour = (index / 60 + file) % 24
                let time = "2026-11-28T\(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute):00Z"
                text += usageLine(time: time, model: "openai/gpt-4o-mini", input: "\(index)", output: "1", cost: "1e-06") + "\n"
            }
            paths.append(try scratch.write("part-\(file).jsonl", text))
        }
        // Σ index for 1…2000 = 2001000, three times; output 1 per record.
        let expected = header("model") + "openai/gpt-4o-mini,6000,6003000,0,0,6000,0,6009000,0.006\n"
        for threads in [1, 2, 4] {
            let run = try runPipeline(paths.reversed(), by: "model", threads: threads, batchBytes: 1000)
            #expect(run.csv == expected, "threads \(threads)")
            #expect(Terms(run.report.totals) == Terms(linesRead: 6000, records: 6000))
        }
        // The same files gzipped, with the threads chosen for them (fewer with ISA-L).
        var gzipped: [String] = []
        for (file, path) in paths.enumerated() {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            gzipped.append(try scratch.write("part-\(file).jsonl.gz", storedGzip(bytes)))
        }
        for inflate in InflateBackend.allCases where inflate.isAvailable {
            let run = try runPipeline(gzipped, by: "model", threads: nil, batchBytes: 1000, inflate: inflate)
            #expect(run.csv == expected, "\(inflate), automatic threads")
        }
    }

    @Test("automatic threads: one decoding thread per core, less the cores inflating with ISA-L")
    func automaticThreads() {
        func threads(_ cores: Int, _ gzipInputs: Int, _ inflate: InflateBackend) -> Int {
            SummarizeConfiguration.automaticThreads(cores: cores, gzipInputs: gzipInputs, inflate: inflate)
        }
        #expect(threads(2, 0, .isal) == 2)  // plain inputs: framing them costs little
        #expect(threads(2, 1, .zlib) == 2)  // zlib readers leave decoding threads idle anyway
        #expect(threads(2, 1, .isal) == 1)
        #expect(threads(2, 8, .isal) == 1)
        #expect(threads(1, 1, .isal) == 1)
        #expect(threads(8, 1, .isal) == 7)
        #expect(threads(8, 3, .isal) == 5)
        #expect(threads(8, 20, .isal) == 4)  // at most half the cores inflate
    }

    @Test("a sum beyond 2^63-1 is written exactly and listed in int64_overflow_cells")
    func int64OverflowIsReportedNotWrapped() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("big.jsonl", [
            usageLine(model: "big", input: "4611686018427387904", output: "0"),  // 2^62
            usageLine(model: "big", input: "4611686018427387905", output: "0"),  // 2^62 + 1
            usageLine(model: "small", input: "7", output: "3"),
        ].joined(separator: "\n") + "\n")
        let run = try runPipeline([log])
        // 2^63 + 1 = 9223372036854775809, one above Int64.max + 1.
        #expect(run.csv == header("day,model")
            + "2026-11-28,big,2,9223372036854775809,0,0,0,0,9223372036854775809,\n"
            + "2026-11-28,small,1,7,0,0,3,0,10,\n")
        let cells = run.report.cellsExceedingInt64
        #expect(cells.count == 2)
        #expect(cells.allSatisfy { $0.contains("row 1") })
        #expect(cells.contains { $0.hasSuffix("input_tokens") && !$0.hasSuffix("cached_input_tokens") })
        #expect(cells.contains { $0.hasSuffix("total_tokens") })

        let json = try reportObject(run)
        let totals = try #require(json["totals"] as? [String: Any])
        let listed = try #require(totals["int64_overflow_cells"] as? [String])
        #expect(listed == cells)
        #expect(run.report.problemLines.contains { $0.contains("2^63-1") })
    }

    @Test("a single count above 2^63-1 is a bad line, not a wrapped value")
    func countAboveInt64IsBad() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("huge.jsonl", [
            usageLine(model: "m", input: "9223372036854775808", output: "0"),  // 2^63
            usageLine(model: "m", input: "9223372036854775807", output: "0"),  // 2^63 - 1
        ].joined(separator: "\n") + "\n")
        let run = try runPipeline([log])
        #expect(run.csv == header("day,model") + "2026-11-28,m,1,9223372036854775807,0,0,0,0,9223372036854775807,\n")
        #expect(Terms(run.report.totals) == Terms(linesRead: 2, records: 1, bad: 1))
        #expect(run.report.totals.badLinesByReason[5] == 1)  // bad_usage
    }

    @Test("cost_usd is empty for a group without any cost, and sums only the costs present")
    func emptyCostCell() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("cost.jsonl", [
            usageLine(model: "a-no-cost", input: "10", output: "1"),
            usageLine(model: "a-no-cost", input: "20", output: "2"),
            usageLine(model: "b-some-cost", input: "30", output: "3", cost: "0.5"),
            usageLine(model: "b-some-cost", input: "40", output: "4"),
            usageLine(model: "c-zero-cost", input: "50", output: "5", cost: "0"),
            // cost_details.upstream_inference_cost is never added to cost.
            usageLine(model: "d-details", input: "1", output: "1", cost: "4.05e-06",
                      extra: "\"cost_details\":{\"upstream_inference_cost\":4.05e-06}"),
        ].joined(separator: "\n") + "\n")
        let run = try runPipeline([log], by: "model")
        #expect(run.csv == header("model")
            + "a-no-cost,2,30,0,0,3,0,33,\n"
            + "b-some-cost,2,70,0,0,7,0,77,0.5\n"
            + "c-zero-cost,1,50,0,0,5,0,55,0\n"
            + "d-details,1,1,0,0,1,0,2,0.00000405\n")
    }

    @Test("an empty result still writes the header", arguments: ["", "\n\n", "{\"event\":\"healthcheck\",\"ok\":true}\n{\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}\n"])
    func emptyResultWritesHeader(_ content: String) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("nothing.jsonl", content)
        for by in ["day,model", "week,key,status"] {
            let run = try runPipeline([log], by: by)
            #expect(run.csv == header(by))
            #expect(run.report.rows == 0)
            #expect(run.report.totals.records == 0)
            #expect(run.report.exitCode == 0)
        }
    }

    @Test("hour, day, week (ISO, Monday) and month buckets, in UTC, across a Sunday/Monday and a year end")
    func timeBuckets() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("times.jsonl", [
            usageLine(time: "2026-11-29T23:59:59Z", input: "1", output: "0"),  // Sunday
            usageLine(time: "2026-11-30T00:00:00Z", input: "10", output: "0"),  // Monday
            usageLine(time: "2026-11-30T00:30:00+01:00", input: "100", output: "0"),  // Sunday 23:30 UTC
            usageLine(time: "2026-12-31T23:59:59-01:00", input: "1000", output: "0"),  // Friday 2027-01-01 00:59:59 UTC
            // Monday 2026-11-30 12:00:00 UTC as epoch milliseconds in `ts`.
            "{\"ts\":1796040000123,\"model\":\"openai/gpt-4o\",\"usage\":{\"input_tokens\":10000,\"output_tokens\":0}}",
        ].joined(separator: "\n") + "\n")

        #expect(try runPipeline([log], by: "hour").csv == header("hour")
            + "2026-11-29 23:00,2,101,0,0,0,0,101,\n"
            + "2026-11-30 00:00,1,10,0,0,0,0,10,\n"
            + "2026-11-30 12:00,1,10000,0,0,0,0,10000,\n"
            + "2027-01-01 00:00,1,1000,0,0,0,0,1000,\n")
        #expect(try runPipeline([log], by: "day").csv == header("day")
            + "2026-11-29,2,101,0,0,0,0,101,\n"
            + "2026-11-30,2,10010,0,0,0,0,10010,\n"
            + "2027-01-01,1,1000,0,0,0,0,1000,\n")
        #expect(try runPipeline([log], by: "week").csv == header("week")
            + "2026-11-23,2,101,0,0,0,0,101,\n"
            + "2026-11-30,2,10010,0,0,0,0,10010,\n"
            + "2026-12-28,1,1000,0,0,0,0,1000,\n")
        #expect(try runPipeline([log], by: "month").csv == header("month")
            + "2026-11-01,4,10111,0,0,0,0,10111,\n"
            + "2027-01-01,1,1000,0,0,0,0,1000,\n")
    }

    @Test("a record without a time is counted with an empty time cell, sorted first")
    func missingTime() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("notime.jsonl", [
            usageLine(time: "2026-11-28T10:00:00Z", input: "5", output: "5"),
            usageLine(time: nil, input: "7", output: "1"),
        ].joined(separator: "\n") + "\n")
        let run = try runPipeline([log], by: "day")
        #expect(run.csv == header("day") + ",1,7,0,0,1,0,8,\n" + "2026-11-28,1,5,0,0,5,0,10,\n")
        #expect(run.report.totals.warnings[5] == 1)  // missing_timestamp
        #expect(run.report.exitCode == 0)
    }

    @Test("bad lines are numbered within their file across batches; the report keeps the first 20")
    func badLineSamplesAcrossBatches() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        // Lines 1, 3, …, 49 are records; lines 2, 4, …, 50 are bad (a count that is a string).
        var lines: [String] = []
        for index in 1...25 {
            lines.append(usageLine(input: "\(index)", output: "0"))
            lines.append("{\"usage\":{\"input_tokens\":\"\(index)\",\"output_tokens\":0}}")
        }
        let log = try scratch.write("many-bad.jsonl", lines.joined(separator: "\n") + "\n")
        for threads in [1, 4] {
            let run = try runPipeline([log], threads: threads, batchBytes: 256)
            #expect(run.csv == header("day,model") + "2026-11-28,openai/gpt-4o,25,325,0,0,0,0,325,\n")
            #expect(Terms(run.report.totals) == Terms(linesRead: 50, records: 25, bad: 25))
            let numbers = run.report.badLineSamples.map { sample -> String in
                let rest = sample.dropFirst(log.count + 1)
                return String(rest.prefix { $0 != ":" })
            }
            #expect(numbers == (1...20).map { String($0 * 2) })
            #expect(run.report.badLineSamples.allSatisfy { $0.hasPrefix(log + ":") && $0.contains(": bad_usage: ") })
        }
    }

    @Test("--by file names each input as given")
    func byFile() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let b = try scratch.write("b.jsonl", usageLine(input: "2", output: "1") + "\n" + usageLine(input: "3", output: "1") + "\n")
        let a = try scratch.write("logs/a.jsonl", usageLine(input: "5", output: "1", cost: "0.25") + "\n")
        let ignored = try scratch.write("logs/notes.txt", usageLine(input: "1000", output: "1") + "\n")
        _ = ignored
        // A named file, and a directory walked for *.jsonl (notes.txt is not a log name).
        let run = try runPipeline([b, scratch.path("logs")], by: "file")
        // Rows sort by the path's bytes: ".../b.jsonl" < ".../logs/a.jsonl".
        #expect(run.csv == header("file")
            + "\(b),2,5,0,0,2,0,7,\n"
            + "\(a),1,5,0,0,1,0,6,0.25\n")
        #expect(run.report.files.map(\.path) == [b, a])
    }

    @Test("--by key reads /api_key, or --field key=/metadata/k; custom fields make columns")
    func byKey() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("keys.jsonl", [
            usageLine(key: "top-level", input: "1", output: "0", extra: "\"metadata\":{\"k\":\"alpha\",\"team\":\"search\"}"),
            usageLine(key: "top-level", input: "2", output: "0", extra: "\"metadata\":{\"k\":\"beta\",\"team\":\"search\"}"),
            usageLine(key: "other", input: "4", output: "0", extra: "\"metadata\":{\"k\":\"alpha\",\"team\":\"ads\"}"),
            usageLine(key: "no-metadata", input: "8", output: "0"),
            usageLine(input: "16", output: "0", extra: "\"metadata\":{\"k\":\"Acme, \\\"Inc\\\"\"}"),
        ].joined(separator: "\n") + "\n")

        #expect(try runPipeline([log], by: "key").csv == header("key")
            + ",1,16,0,0,0,0,16,\n"
            + "no-metadata,1,8,0,0,0,0,8,\n"
            + "other,1,4,0,0,0,0,4,\n"
            + "top-level,2,3,0,0,0,0,3,\n")
        // The override replaces /api_key; RFC 4180 quoting where a value needs it.
        #expect(try runPipeline([log], by: "key", fields: ["key": "/metadata/k"]).csv == header("key")
            + ",1,8,0,0,0,0,8,\n"
            + "\"Acme, \"\"Inc\"\"\",1,16,0,0,0,0,16,\n"
            + "alpha,2,5,0,0,0,0,5,\n"
            + "beta,1,2,0,0,0,0,2,\n")
        #expect(try runPipeline([log], by: "team,key", fields: ["key": "/metadata/k", "team": "/metadata/team"]).csv
            == header("team,key")
            + ",,1,8,0,0,0,0,8,\n"
            + ",\"Acme, \"\"Inc\"\"\",1,16,0,0,0,0,16,\n"
            + "ads,alpha,1,4,0,0,0,0,4,\n"
            + "search,alpha,1,1,0,0,0,0,1,\n"
            + "search,beta,1,2,0,0,0,0,2,\n")
    }

    @Test("--by status reads the body's status; shapes are found inside response, body and data")
    func statusAndWrappers() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let body = { (status: String, input: Int) in
            "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1795860000,\"status\":\"\(status)\",\"model\":\"openai/o3\",\"usage\":{\"input_tokens\":\(input),\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":1,\"output_tokens_details\":{\"reasoning_tokens\":1},\"total_tokens\":\(input + 1)}}"
        }
        let log = try scratch.write("wrapped.jsonl", [
            body("completed", 1),
            "{\"timestamp\":\"2026-11-29T00:00:01Z\",\"api_key\":\"k\",\"response\":\(body("completed", 2))}",
            "{\"timestamp\":\"2026-11-29T00:00:02Z\",\"api_key\":\"k\",\"body\":\(body("incomplete", 4))}",
            "{\"timestamp\":\"2026-11-29T00:00:03Z\",\"api_key\":\"k\",\"data\":{\"type\":\"response.failed\",\"response\":\(body("failed", 8))}}",
            "{\"type\":\"response.completed\",\"response\":\(body("completed", 16))}",
            "{\"type\":\"response.in_progress\",\"response\":\(body("in_progress", 32))}",
        ].joined(separator: "\n") + "\n")
        let run = try runPipeline([log], by: "day,status")
        // created_at 1795860000 is 2026-11-28 10:00:00 UTC; the wrappers' own times are the 29th.
        #expect(run.csv == header("day,status")
            + "2026-11-28,completed,2,17,0,0,2,2,19,\n"
            + "2026-11-29,completed,1,2,0,0,1,1,3,\n"
            + "2026-11-29,failed,1,8,0,0,1,1,9,\n"
            + "2026-11-29,incomplete,1,4,0,0,1,1,5,\n")
        #expect(Terms(run.report.totals) == Terms(linesRead: 6, records: 5, noUsage: 1))
    }
}

/// The run report's JSON, parsed with Foundation.
func reportObject(_ run: PipelineRun) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(run.reportJSON.utf8))
    return try #require(object as? [String: Any])
}

/// A group value beyond 1024 bytes is cut, and its line counts a `value_truncated` warning.
@Suite struct LongValueTests {
    @Test func cutAndCounted() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let long = String(repeating: "m", count: 3000)
        let path = try scratch.write("a.jsonl", [
            usageLine(time: "2026-11-28T10:00:00Z", model: long, input: "1", output: "1"),
            usageLine(time: "2026-11-28T11:00:00Z", model: String(repeating: "m", count: 1024) + "other", input: "2", output: "1"),
            usageLine(time: "2026-11-28T12:00:00Z", model: "short", input: "4", output: "1"),
        ].joined(separator: "\n") + "\n")
        let run = try runPipeline([path], by: "model")
        // Both long values are cut to the same 1024 bytes: one group.
        #expect(run.csv == header("model") + String(repeating: "m", count: 1024) + ",2,3,0,0,2,0,5,\n" + "short,1,4,0,0,1,0,5,\n")
        #expect(warningCount(run.report.totals, "value_truncated") == 2)
    }
}
