import Foundation
import TallyPipeline
import TestSupport
import Testing

/// `--tz`, `--since` and `--until` through the whole pipeline. Expected rows are summed by
/// hand; offsets: New York is UTC-4 until 2026-11-01 06:00:00Z and UTC-5 after; Kolkata
/// +05:30; Kathmandu +05:45.
@Suite struct TimeZonePipelineTests {
    /// A founding-shape line with one output token and `input` input tokens (distinct powers
    /// of two, so every sum names its records).
    static func line(_ time: String?, input: Int, id: String? = nil, output: Int = 1) -> String {
        var fields: [String] = []
        if let id { fields.append(#""id":"\#(id)""#) }
        if let time { fields.append(#""timestamp":"\#(time)""#) }
        fields.append(#""model":"m","usage":{"input_tokens":\#(input),"output_tokens":\#(output)}"#)
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Around New York's fall-back day, in local time:
    /// 1: Sat 10-31 23:59:59 EDT · 2: Sun 11-01 00:00 EDT · 4: 01:30 EDT · 8: 01:30 EST ·
    /// 16: 11-01 23:59:59 EST · 32: Mon 11-02 00:00 EST.
    static let fallBack = [
        line("2026-11-01T03:59:59Z", input: 1), line("2026-11-01T04:00:00Z", input: 2),
        line("2026-11-01T05:30:00Z", input: 4), line("2026-11-01T06:30:00Z", input: 8),
        line("2026-11-02T04:59:59Z", input: 16), line("2026-11-02T05:00:00Z", input: 32),
    ]

    @Test("--tz America/New_York puts records on their local day across the November change")
    func newYorkDays() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("ny.jsonl", Self.fallBack.joined(separator: "\n") + "\n")
        for threads in [1, 3] {
            let run = try runPipeline([log], by: "day", threads: threads, tz: "America/New_York")
            #expect(run.csv == header("day")
                + "2026-10-31,1,1,0,0,1,0,2,\n"
                + "2026-11-01,4,30,0,0,4,0,34,\n"
                + "2026-11-02,1,32,0,0,1,0,33,\n")
        }
        // The same records by UTC day.
        let utc = try runPipeline([log], by: "day")
        #expect(utc.csv == header("day") + "2026-11-01,4,15,0,0,4,0,19,\n" + "2026-11-02,2,48,0,0,2,0,50,\n")
        // By hour, both 01:30s share the 01:00 row; 23:59:59 EST is the 23:00 row.
        let hours = try runPipeline([log], by: "hour", tz: "America/New_York")
        #expect(hours.csv == header("hour")
            + "2026-10-31 23:00,1,1,0,0,1,0,2,\n"
            + "2026-11-01 00:00,1,2,0,0,1,0,3,\n"
            + "2026-11-01 01:00,2,12,0,0,2,0,14,\n"
            + "2026-11-01 23:00,1,16,0,0,1,0,17,\n"
            + "2026-11-02 00:00,1,32,0,0,1,0,33,\n")
        // Weeks start on Monday 10-26 and 11-02 local; months on 10-01 and 11-01 local.
        let weeks = try runPipeline([log], by: "week,month", tz: "America/New_York")
        #expect(weeks.csv == header("week,month")
            + "2026-10-26,2026-10-01,1,1,0,0,1,0,2,\n"
            + "2026-10-26,2026-11-01,4,30,0,0,4,0,34,\n"
            + "2026-11-02,2026-11-01,1,32,0,0,1,0,33,\n")
    }

    @Test("Kolkata's day turns at 18:30:00Z and Kathmandu's at 18:15:00Z")
    func halfAndQuarterHourDays() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("asia.jsonl", [
            Self.line("2026-11-28T18:29:59Z", input: 1), Self.line("2026-11-28T18:30:00Z", input: 2),
            Self.line("2026-11-28T18:14:59Z", input: 4), Self.line("2026-11-28T18:15:00Z", input: 8),
        ].joined(separator: "\n") + "\n")
        let kolkata = try runPipeline([log], by: "day", tz: "Asia/Kolkata")
        #expect(kolkata.csv == header("day") + "2026-11-28,3,13,0,0,3,0,16,\n" + "2026-11-29,1,2,0,0,1,0,3,\n")
        let kathmandu = try runPipeline([log], by: "day", tz: "Asia/Kathmandu")
        #expect(kathmandu.csv == header("day") + "2026-11-28,1,4,0,0,1,0,5,\n" + "2026-11-29,3,11,0,0,3,0,14,\n")
        // --since/--until by Kathmandu's day.
        let window = try runPipeline([log], by: "day", tz: "Asia/Kathmandu", since: "2026-11-29", until: "2026-11-30")
        #expect(window.csv == header("day") + "2026-11-29,3,11,0,0,3,0,14,\n")
        #expect(Terms(window.report.totals) == Terms(linesRead: 4, records: 3, filtered: 1))
    }

    @Test("--since/--until keep since <= t < until in the zone; the rest, and records without time, are filtered out")
    func window() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let lines = Self.fallBack + [
            Self.line(nil, input: 64),  // no time: filtered, and still a missing_timestamp warning
            #"{"type":"response.output_text.delta","timestamp":"2026-10-01T00:00:00Z"}"#,  // no usage
            #"{"timestamp":"2026-11-01T12:00:00Z","usage":{"input_tokens":"x","output_tokens":1}}"#,  // bad
            "",
        ]
        let log = try scratch.write("ny.jsonl", lines.joined(separator: "\n") + "\n")
        let run = try runPipeline([log], by: "day", tz: "America/New_York", since: "2026-11-01", until: "2026-11-02")
        #expect(run.csv == header("day") + "2026-11-01,4,30,0,0,4,0,34,\n")
        let expected = Terms(linesRead: 10, records: 4, noUsage: 1, bad: 1, blank: 1, filtered: 3)
        #expect(Terms(run.report.totals) == expected)
        #expect(Terms(run.report.files[0].tally) == expected)
        #expect(run.report.totals.isBalanced)
        #expect(warningCount(run.report.totals, "missing_timestamp") == 1)
        #expect(run.reportJSON.contains(#""filtered_out": 3"#))
        #expect(run.reportJSON.contains(#""reconciled": true"#))
        #expect(run.report.summaryLine.contains("3 filtered out"))

        // The same window as absolute instants; the boundaries are exact to the second.
        let absolute = try runPipeline(
            [log], by: "day", tz: "America/New_York", since: "2026-11-01T04:00:00Z", until: "2026-11-02T04:59:59Z")
        #expect(absolute.csv == header("day") + "2026-11-01,3,14,0,0,3,0,17,\n")
        #expect(absolute.report.totals.filteredOut == 4)
        // Only an upper bound: records without time are still left out.
        let upper = try runPipeline([log], by: "day", until: "2026-11-01T05:30:00Z")
        #expect(upper.csv == header("day") + "2026-11-01,2,3,0,0,2,0,5,\n")
        #expect(Terms(upper.report.totals) == Terms(linesRead: 10, records: 2, noUsage: 1, bad: 1, blank: 1, filtered: 5))
        // Without bounds nothing is filtered, and the record without time has an empty day.
        let all = try runPipeline([log], by: "day", tz: "America/New_York")
        #expect(all.report.totals.filteredOut == 0)
        #expect(all.csv.hasPrefix(header("day") + ",1,64,0,0,1,0,65,\n"))
    }

    /// `r1`: output 5 at 03:59Z in a, output 50 at 04:30Z in b → b's copy wins, at 03:59Z
    /// (its earliest), Saturday 10-31 in New York. `r2`: once, 12:00Z in a. `r3`: identical
    /// copies at 2026-11-02T06:00Z (Monday 01:00 EST) in a and b → a's copy wins (earlier input).
    static let a = [
        line("2026-11-01T03:59:00Z", input: 10, id: "r1", output: 5), line("2026-11-01T12:00:00Z", input: 1, id: "r2", output: 2),
        line("2026-11-02T06:00:00Z", input: 1, id: "r3", output: 3),
    ].joined(separator: "\n") + "\n"
    static let b = [
        line("2026-11-01T04:30:00Z", input: 10, id: "r1", output: 50), line("2026-11-02T06:00:00Z", input: 1, id: "r3", output: 3),
    ].joined(separator: "\n") + "\n"

    @Test("a deduplicated record is bucketed and filtered by its resolved (earliest) time, where its winner was read")
    func deduplicationAndWindow() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let a = try scratch.write("a.jsonl", Self.a)
        let b = try scratch.write("b.jsonl", Self.b)
        for inputs in [[a, b], [b, a]] {
            for threads in [1, 2] {
                let all = try runPipeline(inputs, by: "day", threads: threads, dedup: true, tz: "America/New_York")
                #expect(all.csv == header("day")
                    + "2026-10-31,1,10,0,0,50,0,60,\n" + "2026-11-01,1,1,0,0,2,0,3,\n" + "2026-11-02,1,1,0,0,3,0,4,\n")

                let run = try runPipeline(
                    inputs, by: "day", threads: threads, dedup: true, tz: "America/New_York", since: "2026-11-01", until: "2026-11-02")
                #expect(run.csv == header("day") + "2026-11-01,1,1,0,0,2,0,3,\n", "\(inputs) threads \(threads)")
                // a: r2 counted, r3's winner filtered, r1's copy dropped. b: r1's winner
                // filtered, r3's copy dropped.
                #expect(run.report.files.map { Terms($0.tally) } == [
                    Terms(linesRead: 3, records: 1, filtered: 1, duplicates: 1),
                    Terms(linesRead: 2, records: 0, filtered: 1, duplicates: 1),
                ])
                #expect(Terms(run.report.totals) == Terms(linesRead: 5, records: 1, filtered: 2, duplicates: 2))
                #expect(run.report.files.allSatisfy { $0.tally.isBalanced })
                #expect(run.report.totals.isBalanced)
            }
        }
        // The winner's later copy (04:30Z, Sunday) would be inside; the earliest decides.
        let sunday = try runPipeline([a, b], by: "day", dedup: true, tz: "America/New_York", since: "2026-11-01T00:00")
        #expect(sunday.csv == header("day") + "2026-11-01,1,1,0,0,2,0,3,\n" + "2026-11-02,1,1,0,0,3,0,4,\n")
    }
}
