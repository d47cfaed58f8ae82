import TestSupport
import Foundation
import LogInput
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TemporaryDirectory {
    /// Creates a file (and its parent directories) holding a minimal log line.
    func file(_ relative: String, _ contents: String = "{}\n") throws {
        try write(relative, contents)
    }
}

/// Command-line operands → the sorted list of inputs.
@Suite struct InputDiscoveryTests {
    /// A tree with every kind of entry a walk meets:
    ///
    /// ```
    /// root/  a.jsonl b.ndjson c.json d.jsonl.gz e.ndjson.gz f.json.gz H.JSONL.GZ I.NDJSON
    ///        g.txt i.jsonl.bz2 notes.jsonl.txt json .jsonl              (not logs)
    ///        dir.jsonl/m.json                                           (a directory with a log name)
    ///        sub/j.jsonl sub/l.log sub/deeper/k.ndjson.gz sub/loop → ..  (nested; a link cycle)
    ///        link-file.jsonl → outside/x.jsonl   link-dir → outside      (links: file yes, dir no)
    ///        same.jsonl → a.jsonl   dangling.jsonl → nowhere   fifo.jsonl (a FIFO)
    /// outside/ x.jsonl y.jsonl
    /// ```
    static func makeTree() throws -> TemporaryDirectory {
        let tmp = try TemporaryDirectory()
        for name in [
            "root/a.jsonl", "root/b.ndjson", "root/c.json", "root/d.jsonl.gz", "root/e.ndjson.gz", "root/f.json.gz",
            "root/H.JSONL.GZ", "root/I.NDJSON",
            "root/g.txt", "root/i.jsonl.bz2", "root/notes.jsonl.txt", "root/json", "root/.jsonl",
            "root/dir.jsonl/m.json",
            "root/sub/j.jsonl", "root/sub/l.log", "root/sub/deeper/k.ndjson.gz",
            "outside/x.jsonl", "outside/y.jsonl",
        ] {
            try tmp.file(name)
        }
        try tmp.symlink("root/sub/loop", to: "..")
        try tmp.symlink("root/link-file.jsonl", to: tmp("outside/x.jsonl"))
        try tmp.symlink("root/link-dir", to: "../outside")
        try tmp.symlink("root/same.jsonl", to: "a.jsonl")
        try tmp.symlink("root/dangling.jsonl", to: "nowhere.jsonl")
        #expect(mkfifo(tmp("root/fifo.jsonl"), 0o644) == 0)
        return tmp
    }

    func names(_ inputs: [InputFile]) -> [String] { inputs.map(\.displayName) }

    @Test func walksADirectoryForLogNamesSorted() throws {
        let tmp = try Self.makeTree()
        let found = try InputDiscovery.discover([tmp("root")])
        #expect(names(found) == [
            "H.JSONL.GZ", "I.NDJSON", "a.jsonl", "b.ndjson", "c.json", "d.jsonl.gz", "dir.jsonl/m.json",
            "e.ndjson.gz", "f.json.gz", "link-file.jsonl", "sub/deeper/k.ndjson.gz", "sub/j.jsonl",
        ].map { tmp("root/" + $0) })
        #expect(found.allSatisfy { if case .file = $0.location { true } else { false } })
        #expect(found.filter(\.isNamedGzip).map(\.displayName) == [
            "H.JSONL.GZ", "d.jsonl.gz", "e.ndjson.gz", "f.json.gz", "sub/deeper/k.ndjson.gz",
        ].map { tmp("root/" + $0) })
    }

    @Test func trailingSlashDoesNotDoubleTheSeparator() throws {
        let tmp = try Self.makeTree()
        #expect(try InputDiscovery.discover([tmp("root/sub/")]) == InputDiscovery.discover([tmp("root/sub")]))
        #expect(names(try InputDiscovery.discover([tmp("root/sub/")])) == [
            tmp("root/sub/deeper/k.ndjson.gz"), tmp("root/sub/j.jsonl"),
        ])
    }

    /// A symbolic link to a directory is not followed inside a walk, but a directory named on
    /// the command line through a link is walked.
    @Test func symlinkedDirectoryNamedAsOperandIsWalked() throws {
        let tmp = try Self.makeTree()
        #expect(names(try InputDiscovery.discover([tmp("root/link-dir")])) == [
            tmp("root/link-dir/x.jsonl"), tmp("root/link-dir/y.jsonl"),
        ])
    }

    /// A file named on the command line is read whatever its name; only walks filter names.
    @Test func fileOperandIsKeptWhateverItsName() throws {
        let tmp = try Self.makeTree()
        #expect(names(try InputDiscovery.discover([tmp("root/g.txt"), tmp("root/sub/l.log")])) == [
            tmp("root/g.txt"), tmp("root/sub/l.log"),
        ])
    }

    @Test func sameFileNamedTwiceIsKeptOnceUnderItsFirstPath() throws {
        let tmp = try Self.makeTree()
        let a = tmp("root/a.jsonl")
        #expect(names(try InputDiscovery.discover([a, a])) == [a])
        // Through a symbolic link, a `..` path, and a walk of its directory.
        #expect(names(try InputDiscovery.discover([tmp("root/same.jsonl"), a])) == [a])
        #expect(names(try InputDiscovery.discover([tmp("root/sub/../same.jsonl")])) == [tmp("root/sub/../same.jsonl")])
        #expect(names(try InputDiscovery.discover([tmp("root/sub/../a.jsonl"), a])) == [a])
        let all = try InputDiscovery.discover([tmp("root"), a, tmp("root/sub")])
        #expect(all == (try InputDiscovery.discover([tmp("root")])))
        // A hard link is the same file too.
        #expect(link(a, tmp("root/sub/hard.jsonl")) == 0)
        #expect(names(try InputDiscovery.discover([tmp("root/sub/hard.jsonl"), a])) == [a])
        #expect(names(try InputDiscovery.discover([tmp("root/sub")])) == [
            tmp("root/sub/deeper/k.ndjson.gz"), tmp("root/sub/hard.jsonl"), tmp("root/sub/j.jsonl"),
        ])
    }

    @Test func dashIsStandardInputOnceAndSortsFirst() throws {
        let tmp = try Self.makeTree()
        let found = try InputDiscovery.discover([tmp("root/sub"), "-", tmp("root/a.jsonl"), "-"])
        #expect(names(found) == ["-", tmp("root/a.jsonl"), tmp("root/sub/deeper/k.ndjson.gz"), tmp("root/sub/j.jsonl")])
        #expect(found.first?.location == .standardInput)
        #expect(found.first?.isNamedGzip == false)
        #expect(names(try InputDiscovery.discover(["-"])) == ["-"])
    }

    @Test func resultDoesNotDependOnOperandOrder() throws {
        let tmp = try Self.makeTree()
        let operands = [tmp("root/sub"), "-", tmp("root/link-file.jsonl"), tmp("root/dir.jsonl"), tmp("outside/y.jsonl")]
        let forward = try InputDiscovery.discover(operands)
        #expect(forward.count == 6)
        #expect(try InputDiscovery.discover(operands.reversed()) == forward)
        #expect(try InputDiscovery.discover([operands[3], operands[0], operands[4], operands[1], operands[2]]) == forward)
    }

    @Test func missingOperandThrowsWithItsPath() throws {
        let tmp = try Self.makeTree()
        let missing = tmp("root/nope.jsonl")
        let error = #expect(throws: InputDiscoveryError.self) {
            try InputDiscovery.discover([tmp("root/a.jsonl"), missing])
        }
        #expect(error?.path == missing)
        #expect(error?.reason == "no such file or directory")
        #expect(error?.description == "\(missing): no such file or directory")
        // A dangling link named on the command line is missing too.
        let dangling = #expect(throws: InputDiscoveryError.self) {
            try InputDiscovery.discover([tmp("root/dangling.jsonl")])
        }
        #expect(dangling?.description == "\(tmp("root/dangling.jsonl")): no such file or directory")
    }

    @Test(.disabled(if: getuid() == 0, "root can read anything"))
    func unreadableOperandThrows() throws {
        let tmp = try Self.makeTree()
        #expect(chmod(tmp("root/a.jsonl"), 0) == 0)
        let error = #expect(throws: InputDiscoveryError.self) {
            try InputDiscovery.discover([tmp("root/a.jsonl")])
        }
        #expect(error?.reason == "cannot be read: Permission denied")
    }

    /// Regression, issue 2: a log whose name is not UTF-8 was skipped without a word. It is now
    /// an input that fails with EILSEQ when opened, so the run reports it.
    @Test func logNamedInInvalidUTF8IsReportedNotSkipped() throws {
        let tmp = try TemporaryDirectory()
        try tmp.file("logs/ok.jsonl")
        var raw = Array(tmp("logs/bad-\u{FF}.jsonl").utf8)
        // Replace the UTF-8 encoding of U+00FF (C3 BF) with the lone byte FF.
        let index = raw.firstIndex(of: 0xC3)!
        raw.replaceSubrange(index...(index + 1), with: [0xFF])
        let fd = raw.withUnsafeBufferPointer { bytes -> Int32 in
            let cPath = Array(bytes) + [0]
            return cPath.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)

        let inputs = try InputDiscovery.discover([tmp("logs")])
        #expect(inputs.count == 2)
        let unusable = inputs.first { $0.displayName.hasSuffix(".jsonl") && $0.displayName.contains("\u{FFFD}") }
        #expect(unusable?.location == .unusable(path: tmp("logs/bad-\u{FFFD}.jsonl"), errno: EILSEQ))
        #expect(throws: ByteSourceError(code: EILSEQ)) { _ = try unusable?.open() }
    }

    @Test func emptyDirectoryHasNoInputs() throws {
        let tmp = try TemporaryDirectory()
        try tmp.directory("empty/nested")
        #expect(try InputDiscovery.discover([tmp("empty")]) == [])
        #expect(try InputDiscovery.discover([]) == [])
    }

    @Test(arguments: [
        ("a.jsonl", true), ("a.ndjson", true), ("a.json", true),
        ("a.jsonl.gz", true), ("a.ndjson.gz", true), ("a.json.gz", true),
        ("A.JSONL", true), ("a.Json.Gz", true), ("requests-2026-11-28.jsonl.gz", true),
        (".jsonl", false), (".json.gz", false), ("a.txt", false), ("a.jsonl.txt", false), ("a.gz", false),
        ("a.jsonl.bz2", false), ("a.jsonl.gz.tmp", false), ("json", false), ("a.jsonl.gzip", false),
    ])
    func logNames(name: String, isLog: Bool) {
        #expect(InputDiscovery.isLogName(name) == isLog)
    }

    @Test(arguments: [
        ("logs/a.jsonl.gz", true), ("A.JSONL.GZ", true), ("x.gz", true), ("a.jsonl", false),
        (".gz", false), ("a.gzip", false), ("a.tgz", false),
    ])
    func namedGzip(path: String, isNamedGzip: Bool) {
        #expect(InputFile(.file(path: path)).isNamedGzip == isNamedGzip)
    }
}
