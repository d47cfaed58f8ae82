import LogInput
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Heap bytes with a fixed capacity, freed with the last reference.
///
/// Written by one thread (the framer) and only read after it is handed over inside a
/// ``LineBatch``, hence `@unchecked Sendable`.
public final class ByteStorage: @unchecked Sendable {
    /// First byte.
    public let base: UnsafeMutableRawPointer
    /// Bytes allocated.
    public let capacity: Int

    public init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { base.deallocate() }
}

/// A run of whole lines from one input: stage 2's output and stage 3's input.
///
/// Every line in ``bytes`` ends with `\n`, except that the last batch of a stream that ended
/// cleanly may end with a line that has no newline. Lines too long to keep whole were dropped
/// by the framer and are listed in ``droppedLineLengths``; they come before the first line of
/// ``bytes`` in the input.
///
/// The bytes live in a ``ByteStorage`` filled by the framer, or in a `MappedFile` (a plain
/// file read without copying); ``owner`` keeps them alive.
public struct LineBatch: @unchecked Sendable {
    /// What holds the bytes: a ``ByteStorage`` or a `MappedFile`.
    public let owner: AnyObject & Sendable
    /// First byte.
    public let base: UnsafeRawPointer
    /// Number of bytes, from ``base``.
    public let byteCount: Int
    /// Lengths of lines that came just before this batch's bytes and were longer than the
    /// framer's limit (each counts as one line read, and one bad line).
    public let droppedLineLengths: [Int]

    public init(storage: ByteStorage, byteCount: Int, droppedLineLengths: [Int] = []) {
        owner = storage
        base = UnsafeRawPointer(storage.base)
        self.byteCount = byteCount
        self.droppedLineLengths = droppedLineLengths
    }

    /// A batch of `range` of a mapped file.
    public init(mapped file: MappedFile, range: Range<Int>, droppedLineLengths: [Int] = []) {
        owner = file
        base = file.bytes.baseAddress! + range.lowerBound
        byteCount = range.count
        self.droppedLineLengths = droppedLineLengths
    }

    /// The buffer, when the batch lives in one (to recycle it).
    public var storage: ByteStorage? { owner as? ByteStorage }

    /// Hands the batch's memory back once it is decoded: its buffer to `pool`, or its pages of
    /// a mapped file to the kernel. The batch must not be read afterwards.
    public func release(to pool: ByteStoragePool?) {
        if let storage {
            pool?.recycle(storage)
        } else if let file = owner as? MappedFile {
            let offset = base - UnsafeRawPointer(file.bytes.baseAddress!)
            file.release(offset..<(offset + byteCount))
        }
    }

    /// The batch's bytes.
    @inlinable
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: byteCount) }

    /// Calls `body` with every line in order (see ``lines(maxLineBytes:)``).
    @inlinable
    public func forEachLine(maxLineBytes: Int, _ body: (FramedLine) -> Void) {
        var lines = self.lines(maxLineBytes: maxLineBytes)
        while let line = lines.next() { body(line) }
    }

    /// Every line in order: the dropped long lines first, then each line of ``bytes`` without
    /// its `\n` and without one `\r` before it.
    ///
    /// A line longer than `maxLineBytes` is reported as ``FramedLine/tooLong(byteCount:)``;
    /// a line of only spaces and tabs is ``FramedLine/blank``.
    @inlinable
    public func lines(maxLineBytes: Int) -> Lines { Lines(batch: self, maxLineBytes: maxLineBytes) }

    /// The lines of a batch, one at a time. A loop over them needs no closure, so the loop's
    /// variables stay plain locals (a closure's captured variables are boxed and checked for
    /// exclusive access at run time).
    public struct Lines: IteratorProtocol {
        @usableFromInline let base: UnsafePointer<UInt8>
        @usableFromInline let byteCount: Int
        @usableFromInline let maxLineBytes: Int
        @usableFromInline let dropped: [Int]
        @usableFromInline var droppedIndex = 0
        @usableFromInline var start = 0

        @inlinable
        init(batch: LineBatch, maxLineBytes: Int) {
            base = batch.base.assumingMemoryBound(to: UInt8.self)
            byteCount = batch.byteCount
            self.maxLineBytes = maxLineBytes
            dropped = batch.droppedLineLengths
        }

        @inlinable
        public mutating func next() -> FramedLine? {
            if droppedIndex < dropped.count {
                droppedIndex += 1
                return .tooLong(byteCount: dropped[droppedIndex - 1])
            }
            guard start < byteCount else { return nil }
            var end: Int
            if let newline = memchr(base + start, 0x0A, byteCount - start) {
                end = UnsafeRawPointer(newline) - UnsafeRawPointer(base)
            } else {
                end = byteCount
            }
            let lineStart = start
            start = end + 1
            if end > lineStart && base[end - 1] == 0x0D { end -= 1 }
            let length = end - lineStart
            if length > maxLineBytes { return .tooLong(byteCount: length) }
            if FramedLine.isBlank(base + lineStart, length) { return .blank }
            return .text(UnsafeRawBufferPointer(start: base + lineStart, count: length))
        }
    }
}

/// One line as framing sees it.
public enum FramedLine {
    /// A line's bytes, without its terminator.
    case text(UnsafeRawBufferPointer)
    /// A line empty or made of spaces and tabs only.
    case blank
    /// A line over the length limit; its bytes are not kept.
    case tooLong(byteCount: Int)

    /// Whether `length` bytes at `start` are all spaces or tabs (or there are none).
    @inlinable
    static func isBlank(_ start: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        var index = 0
        while index < length {
            let byte = start[index]
            if byte != 0x20 && byte != 0x09 { return false }
            index += 1
        }
        return true
    }
}

/// Batch buffers handed back after decoding, for the framer to fill again.
///
/// A batch buffer is ~1 MiB; allocating a fresh one per batch costs the kernel a page fault
/// and a page clear per 4 KiB (several percent of a run, measured with perf). The pool keeps
/// at most `limit` buffers of one size; buffers of other sizes (grown for a long line) and
/// buffers beyond the limit are simply freed.
public final class ByteStoragePool: Sendable {
    /// The size of the buffers pooled.
    public let capacity: Int
    /// Most buffers kept.
    public let limit: Int
    private let free: Mutex<[ByteStorage]>

    public init(capacity: Int, limit: Int) {
        self.capacity = capacity
        self.limit = limit
        free = Mutex([])
    }

    /// A buffer of ``capacity`` bytes, recycled when one is free.
    public func take() -> ByteStorage {
        free.withLock { $0.popLast() } ?? ByteStorage(capacity: capacity)
    }

    /// Gives a buffer back. The caller must hold the only reference to it.
    public func recycle(_ storage: ByteStorage) {
        guard storage.capacity == capacity else { return }
        free.withLock { buffers in
            if buffers.count < limit { buffers.append(storage) }
        }
    }
}
