import Foundation
import TestSupport
import Testing

/// `--state` through the binary: a second run on a held state exits 75 at once with one line
/// (or waits with `--wait`); nightly runs read only what is new; options that need `--state`.
@Suite struct StateCLITests {
    /// Two runs on one state: the second (while util-linux `flock` holds the lock) exits 75
    /// and touches nothing; with `--wait` it completes once the holder is gone.
    @Test func aHeldStateExits75OrWaits() throws {
        let flockPath = "/usr/bin/flock"
        try #require(FileManager.default.isExecutableFile(atPath: flockPath), "util-linux flock is needed")
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("logs/a.jsonl", usageLine(input: 10, output: 5) + "\n")
        let state = scratch.path("state")
        let first = try tokentally(["summarize", log, "--state", state, "-o", "out.csv"], in: scratch.url)
        #expect(first.status == 0)
        let manifest = try String(contentsOfFile: state + "/manifest.json", encoding: .utf8)

        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: flockPath)
        holder.arguments = [state + "/lock", "sh", "-c", "echo held; sleep 2"]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        #expect(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self) == "held\n")

        try "old\n".write(toFile: scratch.path("other.csv"), atomically: false, encoding: .utf8)
        let blocked = try tokentally(["summarize", log, "--state", state, "-o", "other.csv"], in: scratch.url)
        #expect(blocked.status == 75)
        #expect(blocked.stderrLines.count == 1)
        #expect(blocked.stderr.contains("another tokentally run holds \(state)"))
        #expect(try String(contentsOfFile: scratch.path("other.csv"), encoding: .utf8) == "old\n")
        #expect(try String(contentsOfFile: state + "/manifest.json", encoding: .utf8) == manifest)

        let waited = try tokentally(["summarize", log, "--state", state, "--wait", "30", "-o", "other.csv"], in: scratch.url)
        #expect(waited.status == 0)
        #expect(try String(contentsOfFile: scratch.path("other.csv"), encoding: .utf8)
            == String(contentsOfFile: scratch.path("out.csv"), encoding: .utf8))
        holder.waitUntilExit()
    }

    /// The second night reads only the new file; the summary line says so.
    @Test func theSecondNightReadsOnlyWhatIsNew() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        _ = try scratch.write("logs/a.jsonl", usageLine(input: 10, output: 5) + "\n")
        let state = scratch.path("state")
        #expect(try tokentally(["summarize", "logs", "--state", state, "-o", "out.csv"], in: scratch.url).status == 0)
        _ = try scratch.write("logs/b.jsonl", usageLine(time: "2026-11-29T10:00:00Z", input: 1, output: 2) + "\n")
        try FileManager.default.removeItem(atPath: scratch.path("logs/a.jsonl"))
        let second = try tokentally(
            ["summarize", "logs", "--state", state, "-o", "out.csv", "--report", "r.json", "--progress", "never"], in: scratch.url)
        #expect(second.status == 0)
        #expect(try String(contentsOfFile: scratch.path("out.csv"), encoding: .utf8) == """
            day,model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd
            2026-11-28,openai/gpt-4o,1,10,0,0,5,0,15,
            2026-11-29,openai/gpt-4o,1,1,0,0,2,0,3,

            """)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("r.json")))) as? [String: Any]
        let files = report?["files"] as? [[String: Any]] ?? []
        #expect(files.map { $0["path"] as? String } == ["logs/a.jsonl", "logs/b.jsonl"])
        #expect(files.map { $0["origin"] as? String } == ["history", "read"])
    }

    @Test(arguments: [
        (["--forget-missing"], "--forget-missing needs --state"),
        (["--wait", "3"], "--wait needs --state"),
        (["--state", "st", "-"], "--state cannot remember standard input"),
    ])
    func optionsThatNeedState(_ extra: [String], _ message: String) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("a.jsonl", usageLine(input: 1, output: 1) + "\n")
        let result = try tokentally(["summarize", log] + extra, in: scratch.url)
        #expect(result.status == 64)
        #expect(result.stderr.contains(message))
    }
}

/// A run killed (SIGKILL) at any point of writing its outputs and state leaves the previous
/// outputs and state usable, and the next run gives what an uninterrupted run gives.
@Suite struct StateCrashTests {
    static func log(_ day: Int, _ count: Int) -> String {
        (0..<count).map { index in
            usageLine(time: "2026-11-\(day)T\(10 + index % 10):00:00Z", model: index % 2 == 0 ? "m/a" : "m/b", input: index + day, output: 3)
        }.joined(separator: "\n") + "\n"
    }

    @Test(arguments: ["before-outputs", "after-outputs", "after-partials", "after-manifest"])
    func killedAt(_ point: String) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        // Night 1, complete, in two identical set-ups: one to crash, one as the reference.
        for side in ["crash", "reference"] {
            _ = try scratch.write("\(side)/logs/a.jsonl", Self.log(26, 20))
            _ = try scratch.write("\(side)/logs/b.jsonl", Self.log(27, 20))
            let night1 = try tokentally(["summarize", "logs", "--state", "state", "-o", "out.csv"], in: scratch.url.appendingPathComponent(side))
            #expect(night1.status == 0)
        }
        let night1CSV = try String(contentsOfFile: scratch.path("crash/out.csv"), encoding: .utf8)
        // Night 2: one log rotated away, one new.
        for side in ["crash", "reference"] {
            try FileManager.default.removeItem(atPath: scratch.path("\(side)/logs/a.jsonl"))
            _ = try scratch.write("\(side)/logs/c.jsonl", Self.log(28, 20))
        }
        let killed = try tokentally(
            ["summarize", "logs", "--state", "state", "-o", "out.csv"], in: scratch.url.appendingPathComponent("crash"),
            environment: ["TOKENTALLY_TEST_KILL_AT": point])
        #expect(killed.status == 9 || killed.status == 128 + 9, "killed by SIGKILL (\(killed.status))")
        // The outputs are the old ones or the new ones, never partial.
        let afterCrash = try String(contentsOfFile: scratch.path("crash/out.csv"), encoding: .utf8)
        let reference = try tokentally(["summarize", "logs", "--state", "state", "-o", "out.csv"], in: scratch.url.appendingPathComponent("reference"))
        #expect(reference.status == 0)
        let expected = try String(contentsOfFile: scratch.path("reference/out.csv"), encoding: .utf8)
        #expect(afterCrash == (point == "before-outputs" ? night1CSV : expected))

        // The next run completes normally and equals the uninterrupted one, twice over.
        for _ in 0..<2 {
            let again = try tokentally(["summarize", "logs", "--state", "state", "-o", "out.csv"], in: scratch.url.appendingPathComponent("crash"))
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try String(contentsOfFile: scratch.path("crash/out.csv"), encoding: .utf8) == expected)
        }
        let partials = try FileManager.default.contentsOfDirectory(atPath: scratch.path("crash/state/partials")).filter { !$0.contains(".tmp-") }.sorted()
        let referencePartials = try FileManager.default.contentsOfDirectory(atPath: scratch.path("reference/state/partials")).sorted()
        #expect(partials == referencePartials)
    }
}

/// `tokentally merge` through the binary.
@Suite struct MergeCLITests {
    @Test func mergesHostsAndRefusesOtherOptions() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        _ = try scratch.write("h1/a.jsonl", usageLine(input: 10, output: 5) + "\n")
        _ = try scratch.write("h2/b.jsonl", usageLine(time: "2026-11-29T10:00:00Z", input: 1, output: 2) + "\n")
        #expect(try tokentally(["summarize", "h1", "--state", "s1"], in: scratch.url).status == 0)
        #expect(try tokentally(["summarize", "h2", "--state", "s2"], in: scratch.url).status == 0)
        let merged = try tokentally(["merge", "s1", "s2", "s1"], in: scratch.url)
        #expect(merged.status == 0)
        #expect(merged.stdout == """
            day,model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd
            2026-11-28,openai/gpt-4o,1,10,0,0,5,0,15,
            2026-11-29,openai/gpt-4o,1,1,0,0,2,0,3,

            """)
        let other = try tokentally(["merge", "s1", "--by", "month"], in: scratch.url)
        #expect(other.status == 1)
        #expect(other.stderrLines.count == 1)
        #expect(other.stderr.contains("s1 was made with other options"))
        #expect(try tokentally(["merge"], in: scratch.url).status == 64)
    }
}
