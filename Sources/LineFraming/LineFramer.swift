import LogInput

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Stage 2: cuts one input's decompressed byte stream into ``LineBatch``es of whole lines.
///
/// Push-style, with an explicit end and a limit. Stage 1 decompresses straight into the
/// framer's buffer (it is the ``DecompressedSink``); once the buffer holds at least
/// `batchBytes`, everything up to its last `\n` leaves as one batch and the partial line
/// after it moves to the front of a fresh buffer:
///
/// ```
///            batchBytes                       slack
///  ├───────────────────────────────────┼──────────────┤
///  │ line\n line\n … line\n  partial li│ne ← inflate  │   filled ≥ batchBytes: cut
///  └───────────────────────────────┬───┴──────────────┘
///          emitted as a LineBatch ─┘   └─ copied to the next buffer
/// ```
///
/// - A line longer than the buffer grows it, up to `maxLineBytes`; a longer line is dropped
///   (its bytes are skipped up to its `\n`) and reported as a too-long line, never split, so
///   memory stays bounded by `maxLineBytes` whatever the input.
/// - A UTF-8 byte order mark at the very start of the stream is skipped.
/// - ``finish(cleanEnd:)`` emits a last line without a newline when the stream ended cleanly;
///   after damage, that fragment is not a line and only its length is returned.
public struct LineFramer: DecompressedSink {
    /// Default bytes per batch. Large enough that per-batch costs (a hand-off, a merge of
    /// partial tables) vanish against decoding; small enough that a few batches in flight
    /// per core keep memory flat.
    public static let defaultBatchBytes = 1 << 20
    /// Default longest line kept: 16 MiB (`--max-line-bytes`).
    public static let defaultMaxLineBytes = 16 << 20
    /// Free space always offered to stage 1 for one inflate or read call.
    static let slackBytes = 128 << 10

    /// Bytes after which a batch is cut.
    public let batchBytes: Int
    /// Longest line kept, not counting its `\n` or `\r\n`.
    public let maxLineBytes: Int

    private let emit: (LineBatch) -> Void
    /// Where standard-size buffers come from (recycled by the consumer), if anywhere.
    private let pool: ByteStoragePool?
    private var storage: ByteStorage
    private var filled = 0
    /// The buffer holds no `\n` below this offset (it starts at a line start), so a long line
    /// is searched once, not once per refill.
    private var noNewlineBelow = 0
    private var atStreamStart = true
    /// Inside a too-long line whose bytes are being skipped.
    private var skipping = false
    private var skippedLength = 0
    /// The last skipped byte is a `\r`: not part of the line if a `\n` (or a clean end) follows.
    private var skippedEndsWithCR = false
    /// Too-long lines not yet attached to a batch.
    private var droppedLineLengths: [Int] = []

    /// Creates a framer that hands each batch to `emit`, in order.
    ///
    /// - Parameter pool: where to take standard-size buffers from; its capacity must be
    ///   ``standardCapacity(batchBytes:)``. Without one, every batch gets a fresh buffer.
    public init(
        batchBytes: Int = defaultBatchBytes,
        maxLineBytes: Int = defaultMaxLineBytes,
        pool: ByteStoragePool? = nil,
        emit: @escaping (LineBatch) -> Void
    ) {
        precondition(batchBytes > 0 && maxLineBytes > 0)
        precondition(pool == nil || pool!.capacity == Self.standardCapacity(batchBytes: batchBytes))
        self.batchBytes = batchBytes
        self.maxLineBytes = maxLineBytes
        self.pool = pool
        self.emit = emit
        storage = pool?.take() ?? ByteStorage(capacity: batchBytes + Self.slackBytes)
    }

    /// The size of a standard batch buffer: a batch and the slack stage 1 writes into.
    public static func standardCapacity(batchBytes: Int) -> Int { batchBytes + slackBytes }

    /// A fresh standard-size buffer.
    private func standardStorage() -> ByteStorage {
        pool?.take() ?? ByteStorage(capacity: batchBytes + Self.slackBytes)
    }

    public mutating func writableBuffer() -> UnsafeMutableRawBufferPointer {
        if storage.capacity - filled < Self.slackBytes {
            let doubled = min(storage.capacity * 2, maxLineBytes + 2 + Self.slackBytes)
            replaceStorage(capacity: max(doubled, filled + Self.slackBytes), keeping: 0..<filled)
        }
        return UnsafeMutableRawBufferPointer(start: storage.base + filled, count: storage.capacity - filled)
    }

    public mutating func commit(_ count: Int) {
        guard count > 0 else { return }
        let newStart = filled
        filled += count
        if skipping {
            endSkip(searchingFrom: newStart)
            guard !skipping else { return }
        }
        if atStreamStart {
            guard filled >= 3 else { return }
            dropByteOrderMark()
        }
        if filled >= batchBytes { cut() }
    }

    /// How the stream's end looked to the framer.
    public struct Ending: Equatable, Sendable {
        /// Bytes after the last `\n` that were not emitted because the stream did not end
        /// cleanly (0 when it did, or when it ended on a line boundary).
        public var fragmentBytes: Int
    }

    /// Emits what remains. With `cleanEnd`, bytes after the last `\n` form a last line;
    /// otherwise they are a fragment of a damaged stream and are only measured.
    public mutating func finish(cleanEnd: Bool) -> Ending {
        var ending = Ending(fragmentBytes: 0)
        if skipping {
            if cleanEnd {
                droppedLineLengths.append(skippedLength - (skippedEndsWithCR ? 1 : 0))
            } else {
                ending.fragmentBytes = skippedLength
            }
            skipping = false
        }
        if atStreamStart { dropByteOrderMark() }
        if filled > 0 && !cleanEnd {
            // Whole lines before the fragment still leave; only the fragment is measured.
            let batchEnd = lastIndex(of: 0x0A, from: 0, below: filled).map { $0 + 1 } ?? 0
            ending.fragmentBytes = filled - batchEnd
            filled = batchEnd
        }
        if filled > 0 || !droppedLineLengths.isEmpty {
            emit(LineBatch(storage: storage, byteCount: filled, droppedLineLengths: droppedLineLengths))
            droppedLineLengths = []
            storage = ByteStorage(capacity: 0)
            filled = 0
        } else {
            let unused = storage
            storage = ByteStorage(capacity: 0)
            pool?.recycle(unused)
        }
        return ending
    }

    // MARK: - Internals

    private mutating func dropByteOrderMark() {
        atStreamStart = false
        let base = storage.base.assumingMemoryBound(to: UInt8.self)
        if filled >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF {
            storage.base.copyMemory(from: storage.base + 3, byteCount: filled - 3)
            filled -= 3
        }
    }

    /// Emits everything up to the last newline; or, for a single partial line, grows the buffer
    /// or starts skipping the line when it is too long.
    private mutating func cut() {
        if let lastNewline = lastIndex(of: 0x0A, from: noNewlineBelow, below: filled) {
            let batchEnd = lastNewline + 1
            let tail = filled - batchEnd
            // A buffer grown for a long line may hold more of the next line than a batch.
            let next = tail <= batchBytes ? standardStorage() : ByteStorage(capacity: tail + Self.slackBytes)
            if tail > 0 { next.base.copyMemory(from: storage.base + batchEnd, byteCount: tail) }
            emit(LineBatch(storage: storage, byteCount: batchEnd, droppedLineLengths: droppedLineLengths))
            droppedLineLengths = []
            storage = next
            filled = tail
            noNewlineBelow = tail
            // The tail may itself be too long already (when batchBytes > maxLineBytes).
            if filled > maxLineBytes + 1 { startSkip() }
        } else if filled > maxLineBytes + 1 {
            // One byte of grace: a `\r` before the `\n` does not count towards the limit.
            startSkip()
        } else {
            noNewlineBelow = filled
        }
        // Otherwise one partial line shorter than the limit: writableBuffer() grows the buffer.
    }

    private mutating func startSkip() {
        skipping = true
        skippedLength = filled
        skippedEndsWithCR = storage.base.load(fromByteOffset: filled - 1, as: UInt8.self) == 0x0D
        filled = 0
        noNewlineBelow = 0
        if storage.capacity > batchBytes + Self.slackBytes {
            storage = standardStorage()
        }
    }

    /// Looks for the `\n` ending a skipped line in the bytes from `start`; keeps what follows it.
    private mutating func endSkip(searchingFrom start: Int) {
        let base = storage.base.assumingMemoryBound(to: UInt8.self)
        guard let found = memchr(base + start, 0x0A, filled - start) else {
            skippedLength += filled - start
            skippedEndsWithCR = base[filled - 1] == 0x0D
            filled = start  // discard: the skipped line's bytes are not kept
            return
        }
        let newline = UnsafeRawPointer(found) - UnsafeRawPointer(base)
        var length = skippedLength + newline - start
        // The `\r` before the `\n` may have come in an earlier commit, already discarded.
        if newline > start ? base[newline - 1] == 0x0D : skippedEndsWithCR { length -= 1 }
        droppedLineLengths.append(length)
        skipping = false
        let rest = filled - (newline + 1)
        if rest > 0 { storage.base.copyMemory(from: storage.base + newline + 1, byteCount: rest) }
        filled = rest
        noNewlineBelow = 0
    }

    private func lastIndex(of byte: UInt8, from start: Int, below end: Int) -> Int? {
        let base = storage.base.assumingMemoryBound(to: UInt8.self)
        var index = end - 1
        while index >= start {
            if base[index] == byte { return index }
            index -= 1
        }
        return nil
    }

    private mutating func replaceStorage(capacity: Int, keeping range: Range<Int>) {
        let next = ByteStorage(capacity: capacity)
        next.base.copyMemory(from: storage.base + range.lowerBound, byteCount: range.count)
        storage = next
    }
}
