import Foundation
import TestSupport
import Testing

@testable import TallyPipeline

/// `makeDirectories`, the `mkdir -p` behind `--state`.
@Suite struct DirectoriesTests {
    @Test func makesEveryMissingLevelAndAcceptsWhatExists() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        #expect(makeDirectories(scratch.path("a/b/c//")) == nil)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: scratch.path("a/b/c"), isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(makeDirectories(scratch.path("a/b")) == nil)  // already there
        #expect(makeDirectories(scratch.path("a/b/c")) == nil)
        #expect(try scratch.names("a") == ["b"])
    }

    @Test func aFileInTheWayIsNotADirectory() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("file", "x")
        #expect(makeDirectories(scratch.path("file")) == ENOTDIR)
        #expect(makeDirectories(scratch.path("file/below/more")) == ENOTDIR)
        #expect(try scratch.read("file") == "x")
    }
}
