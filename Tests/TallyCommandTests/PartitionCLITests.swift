import TestSupport
import Foundation
import Testing

/// Issue 6, part 3: `-o DIR --partition-by COLUMN` through the binary — a Hive-style dataset
/// that DuckDB reads as the single file's table.
@Suite struct PartitionCLITests {
    /// Two days and a record without a time.
    static let log = [
        usageLine(time: "2026-11-28T10:00:00Z", model: "openai/gpt-4o", input: 1321, output: 6590, cost: "0.0123"),
        usageLine(time: "2026-11-28T11:00:00Z", model: "anthropic/claude-sonnet-4", input: 50, output: 5),
        usageLine(time: "2026-11-29T09:00:00Z", model: "openai/gpt-4o", input: 100, output: 10, cost: "0.5"),
        "{\"model\":\"openai/gpt-4o\",\"usage\":{\"input_tokens\":7,\"output_tokens\":3}}",
    ].joined(separator: "\n") + "\n"

    static let measures = "requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd"

    @Test("--by day,model --partition-by day: one directory per day, the day column left out of the part files")
    func layoutAndContent() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("logs/a.jsonl", Self.log)
        let result = try tokentally(
            ["summarize", "logs", "--by", "day,model", "--partition-by", "day", "-o", "out", "--report", "run.json"],
            in: scratch.url)
        #expect(result.status == 0)
        #expect(result.stdout == "")
        #expect(result.stderr == "")
        #expect(try scratch.names() == ["logs", "out", "run.json"])
        #expect(try scratch.names("out") == ["day=2026-11-28", "day=2026-11-29", "day=__HIVE_DEFAULT_PARTITION__"])
        #expect(try scratch.names("out/day=2026-11-28") == ["part-0.csv"])
        #expect(try scratch.read("out/day=2026-11-28/part-0.csv") == """
            model,\(Self.measures)
            anthropic/claude-sonnet-4,1,50,0,0,5,0,55,
            openai/gpt-4o,1,1321,0,0,6590,0,7911,0.0123

            """)
        #expect(try scratch.read("out/day=2026-11-29/part-0.csv") == "model,\(Self.measures)\nopenai/gpt-4o,1,100,0,0,10,0,110,0.5\n")
        #expect(try scratch.read("out/day=__HIVE_DEFAULT_PARTITION__/part-0.csv") == "model,\(Self.measures)\nopenai/gpt-4o,1,7,0,0,3,0,10,\n")
        #expect(try scratch.read("run.json").contains("\"rows\": 4") || scratch.read("run.json").contains("\"rows\":4"))
    }

    @Test("a run replaces only the partitions it has rows for; other files in DIR are left alone")
    func untouchedPartitionsStay() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("logs/a.jsonl", Self.log)
        #expect(try tokentally(["summarize", "logs", "--partition-by", "day", "-o", "out"], in: scratch.url).status == 0)
        try scratch.write("out/README", "my notes\n")
        let before28 = try scratch.read("out/day=2026-11-28/part-0.csv")
        // The next night: a new log, and only the 29th is summarised again.
        try scratch.write("logs/b.jsonl", usageLine(time: "2026-11-29T20:00:00Z", model: "x-ai/grok", input: 1, output: 1) + "\n")
        let night = try tokentally(["summarize", "logs", "--since", "2026-11-29", "--partition-by", "day", "-o", "out"], in: scratch.url)
        #expect(night.status == 0)
        #expect(try scratch.names("out") == ["README", "day=2026-11-28", "day=2026-11-29", "day=__HIVE_DEFAULT_PARTITION__"])
        #expect(try scratch.read("out/day=2026-11-28/part-0.csv") == before28)
        #expect(try scratch.read("out/README") == "my notes\n")
        #expect(try scratch.read("out/day=2026-11-29/part-0.csv") == """
            model,\(Self.measures)
            openai/gpt-4o,1,100,0,0,10,0,110,0.5
            x-ai/grok,1,1,0,0,1,0,2,

            """)
        #expect(try scratch.names("out/day=2026-11-29") == ["part-0.csv"])
    }

    @Test("usage errors: a column not in --by, no -o, -o -")
    func usageErrors() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("a.jsonl", Self.log)
        for arguments in [
            ["--partition-by", "model", "--by", "day", "-o", "out"],
            ["--partition-by", "week", "-o", "out"],
            ["--partition-by", "day"],
            ["--partition-by", "day", "-o", "-"],
        ] {
            let result = try tokentally(["summarize", "a.jsonl"] + arguments, in: scratch.url)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.contains("--partition-by"), "\(arguments)")
        }
        #expect(try scratch.names() == ["a.jsonl"])
        // A directory without --partition-by is still refused as an output file, and a file
        // is refused as a dataset's directory: nothing is read first.
        try scratch.directory("dir")
        let plain = try tokentally(["summarize", "a.jsonl", "-o", "dir"], in: scratch.url)
        #expect(plain.status == 1)
        #expect(plain.stderr.contains("dir: is a directory"))
        let file = try tokentally(["summarize", "a.jsonl", "--partition-by", "day", "-o", "a.jsonl"], in: scratch.url)
        #expect(file.status == 1)
        #expect(file.stderr.contains("a.jsonl: is not a directory"))
    }

    @Test("hostile model values never make a path outside DIR, and DuckDB reads them back exactly")
    func hostileValues() throws {
        let scratch = try TemporaryDirectory()
        let models = [
            "../../etc", "..", ".", "a/b", "/etc/passwd", "nul\\u0000byte", "new\\nline", "tab\\there", "x=y%2F",
            "__HIVE_DEFAULT_PARTITION__", "été/模型", String(repeating: "../", count: 100), String(repeating: "é", count: 200),
        ]
        try scratch.write("logs/a.jsonl", models.map { usageLine(model: $0, input: 1, output: 1) }.joined(separator: "\n") + "\n")
        try scratch.directory("sandbox/out")
        let single = try tokentally(["summarize", "logs", "--by", "model,day", "-o", "single.csv"], in: scratch.url)
        #expect(single.status == 0)
        let parts = try tokentally(
            ["summarize", "../logs", "--by", "model,day", "--partition-by", "model", "-o", "out"], in: scratch.url.appendingPathComponent("sandbox"))
        #expect(parts.status == 0, "\(parts.stderr)")
        // Everything below the scratch directory: the logs, the single file, and the dataset.
        let all = FileManager.default.enumerator(atPath: scratch.path)!.allObjects.compactMap { $0 as? String }.sorted()
        let known = ["logs", "logs/a.jsonl", "single.csv", "single.csv-metadata.json", "sandbox", "sandbox/out"]
        let outside = all.filter { !$0.hasPrefix("sandbox/out/") && !known.contains($0) }
        #expect(outside == [])
        let partitions = try scratch.names("sandbox/out")
        #expect(partitions.count == models.count)
        for name in partitions {
            #expect(name.hasPrefix("model=") && name.utf8.count <= 255)
            #expect(try scratch.names("sandbox/out/" + name) == ["part-0.csv"])
        }
        #expect(partitions.contains("model=..%2F..%2Fetc"))
        #expect(partitions.contains("model=nul%00byte"))
        #expect(partitions.contains("model=%5F_HIVE_DEFAULT_PARTITION__"))
        // The two cut values read back cut; compare the others exactly in DuckDB.
        try FileManager.default.removeItem(atPath: scratch("sandbox/out/" + partitions.first { $0.contains("~") && $0.contains("..") }!))
        try FileManager.default.removeItem(atPath: scratch("sandbox/out/" + partitions.first { $0.contains("~") && $0.contains("é") }!))
        let lines = try scratch.read("single.csv").split(separator: "\n", omittingEmptySubsequences: false)
        try scratch.write("single.csv", lines.filter { !$0.hasPrefix("../../../") && !$0.hasPrefix("éééé") }.joined(separator: "\n"))
        try expectDuckDBReadsTheSameTable(dataset: scratch("sandbox/out"), single: scratch("single.csv"))
    }

    @Test("DuckDB reads DIR/*/*.csv with hive_partitioning as the single file's table", arguments: [
        ("day,model", "day"), ("day,model", "model"), ("model,hour", "hour"), ("month", "month"),
    ])
    func duckDBReadsTheDataset(by: String, partition: String) throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("logs/a.jsonl", Self.log + usageLine(time: "2026-12-01T00:00:00Z", model: "a,b \\\"q\\\"", input: 2, output: 2) + "\n")
        #expect(try tokentally(["summarize", "logs", "--by", by, "-o", "single.csv"], in: scratch.url).status == 0)
        let parts = try tokentally(["summarize", "logs", "--by", by, "--partition-by", partition, "-o", "out"], in: scratch.url)
        #expect(parts.status == 0)
        try expectDuckDBReadsTheSameTable(dataset: scratch("out"), single: scratch("single.csv"))
    }

    @Test("merge writes the same dataset from states")
    func mergeWritesADataset() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("h1/a.jsonl", Self.log)
        try scratch.write("h2/b.jsonl", usageLine(time: "2026-11-30T10:00:00Z", input: 1, output: 2) + "\n")
        #expect(try tokentally(["summarize", "h1", "--state", "s1"], in: scratch.url).status == 0)
        #expect(try tokentally(["summarize", "h2", "--state", "s2"], in: scratch.url).status == 0)
        let merged = try tokentally(["merge", "s1", "s2", "--partition-by", "day", "-o", "out"], in: scratch.url)
        #expect(merged.status == 0)
        #expect(merged.stdout == "")
        #expect(try scratch.names("out") == ["day=2026-11-28", "day=2026-11-29", "day=2026-11-30", "day=__HIVE_DEFAULT_PARTITION__"])
        #expect(try scratch.read("out/day=2026-11-30/part-0.csv") == "model,\(Self.measures)\nopenai/gpt-4o,1,1,0,0,2,0,3,\n")
        #expect(try tokentally(["merge", "s1", "--partition-by", "key", "-o", "out"], in: scratch.url).status == 64)
    }
}

/// Runs `Tests/Oracles/check-hive-dataset.py`: DuckDB's `read_csv('DIR/*/*.csv',
/// hive_partitioning=true)`, ordered, must equal the single file. Cancelled (with the reason)
/// where Python's `duckdb` is not installed (`scripts/ensure-deps.sh` installs it).
func expectDuckDBReadsTheSameTable(dataset: String, single: String) throws {
    let probe = try run("/usr/bin/env", ["python3", "-c", "import duckdb"])
    if probe.status != 0 {
        try Test.cancel("python3 cannot import duckdb (pip install duckdb, or scripts/ensure-deps.sh): the DuckDB check is skipped")
    }
    let oracle = packageRoot.appendingPathComponent("Tests/Oracles/check-hive-dataset.py").path
    let result = try run("/usr/bin/env", ["python3", oracle, dataset, single])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
}

/// Runs a program; its status and output.
private func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// A crash while the partitions are renamed into place leaves each partition whole, old or new;
/// the next run writes what an uninterrupted run writes.
@Suite struct PartitionCrashTests {
    @Test(arguments: ["before-outputs", "after-first-partition"])
    func killedWhileWriting(_ point: String) throws {
        let scratch = try TemporaryDirectory()
        let night1 = usageLine(time: "2026-11-28T10:00:00Z", input: 1, output: 1) + "\n"
            + usageLine(time: "2026-11-29T10:00:00Z", input: 2, output: 2) + "\n"
        try scratch.write("logs/a.jsonl", night1)
        #expect(try tokentally(["summarize", "logs", "--partition-by", "day", "-o", "out"], in: scratch.url).status == 0)
        let old28 = try scratch.read("out/day=2026-11-28/part-0.csv")
        let old29 = try scratch.read("out/day=2026-11-29/part-0.csv")
        // Both days change (a copy of a.jsonl would count once: same content).
        try scratch.write("logs/b.jsonl", usageLine(time: "2026-11-28T11:00:00Z", input: 10, output: 1) + "\n"
            + usageLine(time: "2026-11-29T11:00:00Z", input: 20, output: 2) + "\n")
        let killed = try tokentally(
            ["summarize", "logs", "--partition-by", "day", "-o", "out"], in: scratch.url,
            environment: ["TOKENTALLY_TEST_KILL_AT": point])
        #expect(killed.status == 9 || killed.status == 128 + 9, "killed by SIGKILL (\(killed.status))")
        let new28 = "model,\(PartitionCLITests.measures)\nopenai/gpt-4o,2,11,0,0,2,0,13,\n"
        let new29 = "model,\(PartitionCLITests.measures)\nopenai/gpt-4o,2,22,0,0,4,0,26,\n"
        #expect(try scratch.read("out/day=2026-11-28/part-0.csv") == (point == "before-outputs" ? old28 : new28))
        #expect(try scratch.read("out/day=2026-11-29/part-0.csv") == old29)
        let again = try tokentally(["summarize", "logs", "--partition-by", "day", "-o", "out"], in: scratch.url)
        #expect(again.status == 0)
        #expect(try scratch.read("out/day=2026-11-28/part-0.csv") == new28)
        #expect(try scratch.read("out/day=2026-11-29/part-0.csv") == new29)
        // The killed run's temporary files may stay (hidden, and not *.csv); nothing else.
        let files = try scratch.names("out/day=2026-11-29").filter { !$0.hasPrefix(".part-0.csv.tmp-") }
        #expect(files == ["part-0.csv"])
    }
}
