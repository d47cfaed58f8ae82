import Foundation
@testable import LogInput
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

    @Test func releasedRangesAreJoinedInOrder() {
        #expect(MappedFile.joined([]) == [])
        #expect(MappedFile.joined([5..<9, 0..<5, 12..<20, 9..<10]) == [0..<10, 12..<20])
        #expect(MappedFile.joined([0..<10, 2..<4, 8..<12]) == [0..<12])
    }

    /// This process's resident kilobytes of the mapping that starts at `address`
    /// (`/proc/self/smaps`).
    static func residentKB(of address: UnsafeRawPointer) throws -> Int {
        // Read to the end (String(contentsOfFile:) stops after the first page of a /proc file).
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        let start = String(UInt(bitPattern: address), radix: 16)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let dash = line.firstIndex(of: "-"), line[..<dash].allSatisfy(\.isHexDigit) {
                inMapping = line[..<dash].drop(while: { $0 == "0" }) == start[...]
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])!
            }
        }
        Issue.record("no mapping at \(start) in /proc/self/smaps")
        return -1
    }

    /// Read pages leave resident memory once ``MappedFile/releaseChunk`` bytes have been
    /// released, whatever the order and alignment of the ranges; until then they stay.
    @Test func releasedPagesLeaveResidentMemoryAChunkAtATime() throws {
        let chunk = MappedFile.releaseChunk
        let directory = try TemporaryDirectory()
        let path = try directory.write("big.jsonl", [UInt8](repeating: UInt8(ascii: "x"), count: 3 * chunk))
        let source = try FileByteSource(path: path)
        let file = try #require(MappedFile(descriptor: source.descriptor))
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var sum = 0
        for offset in stride(from: 0, to: file.bytes.count, by: pageSize) { sum &+= Int(file.bytes[offset]) }
        #expect(sum > 0)
        let base = file.bytes.baseAddress!
        let all = try Self.residentKB(of: base)
        #expect(all >= 3 * chunk / 1024 * 9 / 10, "\(all) KB resident after reading \(3 * chunk / 1024) KB")

        // The first chunk in uneven, out-of-order pieces: nothing leaves before the last one.
        let cuts = [0, 100_001, chunk / 3, chunk / 2 + 7, chunk - 4097, chunk]
        let pieces = zip(cuts, cuts.dropFirst()).map { $0..<$1 }
        for piece in pieces.reversed().dropLast() { file.release(piece) }
        #expect(try Self.residentKB(of: base) == all)
        file.release(pieces[0])
        let afterFirst = try Self.residentKB(of: base)
        #expect(afterFirst <= all - chunk / 1024 + 4 && afterFirst >= all - chunk / 1024 - 4, "\(all) → \(afterFirst) KB")

        // The third chunk at once.
        file.release((2 * chunk)..<(3 * chunk))
        let afterThird = try Self.residentKB(of: base)
        #expect(afterThird <= afterFirst - chunk / 1024 + 4 && afterThird >= afterFirst - chunk / 1024 - 4, "\(afterFirst) → \(afterThird) KB")
    }
}
