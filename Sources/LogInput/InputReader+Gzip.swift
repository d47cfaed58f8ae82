/// Stage 1's gzip path: members framed here (RFC 1952), deflate data inflated by a backend.
///
/// ```
///  member:  header ──────► deflate data ──────────────► trailer: CRC-32, ISIZE
///           GzipHeaderParser  RawInflater (zlib | ISA-L)   checked here, against the CRC and
///           (Swift)           → sink                       length of what went to the sink
/// ```
///
/// Both backends see the same bytes through the same framing, so every status, flag, failure
/// kind, offset and member count is decided by this file, never by a library. What a backend
/// decides is only the bytes of a member's deflate data, and those are unique where the data
/// is valid. Where it is not (a member cut short, invalid deflate data, a CRC or length that
/// does not match), zlib and ISA-L can legitimately decode different amounts, so:
///
/// - ISA-L's output of a member is handed on ``isalLagBytes`` behind: the last bytes decoded
///   wait until more follow, and the member's last ones until its trailer has verified;
/// - a member that ISA-L cannot verify is decoded again from its deflate data by zlib, the
///   reference (the source goes back with ``ByteSource/rewind(to:)``), which skips the bytes
///   already handed on and decides the member's verdict and its remaining bytes.
///
/// So a damaged member yields zlib's bytes and verdict whatever the backend, as long as
/// ISA-L did not hand on more than zlib decodes (it never has in 7 500 damaged copies of the
/// corpus; see docs/architecture.md for the one way it could). A source that cannot go back
/// (a pipe on standard input) keeps ISA-L's own reading of the damaged member; the docs say
/// what can differ then.
extension InputReader {
    /// Bytes of a member's output ISA-L keeps back until more follow. Before invalid data
    /// ISA-L's fast decoder had written at most 50 bytes more than zlib (43 000 single-bit
    /// flips of gzip -1/-6 logs and of the 1 GB benchmark log; docs/architecture.md), so
    /// 4 KiB holds that with room to spare, for one copy of at most 4 KiB per call.
    static let isalLagBytes = 4 << 10
    /// ISA-L's output buffer. ISA-L copies 32 KiB of history at the end of every call, so
    /// calls that produce 1 MiB make that copy cheap (860 against 780 MB/s with 256 KiB calls,
    /// on the 1 GB benchmark log).
    static let isalStagingBytes = 1 << 20
    /// Room a sink must offer beyond the held bytes for ISA-L to write into it directly; a
    /// smaller buffer gets ISA-L's output through ``isalStagingBytes`` (the line framer always
    /// offers 128 KiB or more).
    static let isalDirectBytes = 32 << 10

    /// Inflates a gzip input: members until the input ends, then what follows the last one.
    static func inflateGzip<Source: ByteSource, Sink: DecompressedSink>(
        _ raw: inout RawInput, from source: inout Source, into sink: inout Sink,
        outcome: inout InputOutcome, backend: InflateBackend
    ) throws(ByteSourceError) {
        outcome.compression = .gzip
        let reader = GzipMemberReader(backend: backend)
        var lastMemberWasBGZFEnd = false

        while true {
            guard let member = try reader.readMember(&raw, from: &source, into: &sink, outcome: &outcome) else {
                return  // failed; the failure is in the outcome
            }
            outcome.members += 1
            lastMemberWasBGZFEnd = member.isBGZF && member.length == 0

            // What follows: another member, the end, or trailing bytes.
            try raw.fill(atLeast: 2, from: &source)
            if raw.available == 0 { break }
            if raw.peek(2).elementsEqual(gzipMagic) { continue }
            try classifyTrailing(&raw, from: &source, outcome: &outcome)
            break
        }

        if outcome.compression == .bgzf && !lastMemberWasBGZFEnd {
            let offset = outcome.flags.first.map(\.offset) ?? raw.offsetOfEnd
            outcome.flags.insert(InputFlagNote(
                flag: .bgzfMissingEOF, offset: offset,
                detail: "BGZF data without its end-of-file block (cut at a block boundary?) at byte \(offset)"), at: 0)
        }
    }
}

/// Reads gzip members one by one with one backend, falling back to zlib for a member the
/// backend could not verify. One per input; owns the inflaters and ISA-L's output buffer.
final class GzipMemberReader {
    /// A member that ended verified.
    struct Member {
        /// Its header carries BGZF's `BC` subfield.
        var isBGZF: Bool
        /// Its decompressed length.
        var length: Int64
    }

    /// How a member's deflate data ended.
    private enum DeflateEnd: Equatable {
        /// The final block ended; the trailer follows.
        case end
        /// The input ended (or could not be read further) inside the deflate data.
        case inputEnded
        /// The deflate data is invalid.
        case invalid
        /// zlib could not get memory.
        case outOfMemory
    }

    /// The verdict on one member.
    private enum Verdict {
        /// The trailer matched: the member's bytes are verified.
        case verified
        /// The input ended inside the member (its deflate data or its trailer).
        case truncated
        /// The input could not be read at this offset.
        case readError(ByteSourceError, at: Int64)
        /// The deflate data is invalid.
        case invalidDeflate
        /// The trailer's CRC-32, at this offset, does not match the bytes decoded.
        case crcMismatch(at: Int64)
        /// The trailer's ISIZE, at this offset, does not match the length decoded.
        case lengthMismatch(at: Int64)
        /// zlib could not get memory.
        case outOfMemory
    }

    /// The backend's inflater.
    private let primary: RawInflater
    /// True when the backend is zlib: nothing to decode again, nothing held back.
    private let primaryIsReference: Bool
    /// zlib, made on first need, to decode a member ISA-L could not verify.
    private var reference: ZlibInflater?
    /// ISA-L's held-back bytes, and its output buffer when the sink offers too little room
    /// (empty for zlib, which writes straight into the sink).
    private let staging: UnsafeMutableRawBufferPointer
    /// Bytes decoded into ``staging`` and not handed on yet.
    private var stagedCount = 0

    // The current member's output.
    /// CRC-32 of every byte decoded so far (handed on, held back or skipped).
    private var crc: UInt32 = 0
    /// Bytes decoded so far (handed on, held back or skipped).
    private var length: Int64 = 0
    /// Bytes handed to the sink.
    private var delivered: Int64 = 0
    /// Bytes still to skip, when decoding again what was already handed on.
    private var skipRemaining: Int64 = 0

    init(backend: InflateBackend) {
        if backend == .isal, let isal = IsalInflater() {
            primary = isal
            primaryIsReference = false
            staging = .allocate(byteCount: InputReader.isalStagingBytes, alignment: 64)
        } else {
            primary = ZlibInflater()
            primaryIsReference = true
            staging = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        }
    }

    deinit {
        staging.deallocate()
    }

    /// Reads the member at the input's next byte; nil when it failed (the failure is then in
    /// `outcome`).
    func readMember<Source: ByteSource, Sink: DecompressedSink>(
        _ raw: inout RawInput, from source: inout Source, into sink: inout Sink, outcome: inout InputOutcome
    ) throws(ByteSourceError) -> Member? {
        let memberStart = raw.offsetOfNext
        let number = outcome.members + 1

        // 1. The header.
        var header = GzipHeaderParser()
        headerLoop: while true {
            if raw.available == 0 {
                try raw.fill(atLeast: 1, from: &source)
                if raw.available == 0 {
                    outcome.failure = truncation(number, memberStart, at: raw.offsetOfEnd)
                    return nil
                }
            }
            let (consumed, state) = header.feed(raw.unread, checksum: primary)
            raw.consume(consumed)
            switch state {
            case .needMore:
                continue
            case .complete:
                break headerLoop
            case .invalid(let invalid):
                let offset = memberStart + Int64(invalid.offset)
                outcome.failure = InputFailure(
                    kind: .corrupt, offset: offset,
                    detail: "invalid gzip header in member \(number) (which starts at byte \(memberStart)) at byte "
                        + "\(offset): \(invalid.message)")
                return nil
            }
        }
        // The first header decides gzip or BGZF, even if the member then fails.
        if outcome.members == 0 && header.isBGZF { outcome.compression = .bgzf }
        let deflateStart = raw.offsetOfNext

        // 2. The deflate data and the trailer, with the backend.
        startMember(skipping: 0)
        primary.reset()
        var readError: ByteSourceError?
        var end = inflate(with: primary, &raw, from: &source, into: &sink, outcome: &outcome, readError: &readError)
        var endOffset = raw.offsetOfEnd
        var verdict = finish(end, readError, at: endOffset, &raw, from: &source)

        // 3. A member ISA-L could not verify: zlib decodes it again and has the last word.
        if !primaryIsReference && needsReference(end, verdict) {
            let limit = end == .inputEnded ? endOffset : nil
            if raw.rewind(to: deflateStart, limit: limit, from: &source) {
                let zlib = reference ?? ZlibInflater()
                reference = zlib
                zlib.reset()
                startMember(skipping: delivered)
                var secondReadError: ByteSourceError?
                end = inflate(with: zlib, &raw, from: &source, into: &sink, outcome: &outcome, readError: &secondReadError)
                // The first read's error stands where the second read stopped short of it.
                if end == .inputEnded, secondReadError == nil, let first = readError, raw.offsetOfEnd == endOffset {
                    secondReadError = first
                }
                readError = secondReadError
                endOffset = raw.offsetOfEnd
                verdict = finish(end, readError, at: endOffset, &raw, from: &source)
            }
            // Otherwise (a pipe) ISA-L's reading of the damaged member is all there is.
        }
        // What is still held back goes on now: the member verified, or its verdict is final.
        drainStaged(keeping: 0, into: &sink, outcome: &outcome)

        switch verdict {
        case .verified:
            return Member(isBGZF: header.isBGZF, length: length)
        case .truncated:
            outcome.failure = truncation(number, memberStart, at: raw.offsetOfEnd)
        case .readError(let error, let offset):
            outcome.failure = InputFailure(
                kind: .readError, offset: offset, detail: "read error at byte \(offset): \(error.message)")
        case .invalidDeflate:
            outcome.failure = InputFailure(
                kind: .corrupt, offset: deflateStart,
                detail: "invalid deflate data in gzip member \(number) (which starts at byte \(memberStart)); "
                    + "its deflate data starts at byte \(deflateStart)")
        case .crcMismatch(let offset):
            outcome.failure = InputFailure(
                kind: .crcMismatch, offset: offset,
                detail: "CRC-32 mismatch in gzip member \(number) (which starts at byte \(memberStart)): "
                    + "the CRC-32 at byte \(offset) does not match the data")
        case .lengthMismatch(let offset):
            outcome.failure = InputFailure(
                kind: .lengthMismatch, offset: offset,
                detail: "length (ISIZE) mismatch in gzip member \(number) (which starts at byte \(memberStart)): "
                    + "the ISIZE at byte \(offset) does not match the data length")
        case .outOfMemory:
            outcome.failure = InputFailure(
                kind: .readError, offset: endOffset, detail: "zlib ran out of memory at byte \(endOffset)")
        }
        return nil
    }

    /// The failure of member `number` (starting at `memberStart`) when the input ends at `offset`.
    private func truncation(_ number: Int, _ memberStart: Int64, at offset: Int64) -> InputFailure {
        InputFailure(
            kind: .truncated, offset: offset,
            detail: "ends inside gzip member \(number) (which starts at byte \(memberStart)) at byte \(offset)")
    }

    /// Whether zlib must decode the member again: its deflate data did not end, or its
    /// trailer did not match what was decoded.
    private func needsReference(_ end: DeflateEnd, _ verdict: Verdict) -> Bool {
        // Any member ISA-L did not verify, also one whose deflate data ended but whose trailer
        // is cut: ISA-L accepts some Huffman code sets zlib rejects (found by fuzz-inflate), so
        // only zlib's reading of an unverified member is the same whatever the backend.
        if case .verified = verdict, end == .end { return false }
        return true
    }

    /// The verdict after the deflate data ended as `end` (at `endOffset`): for a clean end,
    /// the trailer's.
    private func finish<Source: ByteSource>(
        _ end: DeflateEnd, _ readError: ByteSourceError?, at endOffset: Int64, _ raw: inout RawInput,
        from source: inout Source
    ) -> Verdict {
        switch end {
        case .end:
            do {
                return try readTrailer(&raw, from: &source)
            } catch {
                return .readError(error, at: raw.offsetOfEnd)
            }
        case .inputEnded: return readError.map { .readError($0, at: endOffset) } ?? .truncated
        case .invalid: return .invalidDeflate
        case .outOfMemory: return .outOfMemory
        }
    }

    /// Reads the 8-byte trailer: CRC-32, then ISIZE (the length modulo 2³²), both
    /// little-endian, each checked as soon as its 4 bytes are in (so a wrong CRC-32 is found
    /// even when ISIZE is cut off, as zlib does).
    private func readTrailer<Source: ByteSource>(
        _ raw: inout RawInput, from source: inout Source
    ) throws(ByteSourceError) -> Verdict {
        let trailerStart = raw.offsetOfNext
        var value: UInt64 = 0
        var count = 0
        while count < 8 {
            if raw.available == 0 {
                try raw.fill(atLeast: 1, from: &source)
                if raw.available == 0 { return .truncated }
            }
            value |= UInt64(raw.unread[0]) << (8 * count)
            raw.consume(1)
            count += 1
            if count == 4 && UInt32(truncatingIfNeeded: value) != crc { return .crcMismatch(at: trailerStart) }
        }
        if UInt32(truncatingIfNeeded: value >> 32) != UInt32(truncatingIfNeeded: length) {
            return .lengthMismatch(at: trailerStart + 4)
        }
        return .verified
    }

    /// Starts a member's output from nothing; the first `skip` decoded bytes were handed on
    /// already (by the first decode) and are only counted.
    private func startMember(skipping skip: Int64) {
        crc = 0
        length = 0
        skipRemaining = skip
        if skip == 0 { delivered = 0 }
        stagedCount = 0
    }

    /// Inflates the member's deflate data until it ends, the input ends, or it is invalid.
    /// zlib as the backend writes straight into the sink, and so does ISA-L when the sink
    /// offers room enough and the source can go back (a damaged member is then decoded again
    /// by zlib, whatever ISA-L wrote where), its last ``InputReader/isalLagBytes`` held back in
    /// ``staging``; otherwise ISA-L, and zlib decoding a member again, write into ``staging``
    /// first, so that ISA-L's reading of a damaged member from a pipe does not depend on the
    /// sink's buffer sizes.
    private func inflate<Source: ByteSource, Sink: DecompressedSink>(
        with inflater: RawInflater, _ raw: inout RawInput, from source: inout Source, into sink: inout Sink,
        outcome: inout InputOutcome, readError: inout ByteSourceError?
    ) -> DeflateEnd {
        let staged = staging.count > 0
        let hold = inflater === primary && !primaryIsReference ? InputReader.isalLagBytes : 0
        var sourceEnded = false
        while true {
            if raw.available == 0 && !sourceEnded {
                do {
                    try raw.fill(atLeast: 1, from: &source)
                } catch {
                    readError = error
                    return .inputEnded
                }
                sourceEnded = raw.available == 0
            }
            let step: RawInflateStep
            let space = staged && hold > 0 && skipRemaining == 0 && source.canRewind ? sink.writableBuffer() : nil
            if let space, space.count - stagedCount >= InputReader.isalDirectBytes {
                // ISA-L straight into the sink, without staging's copy of every byte: the held
                // bytes go first (they are the member's next ones), then the new output; the
                // last `hold` bytes are held again (copied to staging, before the commit hands
                // the buffer on), and the rest is handed on.
                if stagedCount > 0 { space.baseAddress!.copyMemory(from: staging.baseAddress!, byteCount: stagedCount) }
                let output = UnsafeMutableRawBufferPointer(rebasing: space[stagedCount...])
                step = inflater.inflate(input: raw.unread, output: output)
                if step.produced > 0 {
                    crc = primary.crc32(crc, UnsafeRawBufferPointer(rebasing: output[0..<step.produced]))
                    length += Int64(step.produced)
                }
                let total = stagedCount + step.produced
                let handed = total - min(hold, total)
                stagedCount = total - handed
                if stagedCount > 0 { staging.baseAddress!.copyMemory(from: space.baseAddress! + handed, byteCount: stagedCount) }
                if handed > 0 {
                    delivered += Int64(handed)
                    outcome.bytesDecompressed += Int64(handed)
                    sink.commit(handed)
                }
            } else if staged {
                let room = UnsafeMutableRawBufferPointer(rebasing: staging[stagedCount...])
                step = inflater.inflate(input: raw.unread, output: room)
                if step.produced > 0 {
                    crc = primary.crc32(crc, UnsafeRawBufferPointer(rebasing: room[0..<step.produced]))
                    length += Int64(step.produced)
                    stagedCount += step.produced
                }
            } else {
                let space = sink.writableBuffer()
                step = inflater.inflate(input: raw.unread, output: space)
                if step.produced > 0 {
                    let bytes = UnsafeRawBufferPointer(rebasing: space[0..<step.produced])
                    // Before the commit: a committed buffer may leave for another thread.
                    crc = primary.crc32(crc, bytes)
                    length += Int64(step.produced)
                    delivered += Int64(step.produced)
                    outcome.bytesDecompressed += Int64(step.produced)
                    sink.commit(step.produced)
                }
            }
            raw.consume(step.consumed)
            switch step.status {
            case .end:
                // ISA-L's last bytes wait for the trailer's verdict (``readMember``).
                drainStaged(keeping: hold, into: &sink, outcome: &outcome)
                return .end
            case .invalid, .outOfMemory:
                // What came before the damage goes on (ISA-L's last bytes stay held back: the
                // caller decodes the member again with zlib, or hands them on from a pipe).
                drainStaged(keeping: hold, into: &sink, outcome: &outcome)
                return step.status == .invalid ? .invalid : .outOfMemory
            case .progress:
                drainStaged(keeping: hold, into: &sink, outcome: &outcome)
                if step.consumed == 0 && step.produced == 0 {
                    // Nothing more comes out of what was read (a decoder may still have held
                    // output for bytes it had consumed; that has been taken now, so what is
                    // salvaged does not depend on buffer sizes).
                    if sourceEnded { return .inputEnded }
                    let before = raw.available
                    do {
                        try raw.fill(atLeast: before + 1, from: &source)
                    } catch {
                        readError = error
                        return .inputEnded
                    }
                    if raw.available == before {
                        // No more input: the end; or a full buffer a decoder will not use,
                        // which zlib and ISA-L never leave: call it invalid rather than loop.
                        if before > 0 { return .invalid }
                        sourceEnded = true
                    }
                }
            }
        }
    }

    /// Hands the staged output on, all but its last `keep` bytes, skipping (dropping) bytes
    /// still to skip. Staged bytes are already in ``crc`` and ``length``.
    private func drainStaged<Sink: DecompressedSink>(keeping keep: Int, into sink: inout Sink, outcome: inout InputOutcome) {
        let ready = stagedCount - min(keep, stagedCount)
        guard ready > 0 else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: staging[0..<ready])
        var offset = 0
        if skipRemaining > 0 {
            offset = Int(min(Int64(ready), skipRemaining))
            skipRemaining -= Int64(offset)
        }
        while offset < ready {
            let space = sink.writableBuffer()
            let count = min(space.count, ready - offset)
            space.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            sink.commit(count)
            offset += count
            delivered += Int64(count)
            outcome.bytesDecompressed += Int64(count)
        }
        let kept = stagedCount - ready
        if kept > 0 {
            staging.baseAddress!.copyMemory(from: staging.baseAddress! + ready, byteCount: kept)
        }
        stagedCount = kept
    }
}
