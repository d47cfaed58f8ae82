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
///  raw bytes ──► sniff ──► plain ────────────────────────────► sink
///                  │
///                  └─► gzip: ┌► member (header, deflate, CRC-32 + ISIZE) ─► sink
///                            │        │ Z_STREAM_END
///                            │        ▼
///                            └─ 1f 8b next? ── zeros / other ─► trailing (flagged) ─► EOF
/// ```
///
/// Every byte the sink receives from a member that later fails its check has still been
/// passed on: the caller decides, from the returned ``InputOutcome``, whether to keep what it
/// made of them (the pipeline keeps nothing from a failed input unless `--salvage`).
public enum InputReader {
    /// Bytes read from the raw input per `read(2)`.
    public static let readBlockSize = 256 * 1024

    /// Reads `source` to its end (or to the first damage) into `sink`.
    ///
    /// - Parameter namedGzip: the input's name ends in `.gz`, so it must be gzip.
    public static func read<Source: ByteSource, Sink: DecompressedSink>(
        _ source: inout Source, namedGzip: Bool, into sink: inout Sink
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
                try inflateGzip(&raw, from: &source, into: &sink, outcome: &outcome)
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
        outcome.bytesRead = raw.offsetOfEnd
        return outcome
    }

    private static let gzipMagic: [UInt8] = [0x1f, 0x8b]

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

    private static func inflateGzip<Source: ByteSource, Sink: DecompressedSink>(
        _ raw: inout RawInput, from source: inout Source, into sink: inout Sink, outcome: inout InputOutcome
    ) throws(ByteSourceError) {
        let inflater = ZlibInflater()
        var memberStart: Int64 = 0
        var memberOutput: Int64 = 0
        var firstMember = true
        var lastMemberWasBGZFEnd = false
        var memberIsBGZF = false
        outcome.compression = .gzip

        memberLoop: while true {
            // Inside a member: inflate until its trailer has been verified.
            var sourceEnded = false
            while true {
                if raw.available == 0 && !sourceEnded {
                    try raw.fill(atLeast: 1, from: &source)
                    sourceEnded = raw.available == 0
                }
                let space = sink.writableBuffer()
                let (step, consumed, produced) = inflater.inflate(input: raw.unread, output: space)
                raw.consume(consumed)
                // The first header decides gzip or BGZF, even if the member then fails.
                if firstMember && outcome.compression == .gzip && inflater.memberIsBGZF { outcome.compression = .bgzf }
                if produced > 0 {
                    sink.commit(produced)
                    memberOutput += Int64(produced)
                    outcome.bytesDecompressed += Int64(produced)
                }
                switch step {
                case .progress:
                    // At the end of the input zlib may still hold output for bytes it has
                    // consumed (a match it had no room to copy): take all of it before calling
                    // the member truncated, so what is salvaged does not depend on buffer sizes.
                    if sourceEnded && produced == 0 {
                        outcome.failure = InputFailure(
                            kind: .truncated, offset: raw.offsetOfEnd,
                            detail: "ends inside gzip member \(outcome.members + 1) (which starts at byte "
                                + "\(memberStart)) at byte \(raw.offsetOfEnd)")
                        return
                    }
                    continue
                case .memberEnd:
                    memberIsBGZF = inflater.memberIsBGZF
                case .dataError(let message):
                    let offset = raw.offsetOfNext
                    let kind: InputFailure.Kind
                    switch message {
                    case "incorrect data check": kind = .crcMismatch
                    case "incorrect length check": kind = .lengthMismatch
                    default: kind = .corrupt
                    }
                    let what: String
                    switch kind {
                    case .crcMismatch: what = "CRC-32 mismatch"
                    case .lengthMismatch: what = "length (ISIZE) mismatch"
                    default: what = "gzip data is corrupt (zlib: \(message))"
                    }
                    outcome.failure = InputFailure(
                        kind: kind, offset: offset,
                        detail: "\(what) in gzip member \(outcome.members + 1) (which starts at byte "
                            + "\(memberStart)), detected at byte \(offset)")
                    return
                case .memoryError:
                    let offset = raw.offsetOfNext
                    outcome.failure = InputFailure(
                        kind: .readError, offset: offset, detail: "zlib ran out of memory at byte \(offset)")
                    return
                }
                break
            }

            // A member ended, verified.
            outcome.members += 1
            firstMember = false
            lastMemberWasBGZFEnd = memberIsBGZF && memberOutput == 0

            // What follows: another member, the end, or trailing bytes.
            try raw.fill(atLeast: 2, from: &source)
            if raw.available == 0 { break memberLoop }
            if raw.peek(2).elementsEqual(gzipMagic) {
                inflater.reset()
                memberStart = raw.offsetOfNext
                memberOutput = 0
                continue memberLoop
            }
            try classifyTrailing(&raw, from: &source, outcome: &outcome)
            break memberLoop
        }

        if outcome.compression == .bgzf && !lastMemberWasBGZFEnd {
            let offset = outcome.flags.first.map(\.offset) ?? raw.offsetOfEnd
            outcome.flags.insert(InputFlagNote(
                flag: .bgzfMissingEOF, offset: offset,
                detail: "BGZF data without its end-of-file block (cut at a block boundary?) at byte \(offset)"), at: 0)
        }
    }

    /// Reads what follows the last member to the end: all zeros is padding, anything else junk.
    private static func classifyTrailing<Source: ByteSource>(
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
struct RawInput: ~Copyable {
    private let storage: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    /// Input offset of `storage[0]`.
    private var base: Int64 = 0
    private var reachedEnd = false

    init(capacity: Int) {
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

    mutating func consume(_ count: Int) {
        start += count
    }

    /// Accounts for `count` bytes that were read past this buffer (straight into a sink).
    mutating func skipped(_ count: Int) {
        precondition(available == 0)
        base += Int64(end + count)
        start = 0
        end = 0
    }

    /// Reads until at least `minimum` bytes are unused or the input ends.
    mutating func fill<Source: ByteSource>(atLeast minimum: Int, from source: inout Source) throws(ByteSourceError) {
        guard available < minimum, !reachedEnd else { return }
        if start > 0 {
            // Move the unused tail to the front.
            let count = available
            if count > 0 {
                storage.baseAddress!.copyMemory(from: storage.baseAddress! + start, byteCount: count)
            }
            base += Int64(start)
            start = 0
            end = count
        }
        while available < minimum {
            let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
            if count == 0 {
                reachedEnd = true
                return
            }
            end += count
        }
    }
}
