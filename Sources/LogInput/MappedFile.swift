import CMapGuard
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A plain-text input file mapped into memory, read without copying.
///
/// `read(2)` copies every byte out of the page cache; on the machines measured here that copy
/// alone runs at ~1 GB/s, as fast as decoding (docs/benchmarks/). Mapping the file lets the
/// decoding threads read the page cache directly. Two things keep this safe:
///
/// - **Memory stays flat.** Pages are mapped in as lines are read, and each batch gives its
///   pages back (`MADV_DONTNEED`) once decoded, so resident memory is bounded by the batches in
///   flight (and ``releaseChunk``), whatever the file's size.
/// - **A file truncated while mapped cannot crash the run.** The range is registered with the
///   SIGBUS guard (`CMapGuard`): a page beyond the new end reads as zeros, and
///   ``damageOffset`` says where. The pipeline then fails the input (`read_error`).
///
/// Shared by the batches that point into it; unmapped with the last of them.
public final class MappedFile: @unchecked Sendable {
    /// The mapped bytes.
    public let bytes: UnsafeRawBufferPointer
    private let guardSlot: Int32
    /// Ranges read but not given back yet.
    private let releases: Mutex<PageReleases>

    /// Bytes read before their pages are given back, in as few calls as the ranges allow: each
    /// `madvise` makes the kernel interrupt the other cores to flush their TLBs, and one call
    /// per 1 MiB batch cost about 4% of a run's CPU time.
    public static let releaseChunk = 4 << 20

    /// Maps a regular file of at least one byte, or returns nil when it cannot (it is not a
    /// regular file, it is empty, mapping failed, or the guard is full): the caller then
    /// reads it with `read(2)`.
    public init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0,
            info.st_size <= Int64(Int.max)
        else { return nil }
        let size = Int(info.st_size)
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            return nil
        }
        let slot = tokentally_guard_register(address, size)
        guard slot >= 0 else {
            munmap(address, size)
            return nil
        }
        _ = madvise(address, size, MADV_SEQUENTIAL)
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        guardSlot = slot
        releases = Mutex(PageReleases(pageSize: Int(sysconf(Int32(_SC_PAGESIZE))), fileSize: size, chunk: Self.releaseChunk))
    }

    /// Maps an input that is plain text by its name and first bytes (``InputReader`` would read
    /// it as plain), or returns nil: compressed input, or a file that cannot be mapped.
    public static func plainText(descriptor: Int32, namedGzip: Bool) -> MappedFile? {
        guard !namedGzip else { return nil }
        var magic = [UInt8](repeating: 0, count: 6)
        let count = magic.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 6, 0) }
        guard count > 0, InputReader.isPlainText(magic: magic[0..<count], namedGzip: namedGzip) else { return nil }
        return MappedFile(descriptor: descriptor)
    }

    deinit {
        tokentally_guard_unregister(guardSlot)
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }

    /// Where the file turned out shorter than when it was mapped (truncated by another process
    /// while being read), or nil if every page read held the file's bytes.
    public var damageOffset: Int64? {
        let offset = tokentally_guard_damage(guardSlot)
        return offset < 0 ? nil : Int64(offset)  // size_t comes in as Int: (size_t)-1 is -1
    }

    /// Gives back the pages of `range` (offsets into ``bytes``), which has been read: they stay
    /// in the page cache, but leave this process's resident memory, a chunk at a time
    /// (``PageReleases``; any thread may call this).
    public func release(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let pages = releases.withLock { $0.add(range) }
        for run in pages {
            _ = madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress! + run.lowerBound), run.count, MADV_DONTNEED)
        }
    }
}

/// Which pages of a mapped file to give back as its ranges are read: ranges are collected
/// until they add up to `chunk` bytes, then adjacent ones are joined and each run's whole pages
/// given back, in as few `madvise` calls as the ranges allow.
///
/// A run rarely starts or ends on a page boundary, and the page it shares with bytes not read
/// yet must stay. Those edges are kept pending, not dropped: joined with their neighbour at a
/// later chunk, their page goes too. Dropping them left up to one page per chunk resident for
/// good, and a run's resident memory grew with the bytes read (about 1 MB per GiB, measured
/// with two decoding threads).
struct PageReleases {
    let pageSize: Int
    let fileSize: Int
    let chunk: Int
    /// Bytes read whose pages have not been given back.
    private(set) var pending: [Range<Int>] = []
    /// Bytes added since the last chunk was given back.
    private var added = 0

    init(pageSize: Int, fileSize: Int, chunk: Int) {
        self.pageSize = pageSize
        self.fileSize = fileSize
        self.chunk = chunk
    }

    /// Records `range` as read; returns the byte ranges whose pages are now to be given back
    /// (whole pages, none holding a byte not read yet), usually none.
    mutating func add(_ range: Range<Int>) -> [Range<Int>] {
        pending.append(range)
        added += range.count
        guard added >= chunk else { return [] }
        added = 0
        let runs = Self.joined(pending)
        pending.removeAll(keepingCapacity: true)
        var pages: [Range<Int>] = []
        for run in runs {
            let whole = wholePages(of: run)
            guard !whole.isEmpty else {
                pending.append(run)
                continue
            }
            pages.append(whole)
            if run.lowerBound < whole.lowerBound { pending.append(run.lowerBound..<whole.lowerBound) }
            if whole.upperBound < run.upperBound { pending.append(whole.upperBound..<run.upperBound) }
        }
        return pages
    }

    /// The pages that lie wholly inside `run`, as a byte range (empty when there are none). The
    /// file's last page counts as whole once the run reaches the end of the file: the mapping
    /// pads it with zeros that nothing else reads.
    func wholePages(of run: Range<Int>) -> Range<Int> {
        let first = (run.lowerBound + pageSize - 1) / pageSize * pageSize
        let end = run.upperBound == fileSize ? run.upperBound + pageSize - 1 : run.upperBound
        let last = end / pageSize * pageSize
        return last > first ? first..<last : first..<first
    }

    /// `ranges` in order, with adjacent and overlapping ones joined.
    static func joined(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = runs.last, range.lowerBound <= last.upperBound {
                runs[runs.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                runs.append(range)
            }
        }
        return runs
    }
}
