import LogInput

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An input's raw bytes, watched: each read block is added to the progress line, and a stop
/// request (SIGINT, SIGTERM) ends the input at its next block with `ECANCELED`.
///
/// A pipe or a terminal that has nothing to read would block `read(2)` for as long as its
/// writer keeps it open, so there the source first waits with `poll(2)`, looking at the stop
/// request every 100 ms. Regular files are read directly: one check per 256 KiB block.
struct WatchedByteSource: ByteSource {
    /// How long a wait on a pipe lasts before the stop request is looked at again.
    static let pollMilliseconds: Int32 = 100

    private let base: FileByteSource
    private let progress: ProgressMeter?
    private let stop: StopRequest?
    private let waitsForData: Bool
    /// Offset of the next byte, and the furthest offset counted (a rewound source, read again
    /// to decode a damaged member a second time, is not counted twice).
    private var position: Int64 = 0
    private var counted: Int64 = 0

    init(_ base: FileByteSource, progress: ProgressMeter?, stop: StopRequest?) {
        self.base = base
        self.progress = progress
        self.stop = stop
        var status = stat()
        waitsForData = stop != nil && fstat(base.descriptor, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ByteSourceError) -> Int {
        if stop?.isRequested == true { throw ByteSourceError(code: ECANCELED) }
        if waitsForData { try waitUntilReadable() }
        let count = try base.read(into: buffer)
        position += Int64(count)
        if position > counted {
            progress?.addBytes(Int(position - counted))
            counted = position
        }
        return count
    }

    var canRewind: Bool { base.canRewind }

    mutating func rewind(to offset: Int64) -> Bool {
        guard base.rewind(to: offset) else { return false }
        position = offset
        return true
    }

    /// Waits until the descriptor has bytes (or its end) to read, or a stop is requested.
    private func waitUntilReadable() throws(ByteSourceError) {
        var request = pollfd(fd: base.descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&request, 1, Self.pollMilliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR && errno != EAGAIN { return }  // let read(2) report it
            if stop?.isRequested == true { throw ByteSourceError(code: ECANCELED) }
        }
    }
}
