#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TallyPrimitives
import UsageDecoding

/// The copies of deduplicated records that one thread decoded from one batch, laid out flat
/// (no allocation per record): key, input, time, measures and group cells of each copy.
public struct DedupBatch: Sendable {
    /// Group cells per copy.
    public let width: Int
    public private(set) var keys: [UInt64] = []
    public private(set) var times: [Int64?] = []
    public private(set) var records: [UsageRecord] = []
    /// `width` cells per copy (thread-local string ids until the collector translates them).
    public var cells: [UInt64] = []

    public init(width: Int) { self.width = width }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Adds one copy.
    public mutating func append(key: UInt64, record: UsageRecord, cells: UnsafeBufferPointer<UInt64>) {
        keys.append(key)
        times.append(record.time)
        records.append(record)
        self.cells.append(contentsOf: cells)
    }

    /// Forgets every copy, keeping the storage.
    public mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        times.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        cells.removeAll(keepingCapacity: true)
    }
}

/// Deduplication across all inputs of a run (PRODUCT.md, "Repeated records"): among the copies
/// that share a request id, the one with the largest output count wins (then the latest time),
/// and the earliest time of all copies decides its time bucket. The result does not depend on
/// the order of inputs or lines: ties are broken by a total order on the copies themselves.
///
/// Copies are stored compactly (about 90 bytes plus 8 per group column) in 64 partitions by
/// key; when they take more than ``memoryBudget`` they are written to unlinked temporary files
/// and read back one partition at a time at the end, so memory stays bounded whatever the
/// number of requests (disk use is about the copies' size). Not thread-safe: the collector
/// calls it under its lock.
public final class DedupStore {
    /// Bytes of copies kept in memory before partitions go to disk.
    public static let defaultMemoryBudget = 64 << 20
    static let partitionCount = 64

    /// Group cells per copy.
    public let width: Int
    /// The bytes held in memory before spilling.
    public let memoryBudget: Int
    /// Copies stored.
    public private(set) var count = 0
    private var buffers: [[UInt8]]
    private var files: [Int32]
    private var buffered = 0
    private let temporaryDirectory: String

    /// A store for copies with `width` group cells.
    public init(width: Int, memoryBudget: Int = defaultMemoryBudget, temporaryDirectory: String? = nil) {
        self.width = width
        self.memoryBudget = memoryBudget
        buffers = Array(repeating: [], count: Self.partitionCount)
        files = Array(repeating: -1, count: Self.partitionCount)
        let environment = getenv("TMPDIR").map { String(cString: $0) }
        self.temporaryDirectory = temporaryDirectory ?? (environment?.isEmpty == false ? environment! : "/tmp")
    }

    deinit {
        for descriptor in files where descriptor >= 0 { close(descriptor) }
    }

    /// Stores the copies of a batch from input `file`, whose cells are already run-wide ids.
    public func add(_ batch: DedupBatch, file: Int) throws(DedupError) {
        precondition(batch.width == width)
        for index in 0..<batch.count {
            let partition = Int(batch.keys[index] >> 58)
            Self.encode(
                key: batch.keys[index], file: UInt32(file), record: batch.records[index],
                cells: batch.cells[(index * width)..<((index + 1) * width)], into: &buffers[partition])
        }
        count += batch.count
        buffered = buffers.reduce(0) { $0 + $1.count }
        if buffered > memoryBudget { try spill() }
    }

    /// A copy as stored.
    public struct Copy: Equatable {
        public var key: UInt64
        public var file: Int
        public var record: UsageRecord
        public var cells: [UInt64]
    }

    /// The outcome of deduplication.
    public struct Resolution {
        /// One winner per request id, its time replaced by the earliest time of its copies.
        public var winners: [Copy] = []
        /// Per input index: copies dropped as duplicates.
        public var dropped: [Int: Int] = [:]
    }

    /// Picks one copy per key among the copies of the inputs `counted` accepts.
    ///
    /// - Parameter prefers: orders two copies that tie on every measure and time (for example
    ///   by the text of their group values); true when the first is to be kept.
    public func resolve(
        counted: (Int) -> Bool, prefers: (Copy, Copy) -> Bool
    ) throws(DedupError) -> Resolution {
        var resolution = Resolution()
        for partition in 0..<Self.partitionCount {
            var bytes = try readBack(partition)
            bytes.append(contentsOf: buffers[partition])
            buffers[partition] = []
            var copies = Self.decodeAll(bytes, width: width).filter { counted($0.file) }
            copies.sort { $0.key < $1.key }
            var start = 0
            while start < copies.count {
                var end = start + 1
                while end < copies.count && copies[end].key == copies[start].key { end += 1 }
                var winnerIndex = start
                var earliest = copies[start].record.time
                for index in (start + 1)..<end {
                    if Self.beats(copies[index], copies[winnerIndex], prefers: prefers) { winnerIndex = index }
                    if let time = copies[index].record.time, earliest.map({ time < $0 }) ?? true { earliest = time }
                }
                // Every copy but the winner is dropped; it counts where it was read.
                for index in start..<end where index != winnerIndex {
                    resolution.dropped[copies[index].file, default: 0] += 1
                }
                var winner = copies[winnerIndex]
                winner.record.time = earliest
                resolution.winners.append(winner)
                start = end
            }
        }
        return resolution
    }

    /// Whether `candidate` is to be kept rather than `current`: the larger output, then the
    /// later time, then the larger other measures, then the earlier input, then `prefers`.
    static func beats(_ candidate: Copy, _ current: Copy, prefers: (Copy, Copy) -> Bool) -> Bool {
        let a = candidate.record, b = current.record
        if a.outputTokens != b.outputTokens { return a.outputTokens > b.outputTokens }
        if a.time != b.time { return (a.time ?? Int64.min) > (b.time ?? Int64.min) }
        for (x, y) in [
            (a.inputTokens, b.inputTokens), (a.totalTokens, b.totalTokens), (a.cachedInputTokens, b.cachedInputTokens),
            (a.cacheWriteTokens, b.cacheWriteTokens), (a.reasoningTokens, b.reasoningTokens),
        ] where x != y {
            return x > y
        }
        if a.costUSD != b.costUSD {
            guard let x = a.costUSD else { return false }  // a copy with a cost beats one without
            guard let y = b.costUSD else { return true }
            return x > y
        }
        if candidate.file != current.file { return candidate.file < current.file }
        return prefers(candidate, current)
    }

    // MARK: - Disk

    private func spill() throws(DedupError) {
        for partition in 0..<Self.partitionCount where !buffers[partition].isEmpty {
            if files[partition] < 0 { files[partition] = try makeTemporaryFile() }
            try writeAll(buffers[partition], to: files[partition])
            buffers[partition].removeAll(keepingCapacity: false)
        }
        buffered = 0
    }

    /// An unlinked temporary file: it disappears with the process, however it ends.
    private func makeTemporaryFile() throws(DedupError) -> Int32 {
        var template = Array("\(temporaryDirectory)/tokentally-dedup-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw DedupError(reason: "cannot create a temporary file in \(temporaryDirectory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return descriptor
    }

    private func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(DedupError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw DedupError(reason: "cannot write a temporary file in \(temporaryDirectory): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    private func readBack(_ partition: Int) throws(DedupError) -> [UInt8] {
        let descriptor = files[partition]
        guard descriptor >= 0 else { return [] }
        let size = Int(lseek(descriptor, 0, SEEK_END))
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + offset, size - offset, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw DedupError(reason: "cannot read a temporary file back: \(String(cString: strerror(errno)))")
            }
            offset += count
        }
        close(descriptor)
        files[partition] = -1
        return bytes
    }

    // MARK: - Encoding

    /// key u64, file u32, flags u16 (bit 0: time, bit 1: cost, bits 2–9: which measures are
    /// wide, bit 10: cache savings, bit 11: latency), time i64, with bit 11 the latency u64,
    /// then each measure (input, cached, cache write,
    /// output, reasoning, total, cost, cache savings) as one u64 when it is a whole number below
    /// 2⁶⁴ or as 3 × u64 (whole low, whole high, fraction), then the cells. Little-endian.
    static func encode(
        key: UInt64, file: UInt32, record: UsageRecord, cells: ArraySlice<UInt64>, into bytes: inout [UInt8]
    ) {
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        let measures = [
            record.inputTokens, record.cachedInputTokens, record.cacheWriteTokens, record.outputTokens,
            record.reasoningTokens, record.totalTokens, record.costUSD ?? .zero, record.cacheSavingsUSD ?? .zero,
        ]
        var flags: UInt16 = (record.time != nil ? 1 : 0) | (record.costUSD != nil ? 2 : 0)
            | (record.cacheSavingsUSD != nil ? 1 << 10 : 0) | (record.latencyMS != nil ? 1 << 11 : 0)
        for (index, value) in measures.enumerated() where !isNarrow(value) { flags |= 1 << (2 + index) }
        put(key)
        put(file)
        put(flags)
        put(record.time ?? 0)
        if let latency = record.latencyMS { put(latency) }
        for value in measures {
            if isNarrow(value) {
                put(UInt64(value.whole))
            } else {
                put(UInt64(truncatingIfNeeded: value.whole))
                put(UInt64(truncatingIfNeeded: value.whole >> 64))
                put(value.fraction)
            }
        }
        for cell in cells { put(cell) }
    }

    private static func isNarrow(_ value: ExactDecimal) -> Bool {
        value.fraction == 0 && value.whole <= UInt128(UInt64.max)
    }

    static func decodeAll(_ bytes: [UInt8], width: Int) -> [Copy] {
        var copies: [Copy] = []
        bytes.withUnsafeBytes { raw in
            var offset = 0
            func take<T: FixedWidthInteger>(_: T.Type) -> T {
                let value = T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
                offset += MemoryLayout<T>.size
                return value
            }
            while offset < raw.count {
                let key = take(UInt64.self)
                let file = Int(take(UInt32.self))
                let flags = take(UInt16.self)
                let time = take(Int64.self)
                let latency = flags & (1 << 11) != 0 ? take(UInt64.self) : nil
                var values: [ExactDecimal] = []
                for index in 0..<8 {
                    if flags & (1 << (2 + index)) == 0 {
                        values.append(ExactDecimal(take(UInt64.self)))
                    } else {
                        let low = take(UInt64.self), high = take(UInt64.self), fraction = take(UInt64.self)
                        values.append(ExactDecimal(whole: UInt128(high) << 64 | UInt128(low), fraction: fraction))
                    }
                }
                var cells: [UInt64] = []
                for _ in 0..<width { cells.append(take(UInt64.self)) }
                var record = UsageRecord()
                record.inputTokens = values[0]
                record.cachedInputTokens = values[1]
                record.cacheWriteTokens = values[2]
                record.outputTokens = values[3]
                record.reasoningTokens = values[4]
                record.totalTokens = values[5]
                record.costUSD = flags & 2 != 0 ? values[6] : nil
                record.cacheSavingsUSD = flags & (1 << 10) != 0 ? values[7] : nil
                record.time = flags & 1 != 0 ? time : nil
                record.latencyMS = latency
                record.dedupKey = key
                copies.append(Copy(key: key, file: file, record: record, cells: cells))
            }
        }
        return copies
    }
}

/// Deduplication could not use its temporary files: fatal, like an output that cannot be written.
public struct DedupError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
