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
    private let pageSize: Int
    /// Ranges read but not given back yet, and their total size.
    private let pending = Mutex<(ranges: [Range<Int>], byteCount: Int)>(([], 0))

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
        pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
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
    /// in the page cache, but leave this process's resident memory. Ranges are collected until
    /// they add up to ``releaseChunk``, then adjacent ones are joined and each run's whole
    /// pages given back (any thread may call this).
    public func release(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let runs: [Range<Int>] = pending.withLock { pending in
            pending.ranges.append(range)
            pending.byteCount += range.count
            guard pending.byteCount >= Self.releaseChunk else { return [] }
            let runs = Self.joined(pending.ranges)
            pending.ranges.removeAll(keepingCapacity: true)
            pending.byteCount = 0
            return runs
        }
        for run in runs {
            let first = (run.lowerBound + pageSize - 1) / pageSize * pageSize
            let last = run.upperBound / pageSize * pageSize
            guard last > first else { continue }
            _ = madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress! + first), last - first, MADV_DONTNEED)
        }
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
