import Foundation
import TallyPipeline
import TestSupport
import Testing

/// `--state DIR`: a week of nightly runs over a folder where logs are added, rotated away,
/// grown and copied under a second name. After every night the summary equals a run from
/// scratch over every file the state has seen (their latest content), and only new or changed
/// files were read.
@Suite struct StatePipelineTests {
    /// A day's log: founding-shape records with ids, and a Claude Code message written twice
    /// (so deduplication across files and nights is exercised), spread over the day.
    static func log(day: Int, lines: Int, seed: UInt64) -> String {
        var generator = SplitMix64(seed: seed)
        var text = ""
        for index in 0..<lines {
            let hour = Int(generator.next() % 24), input = Int(generator.next() % 5000), output = Int(generator.next() % 900)
            let model = ["gpt-4o", "anthropic/claude-sonnet-4", "google/gemini-2.5-pro"][Int(generator.next() % 3)]
            let time = String(format: "2026-11-%02dT%02d:%02d:00Z", day, hour, index % 60)
            text += #"{"id":"r-\#(day)-\#(seed)-\#(index)","timestamp":"\#(time)","model":"\#(model)","usage":{"input_tokens":\#(input),"output_tokens":\#(output),"cost":0.00\#(input % 97 + 1)}}"# + "\n"
        }
        for copy in 0..<2 {
            let time = String(format: "2026-11-%02dT23:59:%02d.000Z", day, 58 + copy)
            text += #"{"type":"assistant","requestId":"req-\#(day)","timestamp":"\#(time)","message":{"id":"msg-\#(day)","model":"claude-sonnet-4-5","usage":{"input_tokens":5,"cache_read_input_tokens":100,"output_tokens":\#(10 + 40 * copy)}}}"# + "\n"
        }
        return text
    }

    /// The folder the nightly job reads, and an archive holding the latest content of every
    /// file ever seen there (the from-scratch reference).
    final class Folder {
        let root: TemporaryDirectory
        var logs: String { root.path("logs") }
        var archive: String { root.path("archive") }
        var state: String { root.path("state") }

        init() throws {
            root = try TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
        }

        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: logs + "/" + name, atomically: false, encoding: .utf8)
            try text.write(toFile: archive + "/" + name, atomically: false, encoding: .utf8)
        }

        func append(_ name: String, _ text: String) throws {
            let handle = try #require(FileHandle(forWritingAtPath: logs + "/" + name))
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            handle.closeFile()
            try FileManager.default.removeItem(atPath: archive + "/" + name)
            try FileManager.default.copyItem(atPath: logs + "/" + name, toPath: archive + "/" + name)
        }

        func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: logs + "/" + name) }

        func copy(_ name: String, as other: String) throws {
            try FileManager.default.copyItem(atPath: logs + "/" + name, toPath: logs + "/" + other)
            try FileManager.default.copyItem(atPath: logs + "/" + name, toPath: archive + "/" + other)
        }
    }

    @Test func aWeekOfNights() throws {
        let folder = try Folder()
        defer { folder.root.remove() }
        try folder.write("app-2026-11-20.jsonl", Self.log(day: 20, lines: 40, seed: 1))
        for night in 0..<7 {
            let day = 21 + night
            // Each night: a new log; the oldest rotated away; yesterday's grown; one copied.
            try folder.write("app-2026-11-\(day).jsonl", Self.log(day: day, lines: 30 + night, seed: UInt64(day)))
            if night >= 2 { try folder.remove("app-2026-11-\(day - 3).jsonl") }
            if night >= 1 { try folder.append("app-2026-11-\(day - 1).jsonl", Self.log(day: day - 1, lines: 5, seed: UInt64(100 + day))) }
            // …and one log copied under a second name (tonight's, or on odd nights yesterday's grown one).
            if night % 2 == 0 {
                try folder.copy("app-2026-11-\(day).jsonl", as: "copy-of-\(day).jsonl")
            } else {
                try folder.copy("app-2026-11-\(day - 1).jsonl", as: "app-2026-11-\(day - 1).jsonl.bak.jsonl")
            }

            let nightly = try runPipeline([folder.logs], by: "day,model", state: folder.state)
            let scratch = try runPipeline([folder.archive], by: "day,model")
            #expect(nightly.csv == scratch.csv, "night \(night)")
            #expect(nightly.report.totals == scratch.report.totals, "night \(night)")

            // Read tonight: the new log and the grown one; a copy is a duplicate, not read.
            let read = nightly.report.files.filter { $0.origin == .read }.map { ($0.path as NSString).lastPathComponent }.sorted()
            var expected = ["app-2026-11-\(day).jsonl"]
            if night == 0 { expected.insert("app-2026-11-20.jsonl", at: 0) } else { expected.insert("app-2026-11-\(day - 1).jsonl", at: 0) }
            #expect(read == expected, "night \(night)")
            // History: every log rotated away, unless a copy of its bytes is still there (then
            // that copy counts, under its own name).
            let present = try FileManager.default.contentsOfDirectory(atPath: folder.logs).map {
                try Data(contentsOf: URL(fileURLWithPath: folder.logs + "/" + $0))
            }
            let gone = try FileManager.default.contentsOfDirectory(atPath: folder.archive).filter {
                !FileManager.default.fileExists(atPath: folder.logs + "/" + $0)
            }
            let expectedHistory = try gone.filter { !present.contains(try Data(contentsOf: URL(fileURLWithPath: folder.archive + "/" + $0))) }
            let history = nightly.report.files.filter { $0.origin == .history }.count
            #expect(history == expectedHistory.count, "night \(night)")
            #expect(night < 3 || history >= 1)
            let copy = night % 2 == 0 ? "copy-of-\(day).jsonl" : "app-2026-11-\(day - 1).jsonl.bak.jsonl"
            #expect(nightly.report.files.first { $0.path.hasSuffix(copy) }?.origin == .duplicate, "night \(night)")
        }
    }

    /// A rotated file under a new name is not read again; its contribution follows the name.
    @Test func aRenamedFileIsNotReadAgain() throws {
        let folder = try Folder()
        defer { folder.root.remove() }
        try folder.write("a.jsonl", Self.log(day: 26, lines: 20, seed: 5))
        let first = try runPipeline([folder.logs], by: "day,file", state: folder.state)
        try FileManager.default.moveItem(atPath: folder.logs + "/a.jsonl", toPath: folder.logs + "/a-1.jsonl")
        let second = try runPipeline([folder.logs], by: "day,file", state: folder.state)
        #expect(second.report.files.map(\.origin) == [.renamed])
        #expect(second.csv == first.csv.replacingOccurrences(of: "/a.jsonl", with: "/a-1.jsonl"))
        #expect(second.csv == (try runPipeline([folder.logs], by: "day,file").csv))
    }

    /// Other options cannot reuse the partials: present files are read again; gone ones make
    /// the run fail with one clear line, unless --forget-missing.
    @Test func otherOptions() throws {
        let folder = try Folder()
        defer { folder.root.remove() }
        try folder.write("a.jsonl", Self.log(day: 26, lines: 10, seed: 5))
        try folder.write("b.jsonl", Self.log(day: 27, lines: 10, seed: 6))
        _ = try runPipeline([folder.logs], by: "day,model", state: folder.state)
        let regrouped = try runPipeline([folder.logs], by: "month", state: folder.state)
        #expect(regrouped.report.files.map(\.origin) == [.read, .read])
        #expect(regrouped.csv == (try runPipeline([folder.logs], by: "month").csv))

        try folder.remove("a.jsonl")
        #expect(throws: SummarizePipeline.Failure.self) { try runPipeline([folder.logs], by: "day", state: folder.state) }
        do {
            _ = try runPipeline([folder.logs], by: "day", state: folder.state)
        } catch {
            #expect("\(error)".contains("made with other options"))
            #expect("\(error)".contains("--forget-missing"))
        }
        let forgot = try runPipeline([folder.logs], by: "day", state: folder.state, forgetMissing: true)
        #expect(forgot.csv == (try runPipeline([folder.logs], by: "day").csv))
    }

    /// A state of another version, or a damaged manifest, is refused, never misread.
    @Test func foreignStates() throws {
        let folder = try Folder()
        defer { folder.root.remove() }
        try folder.write("a.jsonl", Self.log(day: 26, lines: 3, seed: 5))
        try FileManager.default.createDirectory(atPath: folder.state, withIntermediateDirectories: true)
        try #"{"stateVersion": 99, "entries": []}"#.write(toFile: folder.state + "/manifest.json", atomically: false, encoding: .utf8)
        do {
            _ = try runPipeline([folder.logs], state: folder.state)
            Issue.record("a version-99 state was accepted")
        } catch {
            #expect("\(error)".contains("state version 99"))
        }
        try "{not json".write(toFile: folder.state + "/manifest.json", atomically: false, encoding: .utf8)
        #expect(throws: SummarizePipeline.Failure.self) { try runPipeline([folder.logs], state: folder.state) }
    }

    /// Without --state too, two inputs with the same content count once.
    @Test func sameContentTwiceCountsOnce() throws {
        let folder = try Folder()
        defer { folder.root.remove() }
        try folder.write("a.jsonl", Self.log(day: 26, lines: 10, seed: 5))
        try folder.copy("a.jsonl", as: "b.jsonl")
        let run = try runPipeline([folder.logs])
        let single = try runPipeline([folder.logs + "/a.jsonl"])
        #expect(run.csv == single.csv)
        #expect(run.report.files.map(\.origin) == [.read, .duplicate])
        #expect(run.report.problemLines.contains { $0.contains("same content as") })
    }
}

/// `tokentally merge`: hosts' states summed from their partials alone, each content once.
@Suite struct MergePipelineTests {
    func configuration(_ by: String = "day,model", output: String) throws -> SummarizeConfiguration {
        var configuration = SummarizeConfiguration(inputs: [])
        configuration.columns = try by.split(separator: ",").map { try column(String($0)) }
        configuration.outputPath = output
        return configuration
    }

    @Test func twoHostsEqualOneRunOverAllTheirFiles() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        // Host A has a and b; host B has c and the same bytes as b (a log both collected).
        let a = StatePipelineTests.log(day: 26, lines: 30, seed: 1)
        let b = StatePipelineTests.log(day: 27, lines: 30, seed: 2)
        let c = StatePipelineTests.log(day: 28, lines: 30, seed: 3)
        _ = try scratch.write("hostA/logs/a.jsonl", a)
        _ = try scratch.write("hostA/logs/b.jsonl", b)
        _ = try scratch.write("hostB/logs/c.jsonl", c)
        _ = try scratch.write("hostB/logs/b-copy.jsonl", b)
        _ = try scratch.write("all/a.jsonl", a)
        _ = try scratch.write("all/b.jsonl", b)
        _ = try scratch.write("all/c.jsonl", c)
        _ = try runPipeline([scratch.path("hostA/logs")], state: scratch.path("hostA/state"))
        _ = try runPipeline([scratch.path("hostB/logs")], state: scratch.path("hostB/state"))
        // Host A's log is rotated away afterwards: the state still has it.
        try FileManager.default.removeItem(atPath: scratch.path("hostA/logs/a.jsonl"))

        let merged = try SummarizePipeline.merge(
            states: [scratch.path("hostA/state"), scratch.path("hostB/state")], configuration(output: scratch.path("merged.csv")))
        let expected = try runPipeline([scratch.path("all")])
        #expect(try String(contentsOfFile: scratch.path("merged.csv"), encoding: .utf8) == expected.csv)
        #expect(merged.totals == expected.report.totals)
        #expect(merged.files.filter { $0.origin == .duplicate }.map { $0.duplicateOf ?? "" } == [scratch.path("hostA/logs/b.jsonl")])

        // The same state twice, or merged with itself, doubles nothing.
        _ = try SummarizePipeline.merge(
            states: [scratch.path("hostA/state"), scratch.path("hostA/state")], configuration(output: scratch.path("twice.csv")))
        let hostA = try runPipeline([scratch.path("all/a.jsonl"), scratch.path("all/b.jsonl")])
        #expect(try String(contentsOfFile: scratch.path("twice.csv"), encoding: .utf8) == hostA.csv)
    }

    @Test func statesOfOtherOptionsAreRefused() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        _ = try scratch.write("logs/a.jsonl", StatePipelineTests.log(day: 26, lines: 3, seed: 1))
        _ = try runPipeline([scratch.path("logs")], by: "day,model", state: scratch.path("state"))
        do {
            _ = try SummarizePipeline.merge(states: [scratch.path("state")], configuration("month", output: scratch.path("m.csv")))
            Issue.record("a state of other options was merged")
        } catch {
            #expect("\(error)".contains("was made with other options"))
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path("m.csv")))
        do {
            _ = try SummarizePipeline.merge(states: [scratch.path("logs")], configuration(output: scratch.path("m.csv")))
            Issue.record("a directory without a manifest was merged")
        } catch {
            #expect("\(error)".contains("is not a tokentally state directory"))
        }
    }
}
