import TestSupport
import Foundation
import TallyPrimitives
import Testing
import UsageAggregation

@testable import SummaryOutput

/// Issue 6, part 3: `-o DIR --partition-by COLUMN` writes a Hive-style dataset.
@Suite struct PartitionedOutputTests {
    /// 2026-11-28 and 2026-11-29, 00:00 UTC.
    static let nov28: Int64 = 1_795_824_000
    static let nov29: Int64 = nov28 + 86_400

    /// A `day,model` table of four rows (one without a time), sorted as stage 4 sorts.
    static let dayModel = SummaryTable(columns: [.time(.day), .model], rows: [
        SummaryRow(groupValues: [.none, .text("m")], measures: measures(requests: 1, input: "1", output: "1", total: "2")),
        SummaryRow(groupValues: [.time(nov28), .text("a/b")], measures: measures(requests: 2, input: "10", output: "5", total: "15", cost: "0.5")),
        SummaryRow(groupValues: [.time(nov28), .text("z")], measures: measures(requests: 1, input: "3", output: "4", total: "7")),
        SummaryRow(groupValues: [.time(nov29), .text("a/b")], measures: measures(requests: 1, input: "1", output: "1", total: "2")),
    ])

    @Test func directoryNamesOfTimesAndMissingValues() {
        #expect(HivePartition.directoryName(column: "day", value: .time(Self.nov28), of: .time(.day)) == "day=2026-11-28")
        #expect(HivePartition.directoryName(column: "hour", value: .time(Self.nov28 + 3600 * 13), of: .time(.hour))
            == "hour=2026-11-28 13%3A00")
        #expect(HivePartition.directoryName(column: "model", value: .none, of: .model) == "model=__HIVE_DEFAULT_PARTITION__")
        #expect(HivePartition.directoryName(column: "model", value: .text(""), of: .model) == "model=__HIVE_DEFAULT_PARTITION__")
    }

    /// Every byte a path or Hive gives a meaning to is percent-encoded; nothing else is.
    @Test(arguments: [
        ("../../etc", "k=..%2F..%2Fetc"),
        ("..", "k=.."),
        (".", "k=."),
        ("a/b", "k=a%2Fb"),
        ("/", "k=%2F"),
        ("a\u{0}b", "k=a%00b"),
        ("line\nbreak\r\t", "k=line%0Abreak%0D%09"),
        ("x=y", "k=x%3Dy"),
        ("100%", "k=100%25"),
        ("a:b", "k=a%3Ab"),
        ("\"#'*?\\{[]^\u{7F}", "k=%22%23%27%2A%3F%5C%7B%5B%5D%5E%7F"),
        ("with space,comma", "k=with space,comma"),
        ("été 模型", "k=été 模型"),
        ("__HIVE_DEFAULT_PARTITION__", "k=%5F_HIVE_DEFAULT_PARTITION__"),
        ("NULL", "k=NULL"),
    ])
    func hostileValuesAreEncoded(_ value: String, _ expected: String) {
        let name = HivePartition.directoryName(column: "k", text: value)
        #expect(name == expected)
        #expect(!name.utf8.contains(UInt8(ascii: "/")) && !name.utf8.contains(0))
        #expect(name != "." && name != "..")
    }

    /// A name past `NAME_MAX` is cut at a whole character (or escape) and ends in a hash of the
    /// whole value, so two long values with the same start stay apart.
    @Test func longValuesAreCutWithAHash() {
        let long = String(repeating: "é", count: 300)
        let name = HivePartition.directoryName(column: "key", text: long)
        #expect(name.utf8.count <= 255)
        #expect(name.hasPrefix("key=éé"))
        #expect(name.utf8.count >= 250)
        let tilde = name.lastIndex(of: "~")!
        #expect(name[name.index(after: tilde)...].count == 16)
        let other = HivePartition.directoryName(column: "key", text: long + "x")
        #expect(other != name && other.utf8.count <= 255)
        let slashes = HivePartition.directoryName(column: "key", text: String(repeating: "/", count: 200))
        #expect(slashes.utf8.count <= 255)
        #expect(slashes.dropFirst(4).hasPrefix("%2F%2F"))
        #expect(slashes[..<slashes.lastIndex(of: "~")!].hasSuffix("%2F"))
        // Just at the limit: kept whole.
        let fits = String(repeating: "a", count: 251)
        #expect(HivePartition.directoryName(column: "key", text: fits) == "key=" + fits)
        #expect(HivePartition.directoryName(column: "key", text: fits + "a").contains("~"))
    }

    /// Sub-tables leave out the partition column and keep the rows' order.
    @Test func partitionsDropTheColumn() throws {
        let parts = try PartitionedOutput.partitions(of: Self.dayModel, by: .time(.day))
        #expect(parts.map(\.directoryName) == ["day=__HIVE_DEFAULT_PARTITION__", "day=2026-11-28", "day=2026-11-29"])
        #expect(parts.allSatisfy { $0.table.columns == [.model] })
        #expect(CSVSummaryWriter.render(parts[1].table) == """
            model,\(measureHeader)
            a/b,2,10,0,0,5,0,15,0.5
            z,1,3,0,0,4,0,7,

            """)
        let byModel = try PartitionedOutput.partitions(of: Self.dayModel, by: .model)
        #expect(byModel.map(\.directoryName) == ["model=a%2Fb", "model=m", "model=z"])
        #expect(CSVSummaryWriter.render(byModel[0].table) == """
            day,\(measureHeader)
            2026-11-28,2,10,0,0,5,0,15,0.5
            2026-11-29,1,1,0,0,1,0,2,

            """)
        #expect(CSVSummaryWriter.render(byModel[1].table) == "day,\(measureHeader)\n,1,1,0,0,1,0,2,\n")
    }

    @Test func writesTheLayoutAndLeavesOtherPartitionsAlone() throws {
        let temp = try TemporaryDirectory()
        try temp.write("out/day=2026-11-27/part-0.csv", "old\n")
        try temp.write("out/day=2026-11-28/part-0.csv", "old\n")
        try temp.write("out/notes.txt", "mine\n")
        let report = try OutputFile.atomic(path: temp("run.json"))
        try report.write("{}\n")
        let dataset = try PartitionedOutput(directory: temp("out"), column: .time(.day))
        let written = try dataset.write(Self.dayModel, alongside: [report])
        #expect(written == ["day=__HIVE_DEFAULT_PARTITION__", "day=2026-11-28", "day=2026-11-29"])
        #expect(try temp.names("out") == [
            "day=2026-11-27", "day=2026-11-28", "day=2026-11-29", "day=__HIVE_DEFAULT_PARTITION__", "notes.txt",
        ])
        #expect(try temp.read("out/day=2026-11-27/part-0.csv") == "old\n")
        #expect(try temp.read("out/notes.txt") == "mine\n")
        #expect(try temp.names("out/day=2026-11-28") == ["part-0.csv"])
        #expect(try temp.read("out/day=2026-11-28/part-0.csv") == """
            model,\(measureHeader)
            a/b,2,10,0,0,5,0,15,0.5
            z,1,3,0,0,4,0,7,

            """)
        #expect(try temp.read("out/day=__HIVE_DEFAULT_PARTITION__/part-0.csv") == "model,\(measureHeader)\nm,1,1,0,0,1,0,2,\n")
        #expect(try temp.read("run.json") == "{}\n")
    }

    /// The dataset's directory is made when missing (its parent must exist); a file there, or
    /// a missing parent, fails before anything is read.
    @Test func theDirectoryIsCheckedFirst() throws {
        let temp = try TemporaryDirectory()
        try temp.write("file", "x")
        #expect(throws: OutputError.self) { try PartitionedOutput(directory: temp("file"), column: .model) }
        #expect(throws: OutputError.self) { try PartitionedOutput(directory: temp("no/such"), column: .model) }
        let dataset = try PartitionedOutput(directory: temp("new"), column: .model)
        try dataset.write(Self.dayModel)
        #expect(try temp.names("new") == ["model=a%2Fb", "model=m", "model=z"])
    }

    /// Hostile values of the partition column never make anything outside the directory, and
    /// each gets a directory of its own directly below it.
    @Test func hostileValuesStayInside() throws {
        let temp = try TemporaryDirectory()
        try temp.directory("a/out")
        let hostile = [
            "../../etc", "..", ".", "a/b", "/", "/etc/passwd", "a\u{0}b", "\n", "x\r\ny", "%2F", "%",
            String(repeating: "../", count: 120), String(repeating: "z", count: 1000), "模型/../x", "__HIVE_DEFAULT_PARTITION__",
        ]
        let rows = hostile.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map {
            SummaryRow(groupValues: [.text($0)], measures: measures(requests: 1))
        }
        let dataset = try PartitionedOutput(directory: temp("a/out"), column: .key)
        try dataset.write(SummaryTable(columns: [.key], rows: rows))
        #expect(try temp.names() == ["a"])
        #expect(try temp.names("a") == ["out"])
        let partitions = try temp.names("a/out")
        #expect(partitions.count == hostile.count)
        for name in partitions {
            #expect(name.hasPrefix("key="))
            #expect(try temp.names("a/out/" + name) == ["part-0.csv"])
        }
        let all = FileManager.default.enumerator(atPath: temp.path)!.allObjects.compactMap { $0 as? String }
        #expect(all.count == 2 + 2 * hostile.count)
    }

    /// An error while writing (here: a partition path that is a file) changes nothing: no part
    /// file is renamed, directories made for the run are removed, the report is not written.
    @Test func aFailureLeavesEverythingAsItWas() throws {
        let temp = try TemporaryDirectory()
        try temp.write("out/day=2026-11-28/part-0.csv", "old\n")
        try temp.write("out/day=2026-11-29", "a file where a partition goes\n")
        let report = try OutputFile.atomic(path: temp("run.json"))
        let dataset = try PartitionedOutput(directory: temp("out"), column: .time(.day))
        #expect(throws: OutputError.self) { try dataset.write(Self.dayModel, alongside: [report]) }
        #expect(try temp.names("out") == ["day=2026-11-28", "day=2026-11-29"])
        #expect(try temp.names("out/day=2026-11-28") == ["part-0.csv"])
        #expect(try temp.read("out/day=2026-11-28/part-0.csv") == "old\n")
        #expect(try temp.names() == ["out"])
    }
}
