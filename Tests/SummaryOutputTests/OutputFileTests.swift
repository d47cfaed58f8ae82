import TestSupport
import Dispatch
import Synchronization
import Foundation
import SummaryOutput
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one hidden temporary name `atomic(path:)` makes for `name`: `.name.tmp-XXXXXX`.
func isTemporary(_ entry: String, of name: String) -> Bool {
    entry.hasPrefix(".\(name).tmp-") && entry.count == ".\(name).tmp-".count + 6
}

@Suite struct OutputFileTests {
    /// Until `commit()` nothing is at the path; the bytes go to one hidden temporary file in the
    /// same directory. After it the path has exactly the bytes written and the temporary is gone.
    @Test func nothingVisibleUntilCommit() throws {
        let directory = try TemporaryDirectory()
        let output = try OutputFile.atomic(path: directory("usage.csv"))
        #expect(output.path == directory("usage.csv"))
        try output.write("day,model\n")
        try output.write(Array("2026-11-28,m\n".utf8))
        #expect(directory.contents("usage.csv") == nil)
        let during = try directory.names()
        #expect(during.count == 1)
        #expect(during.allSatisfy { isTemporary($0, of: "usage.csv") })

        try output.commit()
        #expect(directory.contents("usage.csv") == Array("day,model\n2026-11-28,m\n".utf8))
        #expect(try directory.names() == ["usage.csv"])
    }

    /// Replacing a file: readers see the old bytes until `commit()`, then the new ones.
    @Test func replacesAnExistingFileOnlyAtCommit() throws {
        let directory = try TemporaryDirectory()
        try directory.write("usage.csv", "old\n")
        let output = try OutputFile.atomic(path: directory("usage.csv"))
        try output.write("new\n")
        #expect(directory.contents("usage.csv") == Array("old\n".utf8))
        try output.commit()
        #expect(directory.contents("usage.csv") == Array("new\n".utf8))
        #expect(try directory.names() == ["usage.csv"])
    }

    /// `abandon()` removes the temporary and leaves a previous file untouched.
    @Test func abandonKeepsThePreviousFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("usage.csv", "old\n")
        let output = try OutputFile.atomic(path: directory("usage.csv"))
        try output.write(String(repeating: "x", count: 100_000))  // some of it already flushed
        output.abandon()
        #expect(directory.contents("usage.csv") == Array("old\n".utf8))
        #expect(try directory.names() == ["usage.csv"])
    }

    /// An output dropped without `commit()` is abandoned: no file, no temporary.
    @Test func droppedWithoutCommitLeavesNothing() throws {
        let directory = try TemporaryDirectory()
        do {
            let output = try OutputFile.atomic(path: directory("usage.csv"))
            try output.write("half a report")
        }
        #expect(try directory.names() == [])
    }

    /// Regression (issue 2): `abandon()` after `commit()` (the pipeline does this when the report
    /// fails after the CSV was committed) changes nothing: the committed file stays, and the
    /// descriptor commit already closed is not closed again — by then it may be another file's.
    @Test func abandonAfterCommitChangesNothing() throws {
        let directory = try TemporaryDirectory()
        let output = try OutputFile.atomic(path: directory("usage.csv"))
        try output.write("kept\n")
        try output.commit()
        // The lowest free descriptor is the one commit closed: this file gets its number.
        let other = open(directory("other"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        try #require(other >= 0)
        defer { close(other) }
        output.abandon()
        #expect(fcntl(other, F_GETFD) != -1)
        #expect("ok".withCString { write(other, $0, 2) } == 2)
        #expect(directory.contents("usage.csv") == Array("kept\n".utf8))
        #expect(try directory.names() == ["other", "usage.csv"])
        #expect(directory.contents("other") == Array("ok".utf8))
    }

    /// A second `commit()` is harmless too.
    @Test func secondCommitChangesNothing() throws {
        let directory = try TemporaryDirectory()
        let output = try OutputFile.atomic(path: directory("usage.csv"))
        try output.write("once\n")
        try output.commit()
        try output.commit()
        #expect(directory.contents("usage.csv") == Array("once\n".utf8))
        #expect(try directory.names() == ["usage.csv"])
    }

    /// Writing to or committing an output that is already closed fails instead of touching a
    /// descriptor that is no longer its own.
    @Test func closedOutputsRefuseWork() throws {
        let directory = try TemporaryDirectory()
        let committed = try OutputFile.atomic(path: directory("a.csv"))
        try committed.commit()
        let late = #expect(throws: OutputError.self) { try committed.write("late\n") }
        #expect(late?.description == "\(directory("a.csv")): cannot write: the output is closed")
        #expect(directory.contents("a.csv") == [])

        let abandoned = try OutputFile.atomic(path: directory("b.csv"))
        try abandoned.write("x")
        abandoned.abandon()
        abandoned.abandon()
        let error = #expect(throws: OutputError.self) { try abandoned.commit() }
        #expect(error?.reason == "cannot commit: the output was abandoned")
        #expect(try directory.names() == ["a.csv"])
    }

    /// A directory that does not exist fails at once, with the output's path first.
    @Test func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        let path = directory("no/such/dir/usage.csv")
        let error = #expect(throws: OutputError.self) { _ = try OutputFile.atomic(path: path) }
        #expect(error?.path == path)
        #expect(error?.reason == "cannot create a file in \(directory("no/such/dir")): No such file or directory")
        #expect(error?.description == "\(path): cannot create a file in \(directory("no/such/dir")): No such file or directory")
    }

    /// A directory without write permission fails at once, naming the path.
    @Test(.disabled(if: getuid() == 0, "root can write anywhere"))
    func unwritableDirectory() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory("locked"), withIntermediateDirectories: false)
        chmod(directory("locked"), 0o555)
        defer { chmod(directory("locked"), 0o755) }
        let path = directory("locked/usage.csv")
        let error = #expect(throws: OutputError.self) { _ = try OutputFile.atomic(path: path) }
        #expect(error?.path == path)
        #expect(error?.reason == "cannot create a file in \(directory("locked")): Permission denied")
    }

    /// A path that is an existing directory fails when the output is opened, before any work
    /// (regression, issue 2: it failed only at the rename, after other outputs were replaced).
    @Test func pathIsADirectory() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory("usage.csv"), withIntermediateDirectories: false)
        let error = #expect(throws: OutputError.self) { _ = try OutputFile.atomic(path: directory("usage.csv")) }
        #expect(error?.path == directory("usage.csv"))
        #expect(error?.reason == "is a directory")
        #expect(try directory.names() == ["usage.csv"])
    }

    /// A path that became a directory during the run fails at `commit()`; with several outputs,
    /// none replaces its previous file.
    @Test func pathBecameADirectory() throws {
        let directory = try TemporaryDirectory()
        try Data("old csv\n".utf8).write(to: URL(fileURLWithPath: directory("usage.csv")))
        let csv = try OutputFile.atomic(path: directory("usage.csv"))
        let report = try OutputFile.atomic(path: directory("run.json"))
        try csv.write("new csv\n")
        try report.write("{}\n")
        try FileManager.default.createDirectory(atPath: directory("run.json"), withIntermediateDirectories: false)
        let error = #expect(throws: OutputError.self) { try OutputFile.commit([csv, report]) }
        #expect(error?.path == directory("run.json"))
        #expect(error?.reason == "is a directory")
        #expect(try String(contentsOfFile: directory("usage.csv"), encoding: .utf8) == "old csv\n")
        #expect(try directory.names() == ["run.json", "usage.csv"])
    }

    /// Writes far beyond the 64 KiB buffer, in chunks of awkward sizes around it, arrive
    /// complete and in order.
    @Test func largeWritesBeyondTheBuffer() throws {
        let directory = try TemporaryDirectory()
        let output = try OutputFile.atomic(path: directory("big.csv"))
        var expected: [UInt8] = []
        var next: UInt8 = 0
        for size in [1, 7, 65_535, 1, 65_536, 65_537, 3, 300_000, 131_072, 0, 5] {
            let chunk = (0..<size).map { _ -> UInt8 in
                next = next &+ 1
                return next
            }
            expected += chunk
            try output.write(chunk)
        }
        try output.write("é\n")
        expected += [0xC3, 0xA9, 0x0A]
        try output.commit()
        let written = try #require(directory.contents("big.csv"))
        #expect(written.count == 627_700)
        #expect(written == expected)
    }
}

/// Tests that set the process's umask run one at a time.
@Suite(.serialized) struct OutputFileModeTests {
    /// The committed file's mode is 0666 less the umask, like any file a program creates (not
    /// mkstemp's 0600).
    @Test(arguments: [mode_t(0o022), 0o027, 0o077, 0o002, 0o000])
    func modeFollowsTheUmask(_ mask: mode_t) throws {
        let directory = try TemporaryDirectory()
        let previous = umask(mask)
        defer { umask(previous) }
        let output = try OutputFile.atomic(path: directory("usage.csv"))
        try output.write("x\n")
        try output.commit()
        #expect(try directory.mode("usage.csv") == 0o666 & ~mask)
    }

    /// Regression (issue 2): while outputs are being opened, files other threads create get the
    /// mode the umask gives them, and the umask is the same afterwards. `atomic(path:)` used to
    /// read the umask by setting it to 0 and back, so a file created in between came out 0666,
    /// world-writable (a few in every 20 000 opens on two cores).
    @Test func openingOutputsLeavesTheUmaskAlone() throws {
        let mask = try #require(currentUmask(), "needs /proc/self/status")
        let directory = try TemporaryDirectory()
        final class Shared: Sendable {
            let opened = Mutex(false)
            let modes = Mutex<[mode_t: Int]>([:])
        }
        let shared = Shared()
        // Two threads of their own create files all along (not pool threads, which a loaded
        // machine may run one after the other: then nothing was created while outputs were
        // opened, and the test saw no mode at all).
        let started = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        for path in [directory("other-1"), directory("other-2")] {
            Thread {
                started.signal()
                repeat {
                    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
                    guard fd >= 0 else { continue }
                    var info = stat()
                    if fstat(fd, &info) == 0 { shared.modes.withLock { $0[info.st_mode & 0o777, default: 0] += 1 } }
                    close(fd)
                    unlink(path)
                } while !shared.opened.withLock({ $0 })
                finished.signal()
            }.start()
        }
        started.wait()
        started.wait()
        for _ in 0..<20_000 {
            if let output = try? OutputFile.atomic(path: directory("usage.csv")) { output.abandon() }
        }
        shared.opened.withLock { $0 = true }
        finished.wait()
        finished.wait()
        let seen = shared.modes.withLock { $0 }
        #expect(Array(seen.keys) == [0o666 & ~mask])
        #expect(currentUmask() == mask)
        #expect(try directory.names() == [])
    }
}

