import Foundation
import TestSupport
import Testing

/// `--tz`, `--since` and `--until` through the built binary. New York is UTC-4 until
/// 2026-11-01 06:00:00Z and UTC-5 after (hand-checked in ZoneRulesTests).
@Suite struct TimeOptionsCLITests {
    /// Saturday 23:59:59 EDT, Sunday 00:00 EDT, Sunday 01:30 EST, Monday 00:00 EST.
    static let log = [
        usageLine(time: "2026-11-01T03:59:59Z", input: 1, output: 1),
        usageLine(time: "2026-11-01T04:00:00Z", input: 2, output: 1),
        usageLine(time: "2026-11-01T06:30:00Z", input: 4, output: 1),
        usageLine(time: "2026-11-02T05:00:00Z", input: 8, output: 1),
    ].joined(separator: "\n") + "\n"

    @Test("--tz America/New_York --by day: local days; exit 0, nothing on stderr")
    func localDays() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("ny.jsonl", Self.log)
        let result = try tokentally(["summarize", "ny.jsonl", "--tz", "America/New_York", "--by", "day"], in: scratch.url)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == header("day")
            + "2026-10-31,1,1,0,0,1,0,2,\n" + "2026-11-01,2,6,0,0,2,0,8,\n" + "2026-11-02,1,8,0,0,1,0,9,\n")
    }

    @Test("the TZ environment variable is not used: without --tz, days are UTC")
    func tzVariableIgnored() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("ny.jsonl", Self.log)
        let result = try tokentally(["summarize", "ny.jsonl", "--by", "day"], in: scratch.url, environment: ["TZ": "America/New_York"])
        #expect(result.status == 0)
        #expect(result.stdout == header("day") + "2026-11-01,3,7,0,0,3,0,10,\n" + "2026-11-02,1,8,0,0,1,0,9,\n")
    }

    @Test("zone files come from TZDIR when it is set")
    func zoneDirectoryFromTZDIR() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("ny.jsonl", Self.log)
        try FileManager.default.createDirectory(atPath: scratch.path("zones/Test"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/usr/share/zoneinfo/America/New_York", toPath: scratch.path("zones/Test/Zone"))
        let found = try tokentally(
            ["summarize", "ny.jsonl", "--tz", "Test/Zone", "--by", "day"], in: scratch.url, environment: ["TZDIR": scratch.path("zones")])
        #expect(found.status == 0)
        #expect(found.stdout.hasPrefix(header("day") + "2026-10-31,1,1,0,0,1,0,2,\n"))
        let missing = try tokentally(
            ["summarize", "ny.jsonl", "--tz", "America/New_York"], in: scratch.url, environment: ["TZDIR": scratch.path("zones")])
        #expect(missing.status == 64)
        #expect(missing.stderrLines.first?.contains("'America/New_York'") == true)
        #expect(missing.stderrLines.first?.contains(scratch.path("zones")) == true)
    }

    @Test("--since/--until: half-open in the zone; filtered records are in the report, not in the exit code")
    func window() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("ny.jsonl", Self.log)
        let result = try tokentally(
            ["summarize", "ny.jsonl", "--tz", "America/New_York", "--since", "2026-11-01", "--until", "2026-11-02",
             "--by", "day", "-o", "out.csv", "--report", "run.json"],
            in: scratch.url)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(try scratch.read("out.csv") == header("day") + "2026-11-01,2,6,0,0,2,0,8,\n")
        let report = try JSONSerialization.jsonObject(with: Data(try scratch.read("run.json").utf8)) as? [String: Any]
        let totals = report?["totals"] as? [String: Any]
        #expect(totals?["filtered_out"] as? Int == 2)
        #expect(totals?["records"] as? Int == 2)
        #expect(totals?["reconciled"] as? Bool == true)
    }

    @Test("bad zones, bad times and empty windows are usage errors: exit 64, the value named on the first line", arguments: [
        (["--tz", "Mars/Olympus_Mons"], "'Mars/Olympus_Mons'"),
        (["--tz", "../../etc/passwd"], "'../../etc/passwd'"),
        (["--tz", "America"], "'America'"),
        (["--tz", ""], "--tz"),
        (["--since", "2026-02-30"], "'2026-02-30'"),
        (["--until", "tomorrow"], "'tomorrow'"),
        (["--since", "2026-11-01T10:00:00.5Z"], "'2026-11-01T10:00:00.5Z'"),
        (["--since", "2026-11-02", "--until", "2026-11-01"], "--since '2026-11-02' is not before --until '2026-11-01'"),
        (["--since", "2026-11-01", "--until", "2026-11-01"], "is not before"),
        // The same instant written two ways.
        (["--tz", "Asia/Kolkata", "--since", "2026-11-29", "--until", "2026-11-28T18:30:00Z"], "is not before"),
    ])
    func usageErrors(_ options: [String], _ named: String) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("ny.jsonl", Self.log)
        let result = try tokentally(["summarize", "ny.jsonl", "-o", "out.csv"] + options, in: scratch.url)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderrLines.first?.contains(named) == true, "\(result.stderr)")
        #expect(try scratch.names() == ["ny.jsonl"])
    }
}
