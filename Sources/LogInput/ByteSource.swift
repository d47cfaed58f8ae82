#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where an input's raw (possibly compressed) bytes come from.
///
/// Reading is pull-style and in large blocks: the stage calls ``read(into:)`` once per
/// block, never per byte, so the protocol's dynamic dispatch costs nothing measurable.
public protocol ByteSource {
    /// Fills the front of `buffer` with the next bytes and returns how many; 0 means end of
    /// input. Throws ``ByteSourceError`` when the bytes cannot be read.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ByteSourceError) -> Int

    /// Makes the next ``read(into:)`` start at `offset` (counted from the first byte this source
    /// served) and returns true, or returns false when the source cannot go back (a pipe).
    ///
    /// Stage 1 goes back only on damaged gzip members read with ISA-L, to decode them again
    /// with zlib (docs/architecture.md, "Inflate backends").
    mutating func rewind(to offset: Int64) -> Bool

    /// Whether ``rewind(to:)`` can work: false for a pipe. Stage 1 lets ISA-L write straight
    /// into the sink only then, because only a member zlib can decode again gets a result that
    /// does not depend on the sink's buffer sizes when the member is damaged.
    var canRewind: Bool { get }
}

extension ByteSource {
    /// A source that cannot go back.
    public mutating func rewind(to offset: Int64) -> Bool { false }
    public var canRewind: Bool { false }
}

/// A read failed: the operating system's error number and what it means.
public struct ByteSourceError: Error, Sendable, Equatable {
    /// The `errno` value.
    public var code: Int32
    /// `strerror(code)`.
    public var message: String { String(cString: strerror(code)) }

    public init(code: Int32) { self.code = code }
}

/// Reads a file descriptor with `read(2)`, retrying on `EINTR`.
///
/// Owns the descriptor when created with ``init(path:)`` and closes it in `deinit`; standard
/// input is borrowed, never closed.
public final class FileByteSource: ByteSource {
    /// The descriptor read from.
    public let descriptor: Int32
    private let ownsDescriptor: Bool
    /// The descriptor's file offset when reading began, or nil when it is not a regular file
    /// (a pipe, a terminal): then ``rewind(to:)`` is refused.
    private let startPosition: Int64?
    /// A regular file's size when it was opened; nil for anything else.
    public let sizeAtOpen: Int64?

    /// Opens `path` for reading.
    public init(path: String) throws(ByteSourceError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ByteSourceError(code: errno) }
        #if os(Linux)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        descriptor = fd
        ownsDescriptor = true
        startPosition = Self.seekablePosition(fd)
        sizeAtOpen = startPosition == nil ? nil : Self.size(fd)
    }

    /// Reads standard input.
    public init(standardInput: Void) {
        descriptor = STDIN_FILENO
        ownsDescriptor = false
        startPosition = Self.seekablePosition(STDIN_FILENO)
        sizeAtOpen = startPosition == nil ? nil : Self.size(STDIN_FILENO)
    }

    /// A regular file's size now; nil for anything else.
    public var currentSize: Int64? { sizeAtOpen == nil ? nil : Self.size(descriptor) }

    private static func size(_ fd: Int32) -> Int64? {
        var status = stat()
        return fstat(fd, &status) == 0 ? Int64(status.st_size) : nil
    }

    /// The current offset of a regular file's descriptor; nil for anything else.
    private static func seekablePosition(_ fd: Int32) -> Int64? {
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        let position = lseek(fd, 0, SEEK_CUR)
        return position >= 0 ? Int64(position) : nil
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ByteSourceError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = systemRead(descriptor, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw ByteSourceError(code: errno)
        }
    }

    public var canRewind: Bool { startPosition != nil }

    public func rewind(to offset: Int64) -> Bool {
        guard let startPosition, offset >= 0 else { return false }
        let target = off_t(startPosition + offset)
        return lseek(descriptor, target, SEEK_SET) == target
    }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#elseif canImport(Musl)
private let systemRead = Musl.read
#elseif canImport(Darwin)
private let systemRead = Darwin.read
#endif

/// Serves bytes from memory in pieces of at most `chunkSize`, so tests can feed a stage the
/// same bytes at many chunk sizes, and can simulate a read error after some bytes.
public struct MemoryByteSource: ByteSource {
    /// The bytes served.
    public let bytes: [UInt8]
    /// The largest piece one ``read(into:)`` returns.
    public let chunkSize: Int
    /// When set, the read that would go past this offset fails with `EIO` instead.
    public var failAtOffset: Int?
    /// Whether ``rewind(to:)`` works (false plays a pipe).
    public var canRewind: Bool
    private var position = 0

    public init(_ bytes: [UInt8], chunkSize: Int = 1 << 16, failAtOffset: Int? = nil, canRewind: Bool = true) {
        precondition(chunkSize > 0)
        self.bytes = bytes
        self.chunkSize = chunkSize
        self.failAtOffset = failAtOffset
        self.canRewind = canRewind
    }

    public mutating func rewind(to offset: Int64) -> Bool {
        guard canRewind, offset >= 0, offset <= Int64(bytes.count) else { return false }
        position = Int(offset)
        return true
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ByteSourceError) -> Int {
        var count = min(chunkSize, buffer.count, bytes.count - position)
        if let failAt = failAtOffset, position + count > failAt {
            count = failAt - position
            if count <= 0 { throw ByteSourceError(code: EIO) }
        }
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}
