import Foundation
import LogInput
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The two byte sources: the real one over a file descriptor, and the test one in memory.
@Suite struct ByteSourceTests {
    /// Reads a source to its end (or its error) with a buffer of `bufferSize` bytes.
    func drain<Source: ByteSource>(_ source: inout Source, bufferSize: Int) -> (bytes: [UInt8], reads: [Int], error: ByteSourceError?) {
        var bytes: [UInt8] = []
        var reads: [Int] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            do {
                let count = try source.read(into: buffer)
                reads.append(count)
                if count == 0 { return (bytes, reads, nil) }
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            } catch {
                return (bytes, reads, error)
            }
        }
    }

    @Test func memorySourceServesChunksOfAtMostChunkSize() {
        var source = MemoryByteSource(Array(0..<10), chunkSize: 4)
        let (bytes, reads, error) = drain(&source, bufferSize: 100)
        #expect(bytes == Array(0..<10))
        #expect(reads == [4, 4, 2, 0])
        #expect(error == nil)
    }

    @Test func memorySourceServesNoMoreThanTheBuffer() {
        var source = MemoryByteSource(Array(0..<10), chunkSize: 100)
        let (bytes, reads, _) = drain(&source, bufferSize: 3)
        #expect(bytes == Array(0..<10))
        #expect(reads == [3, 3, 3, 1, 0])
    }

    @Test func memorySourceFailsAtTheGivenOffset() {
        var source = MemoryByteSource(Array(0..<10), chunkSize: 4, failAtOffset: 6)
        let (bytes, reads, error) = drain(&source, bufferSize: 100)
        #expect(bytes == Array(0..<6))
        #expect(reads == [4, 2])
        #expect(error == ByteSourceError(code: EIO))
        #expect(error?.message == "Input/output error")
    }

    @Test func fileSourceReadsTheWholeFile() throws {
        var source = try FileByteSource(path: Fixtures.path("big.jsonl"))
        let (bytes, _, error) = drain(&source, bufferSize: 4096)
        #expect(error == nil)
        #expect(firstDifference(bytes, Fixtures.big) == nil)
    }

    @Test func fileSourceOfAMissingFileThrowsENOENT() {
        #expect(throws: ByteSourceError(code: ENOENT)) {
            _ = try FileByteSource(path: Fixtures.path("no-such-file.jsonl"))
        }
    }

    /// A directory opens (open(2) allows it) but cannot be read: EISDIR, a read error.
    @Test func readingADirectoryIsAReadError() throws {
        var source = try FileByteSource(path: Fixtures.directory.path)
        var sink = CollectingSink()
        let outcome = InputReader.read(&source, namedGzip: false, into: &sink)
        #expect(outcome.failure?.kind == .readError)
        #expect(outcome.failure?.offset == 0)
        #expect(outcome.failure?.detail == "read error at byte 0: Is a directory")
    }

    // MARK: - Going back (stage 1 decodes a damaged member again with zlib)

    @Test func memorySourceGoesBackUnlessItPlaysAPipe() throws {
        var source = MemoryByteSource(Array(0..<10), chunkSize: 4)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
        defer { buffer.deallocate() }
        let firstRead = try source.read(into: buffer)
        #expect(firstRead == 4)
        let back = source.rewind(to: 2)
        #expect(back)
        #expect(drain(&source, bufferSize: 16).bytes == Array(2..<10))
        let beyond = source.rewind(to: 11)
        #expect(!beyond)
        var pipe = MemoryByteSource(Array(0..<10), chunkSize: 4, canRewind: false)
        let pipeBack = pipe.rewind(to: 0)
        #expect(!pipeBack)
    }

    @Test func fileSourceGoesBackInARegularFile() throws {
        var source = try FileByteSource(path: Fixtures.path("small.jsonl"))
        _ = drain(&source, bufferSize: 4096)
        let back = source.rewind(to: 3000)
        #expect(back)
        #expect(drain(&source, bufferSize: 4096).bytes == Array(Fixtures.small[3000...]))
    }

    /// Not a regular file (a directory here, a pipe in practice): no going back.
    @Test func fileSourceOfANonRegularFileDoesNotGoBack() throws {
        let source = try FileByteSource(path: Fixtures.directory.path)
        let back = source.rewind(to: 0)
        #expect(!back)
    }
}
