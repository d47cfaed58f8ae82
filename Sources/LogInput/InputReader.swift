/// Receives an input's decompressed bytes, in order, without an intermediate copy.
///
/// The stage asks the sink for writable space, decompresses (or reads) straight into it, and
/// commits what it wrote. The line framer (stage 2) is the sink in production; tests use a
/// sink that collects bytes.
public protocol DecompressedSink {
    /// Space for the next decompressed bytes; never empty.
    mutating func writableBuffer() -> UnsafeMutableRawBufferPointer
    /// The first `count` bytes of the last ``writableBuffer()`` now hold data.
    mutating func commit(_ count: Int)
}

/// Stage 1: reads one input, detects its compression from its magic bytes, inflates gzip
/// (any number of members) and hands the bytes to a ``DecompressedSink``, in constant memory.
///
/// ```
///  raw bytes ──► sniff ──► plain ──────────────────────────────────────────────► sink
///                  │
///                  └─► gzip: ┌► member: header ─► deflate data ─► CRC-32 + ISIZE ─► sink
///                            │          (Swift)    (zlib or ISA-L)   (Swift)
///                            │                                │ verified
///                            │                                ▼
///                            └──── 1f 8b next? ─── zeros / other ─► trailing (flagged) ─► EOF
/// ```
///
/// The gzip framing (RFC 1952: headers, trailers, member boundaries, what follows the last
/// member) is done here in Swift, once for both backends; a backend only inflates raw
/// deflate data and computes CRC-32s (`InputReader+Gzip.swift`).
///
/// Every byte the sink receives from a member that later fails its check has still been
/// passed on: the caller decides, from the returned ``InputOutcome``, whether to keep what it
/// made of them (the pipeline keeps nothing from a failed input unless `--salvage`).
public enum InputReader {
    /// Bytes read from the raw input per `read(2)`.
    public static let readBlockSize = 256 * 1024

    /// Reads `source` to its end (or to the first damage) into `sink`.
    ///
    /// - Parameters:
    ///   - namedGzip: the input's name ends in `.gz`, so it must be gzip.
    ///   - backend: the library that inflates deflate data. The outcome and the bytes are the
    ///     same with either; ISA-L, when asked for but not loadable, falls back to zlib.
    public static func read<Source: ByteSource, Sink: DecompressedSink>(
        _ source: inout Source, namedGzip: Bool, backend: InflateBackend = .zlib, into sink: inout Sink
    ) -> InputOutcome {
        var raw = RawInput(capacity: readBlockSize)
        var outcome = InputOutcome()
        do {
            try raw.fill(atLeast: 6, from: &source)
            let magic = raw.peek(6)
            if let other = OtherCompression(magic: magic) {
                outcome.failure = InputFailure(
                    kind: namedGzip ? .notGzip : .unsupportedCompression, offset: 0,
                    detail: namedGzip
                        ? "not gzip data (looks like \(other.rawValue)), although the name ends in .gz"
                        : "\(other.rawValue) compression is not supported; decompress it first")
            } else if magic.starts(with: gzipMagic) {
                try inflateGzip(&raw, from: &source, into: &sink, outcome: &outcome, backend: backend)
            } else if namedGzip {
                if raw.isEmpty {
                    outcome.flags.append(InputFlagNote(
                        flag: .emptyGzip, offset: 0, detail: "empty file, although the name ends in .gz"))
                } else if gzipMagic.starts(with: magic) {
                    outcome.failure = InputFailure(
                        kind: .truncated, offset: Int64(magic.count),
                        detail: "ends inside the gzip header at byte \(magic.count)")
                } else {
                    outcome.failure = InputFailure(
                        kind: .notGzip, offset: 0,
                        detail: "not gzip data (does not start with 1f 8b), although the name ends in .gz")
                }
            } else {
                try copyPlain(&raw, from: &source, into: &sink, outcome: &outcome)
            }
        } catch {
            outcome.failure = InputFailure(
                kind: .readError, offset: raw.offsetOfEnd, detail: "read error at byte \(raw.offsetOfEnd): \(error.message)")
        }
        outcome.bytesRead = raw.furthestRead
        return outcome
    }

    static let gzipMagic: [UInt8] = [0x1f, 0x8b]

    /// Whether an input whose first bytes (up to 6) are `magic` is read as plain text: not
    /// named `.gz`, and neither gzip nor another compression by its magic bytes.
    public static func isPlainText(magic: ArraySlice<UInt8>, namedGzip: Bool) -> Bool {
        !namedGzip && OtherCompression(magic: magic) == nil && !magic.starts(with: gzipMagic)
    }

    private static func copyPlain<Source: ByteSource, Sink: DecompressedSink>(
        _ raw: inout RawInput, from source: inout Source, into sink: inout Sink, outcome: inout InputOutcome
    ) throws(ByteSourceError) {
        while raw.available > 0 {
            let space = sink.writableBuffer()
            let count = min(space.count, raw.available)
            space.baseAddress!.copyMemory(from: raw.unread.baseAddress!, byteCount: count)
            sink.commit(count)
            raw.consume(count)
            outcome.bytesDecompressed += Int64(count)
        }
        // The rest goes straight from read(2) into the sink's buffer.
        while true {
            let space = sink.writableBuffer()
            let count = try source.read(into: space)
            if count == 0 { break }
            sink.commit(count)
            raw.skipped(count)
            outcome.bytesDecompressed += Int64(count)
        }
    }

    /// Reads what follows the last member to the end: all zeros is padding, anything else junk.
    static func classifyTrailing<Source: ByteSource>(
        _ raw: inout RawInput, from source: inout Source, outcome: inout InputOutcome
    ) throws(ByteSourceError) {
        let start = raw.offsetOfNext
        while true {
            if raw.available == 0 {
                try raw.fill(atLeast: 1, from: &source)
                if raw.available == 0 { break }
            }
            if let junk = raw.unread.firstIndex(where: { $0 != 0 }) {
                let offset = raw.offsetOfNext + Int64(junk)
                outcome.flags.append(InputFlagNote(
                    flag: .trailingJunk, offset: start,
                    detail: offset == start
                        ? "data after the last gzip member at byte \(start) is not gzip; it was not read"
                        : "zero padding from byte \(start), then other data at byte \(offset); it was not read"))
                raw.consume(raw.available)
                return
            }
            raw.consume(raw.available)
        }
        outcome.flags.append(InputFlagNote(
            flag: .trailingZeros, offset: start,
            detail: "\(raw.offsetOfNext - start) zero bytes of padding after the last gzip member at byte \(start)"))
    }
}

/// Compression formats recognised by their magic bytes only to say so clearly.
enum OtherCompression: String {
    case bzip2, xz, zstd, zip

    init?(magic: ArraySlice<UInt8>) {
        if magic.starts(with: [0x42, 0x5a, 0x68]) { self = .bzip2 }  // "BZh"
        else if magic.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { self = .xz }
        else if magic.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { self = .zstd }
        else if magic.starts(with: [0x50, 0x4b, 0x03, 0x04]) { self = .zip }
        else { return nil }
    }
}

/// The raw-input buffer: bytes read but not yet used, and their offset in the input.
///
/// When it moves unused bytes to the front it keeps the last ``lookbehind`` used bytes before
/// them, so a decoder that read a few bytes past the end of its data (ISA-L's bit buffer) can
/// hand them back with a negative ``consume(_:)``. ``rewind(to:limit:from:)`` starts again at
/// an earlier offset, for a second decode of a damaged member.
struct RawInput: ~Copyable {
    /// Used bytes kept before the unused ones: more than the 8 ISA-L may hand back.
    static let lookbehind = 16

    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// Input offset of `storage[0]`.
    private var base: Int64 = 0
    private var reachedEnd = false
    /// Reading stops at this offset (a second decode stops where the first read ended).
    private var limit: Int64?
    /// The furthest input offset read, over every pass: what `bytesRead` reports.
    private(set) var furthestRead: Int64 = 0

    init(capacity: Int) {
        precondition(capacity > 4 * Self.lookbehind)
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Bytes read but not used yet.
    var available: Int { end - start }
    /// True when the input had no bytes at all.
    var isEmpty: Bool { reachedEnd && base == 0 && end == 0 }
    /// The unused bytes.
    var unread: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[start..<end]) }
    /// Input offset of the next unused byte.
    var offsetOfNext: Int64 { base + Int64(start) }
    /// Input offset just past the last byte read.
    var offsetOfEnd: Int64 { base + Int64(end) }

    /// Up to `count` unused bytes, without using them.
    func peek(_ count: Int) -> ArraySlice<UInt8> {
        ArraySlice(UnsafeRawBufferPointer(rebasing: storage[start..<min(end, start + count)]))
    }

    /// Uses `count` bytes; a negative count gives back bytes used before (at most
    /// ``lookbehind`` of them are guaranteed to be still there).
    mutating func consume(_ count: Int) {
        precondition(start + count >= 0 && start + count <= end, "consumed \(count) of \(available) bytes (\(start) behind)")
        start += count
    }

    /// Accounts for `count` bytes that were read past this buffer (straight into a sink).
    mutating func skipped(_ count: Int) {
        precondition(available == 0)
        base += Int64(end + count)
        start = 0
        end = 0
        furthestRead = max(furthestRead, base)
    }

    /// Reads until at least `minimum` bytes are unused or the input ends (or the buffer is
    /// full: `minimum` is then not reached although the input goes on).
    mutating func fill<Source: ByteSource>(atLeast minimum: Int, from source: inout Source) throws(ByteSourceError) {
        guard available < minimum, !reachedEnd else { return }
        if start > Self.lookbehind {
            // Move the unused tail, and the last used bytes before it, to the front.
            let from = start - Self.lookbehind
            let count = end - from
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + from, byteCount: count)
            base += Int64(from)
            start = Self.lookbehind
            end = count
        }
        while available < minimum {
            var room = storage.count - end
            if let limit { room = min(room, Int(max(0, limit - offsetOfEnd))) }
            if room == 0 {
                if let limit, offsetOfEnd >= limit { reachedEnd = true }
                return
            }
            let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end..<(end + room)]))
            if count == 0 {
                reachedEnd = true
                return
            }
            end += count
            furthestRead = max(furthestRead, offsetOfEnd)
        }
    }

    /// Starts again at `offset` (reading no further than `limit`); false, and nothing
    /// changed, when the source cannot go back.
    mutating func rewind<Source: ByteSource>(to offset: Int64, limit: Int64?, from source: inout Source) -> Bool {
        guard source.rewind(to: offset) else { return false }
        base = offset
        start = 0
        end = 0
        reachedEnd = false
        self.limit = limit
        return true
    }
}
