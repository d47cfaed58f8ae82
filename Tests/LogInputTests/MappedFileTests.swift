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
        #expect(PageReleases.joined([]) == [])
        #expect(PageReleases.joined([5..<9, 0..<5, 12..<20, 9..<10]) == [0..<10, 12..<20])
        #expect(PageReleases.joined([0..<10, 2..<4, 8..<12]) == [0..<12])
    }

    @Test func wholePagesOfARun() {
        let middle = PageReleases(pageSize: 4096, fileSize: 100_000, chunk: 1)
        #expect(middle.wholePages(of: 0..<8192) == 0..<8192)
        #expect(middle.wholePages(of: 100..<8200) == 4096..<8192)
        #expect(middle.wholePages(of: 100..<4000).isEmpty)
        #expect(middle.wholePages(of: 4000..<4200).isEmpty)
        // The file's last, partial page goes with a run that reaches the end of the file.
        let end = PageReleases(pageSize: 4096, fileSize: 10_000, chunk: 1)
        #expect(end.wholePages(of: 4096..<10_000) == 4096..<12_288)
        #expect(end.wholePages(of: 8192..<10_000) == 8192..<12_288)
        #expect(end.wholePages(of: 9000..<10_000).isEmpty)
        #expect(end.wholePages(of: 4096..<9999) == 4096..<8192)
    }

    /// Pages are given back a chunk at a time, never one that holds a byte not read yet, and
    /// every page is given back once all its bytes are read and a chunk follows: where ranges
    /// meet off a page boundary, the page they share goes once both sides have been read.
    /// Seeded random cuts, and ranges read out of order as decoding threads finish them.
    @Test(arguments: [1, 2, 3, 4])
    func everyPageIsGivenBackOnceItsBytesAreRead(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let pageSize = 4096, chunk = 64 * 1024
        let fileSize = 5_000_000 + Int(random.next() % 4096)
        var releases = PageReleases(pageSize: pageSize, fileSize: fileSize, chunk: chunk)
        // Cut the file into ranges of 1 to 40 000 bytes (about a batch of lines, scaled down).
        var ranges: [Range<Int>] = []
        var at = 0
        while at < fileSize {
            let next = min(fileSize, at + 1 + Int(random.next() % 40_000))
            ranges.append(at..<next)
            at = next
        }
        // Read out of order within windows of up to 6 ranges.
        var order: [Range<Int>] = []
        var window = 0
        while window < ranges.count {
            let size = min(ranges.count - window, 1 + Int(random.next() % 6))
            var slice = Array(ranges[window..<(window + size)])
            for k in slice.indices.reversed() { slice.swapAt(k, Int(random.next() % UInt64(k + 1))) }
            order += slice
            window += size
        }
        var read = [Bool](repeating: false, count: fileSize)
        var givenBack = [Bool](repeating: false, count: (fileSize + pageSize - 1) / pageSize)
        var calls = 0
        for range in order {
            for offset in range { read[offset] = true }
            let pages = releases.add(range)
            if !pages.isEmpty { calls += 1 }
            for run in pages {
                #expect(run.lowerBound % pageSize == 0 && run.upperBound % pageSize == 0)
                for page in (run.lowerBound / pageSize)..<(run.upperBound / pageSize) {
                    let bytes = (page * pageSize)..<min(fileSize, (page + 1) * pageSize)
                    #expect(bytes.allSatisfy { read[$0] }, "page \(page) given back before all its bytes were read")
                    #expect(!givenBack[page], "page \(page) given back twice")
                    givenBack[page] = true
                }
            }
        }
        // Everything is read; a page still held is one whose bytes wait in `pending` for the
        // next chunk: the bytes added since the last one (less than a chunk), and at most two
        // edges of less than a page per run.
        let pendingPages = Set(releases.pending.flatMap { ($0.lowerBound / pageSize)...(($0.upperBound - 1) / pageSize) })
        let held = givenBack.indices.filter { !givenBack[$0] }
        #expect(held.allSatisfy { pendingPages.contains($0) }, "pages neither given back nor pending: \(held.filter { !pendingPages.contains($0) }.prefix(5))")
        let pendingBytes = releases.pending.reduce(0) { $0 + $1.count }
        #expect(pendingBytes < chunk + 2 * pageSize * PageReleases.joined(releases.pending).count)
        #expect(calls >= fileSize / chunk / 2)
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
