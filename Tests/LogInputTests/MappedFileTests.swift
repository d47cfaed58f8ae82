import Foundation
import LogInput
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Plain files read in place: which files are mapped, and what happens when a mapped file is
/// truncated by someone else while it is read (log rotation with copytruncate).
@Suite struct MappedFileTests {
    /// Maps the file at `path` as the pipeline does (the descriptor open while mapping).
    static func plainText(_ path: String, namedGzip: Bool = false) throws -> MappedFile? {
        let source = try FileByteSource(path: path)
        return withExtendedLifetime(source) { MappedFile.plainText(descriptor: source.descriptor, namedGzip: namedGzip) }
    }

    @Test func plainTextFilesAreMappedCompressedOnesAreNot() throws {
        let directory = try TemporaryDirectory()
        let mapped = try Self.plainText(try directory.write("a.jsonl", "{\"a\":1}\n"))
        #expect(mapped.map { Array($0.bytes) } == Array("{\"a\":1}\n".utf8))
        #expect(mapped?.damageOffset == nil)
        #expect(try Self.plainText(try directory.write("b.jsonl", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3])) == nil)
        #expect(try Self.plainText(try directory.write("c.jsonl", Array("BZh91AY&SY".utf8))) == nil)
        #expect(try Self.plainText(try directory.write("d.jsonl", "")) == nil)
        #expect(try Self.plainText(try directory.write("e.jsonl.gz", "{\"a\":1}\n"), namedGzip: true) == nil)
    }

    /// Regression guard for the mmap path: touching pages past the new end of a truncated file
    /// raises SIGBUS, which would kill the run. The guard reads them as zeros and says where
    /// the file ended (the first page past the new size).
    @Test func truncatedWhileMappedReadsZerosAndReportsIt() throws {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let directory = try TemporaryDirectory()
        let path = try directory.write("growing.jsonl", [UInt8](repeating: UInt8(ascii: "x"), count: 16 * pageSize))
        let source = try FileByteSource(path: path)
        let file = try #require(MappedFile(descriptor: source.descriptor))
        #expect(file.bytes[0] == UInt8(ascii: "x"))
        #expect(truncate(path, off_t(pageSize + 10)) == 0)
        // Within the new size (and the rest of its page): still the file's bytes (then zeros).
        #expect(file.bytes[pageSize + 9] == UInt8(ascii: "x"))
        // Past the page holding the new end: SIGBUS without the guard; zeros with it.
        #expect(file.bytes[5 * pageSize] == 0)
        #expect(file.bytes[3 * pageSize + 1] == 0)
        #expect(file.damageOffset == Int64(3 * pageSize))
        // Another mapping is not affected.
        let other = try directory.write("other.jsonl", "{}\n")
        let otherFile = try #require(try Self.plainText(other))
        #expect(otherFile.damageOffset == nil)
    }
}
