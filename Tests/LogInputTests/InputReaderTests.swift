import LogInput
import Testing

/// Stage 1 on files made by the real tools (`Fixtures/make-fixtures.sh`), with each inflate
/// backend: the same expectations hold for zlib and ISA-L.
@Suite struct InputReaderTests {
    @Test(arguments: FixtureCase.all, InflateBackend.allCases)
    func readsFixtureFromMemory(_ fixture: FixtureCase, backend: InflateBackend) throws {
        try backend.requireAvailable()
        let bytes = Fixtures.bytes(fixture.name)
        #expect(bytes.count == Int(fixture.size), "the committed fixture changed")
        let (outcome, received) = readInMemory(bytes, namedGzip: fixture.namedGzip, backend: backend)
        fixture.check(outcome, received)
    }

    @Test(arguments: FixtureCase.all, InflateBackend.allCases)
    func readsFixtureFromFile(_ fixture: FixtureCase, backend: InflateBackend) throws {
        try backend.requireAvailable()
        let input = InputFile(.file(path: Fixtures.path(fixture.name)))
        #expect(input.isNamedGzip == fixture.namedGzip)
        var source = try input.open()
        var sink = CollectingSink()
        let outcome = InputReader.read(&source, namedGzip: input.isNamedGzip, backend: backend, into: &sink)
        fixture.check(outcome, sink.collected)
    }

    /// Stage 1 tells the failure apart from the flags: a failed input has no flag.
    @Test func statusFollowsFailureThenFlags() {
        var outcome = InputOutcome()
        #expect(outcome.status == .ok)
        outcome.flags.append(InputFlagNote(flag: .trailingZeros, offset: 9, detail: ""))
        #expect(outcome.status == .flagged)
        outcome.failure = InputFailure(kind: .truncated, offset: 9, detail: "")
        #expect(outcome.status == .failed)
        #expect(InputStatus.ok < .flagged && InputStatus.flagged < .failed)
        #expect([InputStatus.failed, .ok, .flagged].max() == .failed)
    }

    /// The details are stage 1's own words, the same with either backend (no library message).
    @Test(arguments: InflateBackend.allCases)
    func failureDetailsNameMemberAndOffset(backend: InflateBackend) throws {
        try backend.requireAvailable()
        func detail(_ name: String) -> String? {
            readInMemory(Fixtures.bytes(name), namedGzip: name.hasSuffix(".gz"), backend: backend).outcome.failure?.detail
        }
        #expect(detail("crc-stored.jsonl.gz")
            == "CRC-32 mismatch in gzip member 1 (which starts at byte 0): the CRC-32 at byte 3352 does not match the data")
        #expect(detail("isize.jsonl.gz")
            == "length (ISIZE) mismatch in gzip member 1 (which starts at byte 0): the ISIZE at byte 470 does not match the data length")
        #expect(detail("truncated-second-member.jsonl.gz") == "ends inside gzip member 2 (which starts at byte 291) at byte 321")
        #expect(detail("corrupt-block-type.jsonl.gz")
            == "invalid deflate data in gzip member 1 (which starts at byte 0); its deflate data starts at byte 10")
        #expect(detail("corrupt-method.jsonl.gz")
            == "invalid gzip header in member 1 (which starts at byte 0) at byte 2: compression method 7 is not deflate (8)")
        let bzip2 = readInMemory(Fixtures.bytes("small.jsonl.bz2"), namedGzip: false).outcome
        #expect(bzip2.failure?.detail == "bzip2 compression is not supported; decompress it first")
        let named = readInMemory(Fixtures.bytes("bzip2.jsonl.gz"), namedGzip: true).outcome
        #expect(named.failure?.detail == "not gzip data (looks like bzip2), although the name ends in .gz")
    }

    // MARK: - Inputs built in memory

    @Test func emptyInputNotNamedGzipIsEmptyPlainText() {
        let (outcome, received) = readInMemory([], namedGzip: false)
        #expect(outcome == InputOutcome())
        #expect(outcome.status == .ok)
        #expect(received == [])
    }

    /// Shorter than the 6 bytes stage 1 sniffs: plain text, read whole.
    @Test(arguments: [[UInt8(ascii: "{")], Array("{}\n".utf8), Array("{}\r\n\n".utf8)])
    func shortPlainInputIsCopied(_ bytes: [UInt8]) {
        let (outcome, received) = readInMemory(bytes, namedGzip: false)
        #expect(outcome.status == .ok)
        #expect(outcome.compression == Compression.none)
        #expect(outcome.bytesRead == Int64(bytes.count))
        #expect(received == bytes)
    }

    /// The two magic bytes alone: a gzip member cut inside its header, named .gz or not.
    @Test(arguments: [true, false])
    func gzipMagicAloneIsTruncated(namedGzip: Bool) {
        let (outcome, received) = readInMemory([0x1f, 0x8b], namedGzip: namedGzip)
        #expect(outcome.failure?.kind == .truncated)
        #expect(outcome.failure?.offset == 2)
        #expect(outcome.compression == .gzip)
        #expect(received == [])
    }

    /// A zip archive is recognised by its magic and refused.
    @Test func zipIsUnsupported() {
        let zip: [UInt8] = [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]
        #expect(readInMemory(zip, namedGzip: false).outcome.failure?.kind == .unsupportedCompression)
        #expect(readInMemory(zip, namedGzip: true).outcome.failure?.kind == .notGzip)
    }

    /// Two fixtures concatenated: both members verified, the output joined.
    @Test(arguments: InflateBackend.allCases)
    func catOfPigzAndGzipIsOneStream(backend: InflateBackend) throws {
        try backend.requireAvailable()
        let bytes = Fixtures.bytes("pigz.jsonl.gz") + Fixtures.bytes("gzip.jsonl.gz")
        let (outcome, received) = readInMemory(bytes, namedGzip: true, backend: backend, chunkSize: 7)
        #expect(outcome.status == .ok)
        #expect(outcome.members == 2)
        #expect(outcome.compression == .gzip)
        #expect(received == Fixtures.big + Fixtures.small)
    }

    /// Bytes after the last member that start with the gzip magic are a member, and a damaged
    /// one fails the input (they are not junk).
    @Test(arguments: InflateBackend.allCases)
    func trailingBytesWithGzipMagicAreAMember(backend: InflateBackend) throws {
        try backend.requireAvailable()
        let gzip = Fixtures.bytes("gzip.jsonl.gz")
        let (outcome, received) = readInMemory(gzip + [0x1f, 0x8b, 0x08, 0x00], namedGzip: true, backend: backend)
        #expect(outcome.members == 1)
        #expect(outcome.failure?.kind == .truncated)
        #expect(outcome.failure?.offset == 478)
        #expect(received == Fixtures.small)
    }

    // MARK: - Read errors

    /// A read error on plain input: everything before it was handed on, exactly.
    @Test(arguments: [1, 2, 3, 7, 64, 4096, 1 << 16])
    func readErrorInPlainInput(chunkSize: Int) {
        let (outcome, received) = readInMemory(Fixtures.small, namedGzip: false, chunkSize: chunkSize, failAtOffset: 1000)
        #expect(outcome.failure?.kind == .readError)
        #expect(outcome.failure?.offset == 1000)
        #expect(outcome.failure?.detail == "read error at byte 1000: Input/output error")
        #expect(outcome.bytesRead == 1000)
        #expect(received == Array(Fixtures.small[0..<1000]))
    }

    /// A read error inside a member: what the 3000 bytes before it decode to was handed on —
    /// 25662 bytes, as for `head -c 3000 pigz.jsonl.gz` (Python's `zlib.decompressobj(31)`
    /// with `flush()` gives the same count) — and the same with either backend.
    @Test(arguments: [1, 2, 3, 7, 64, 4096, 1 << 16], InflateBackend.allCases)
    func readErrorInGzipInput(chunkSize: Int, backend: InflateBackend) throws {
        try backend.requireAvailable()
        let (outcome, received) = readInMemory(
            Fixtures.bytes("pigz.jsonl.gz"), namedGzip: true, backend: backend, chunkSize: chunkSize, failAtOffset: 3000)
        #expect(outcome.status == .failed)
        #expect(outcome.failure?.kind == .readError)
        #expect(outcome.failure?.offset == 3000)
        #expect(outcome.failure?.detail == "read error at byte 3000: Input/output error")
        #expect(outcome.members == 0)
        #expect(firstDifference(received, Array(Fixtures.big.prefix(25662))) == nil)
        #expect(outcome.bytesDecompressed == 25662)
    }

    /// The read fails inside the trailer (gzip.jsonl.gz: deflate data 10..<466, trailer
    /// 466..<474; the error at 470): every byte of the member went on, as with zlib, whose
    /// deflate data had ended; the member is not verified.
    @Test(arguments: [1, 7, 4096, 1 << 16], InflateBackend.allCases)
    func readErrorInsideTheTrailer(chunkSize: Int, backend: InflateBackend) throws {
        try backend.requireAvailable()
        let (outcome, received) = readInMemory(
            Fixtures.bytes("gzip.jsonl.gz"), namedGzip: true, backend: backend, chunkSize: chunkSize, failAtOffset: 470)
        #expect(outcome.failure == InputFailure(kind: .readError, offset: 470, detail: "read error at byte 470: Input/output error"))
        #expect(outcome.members == 0)
        #expect(received == Fixtures.small)
    }

    /// The read fails exactly where the BGZF EOF block starts: two blocks verified, then the error.
    @Test(arguments: [1, 7, 4096, 1 << 16], InflateBackend.allCases)
    func readErrorAtABlockBoundary(chunkSize: Int, backend: InflateBackend) throws {
        try backend.requireAvailable()
        let (outcome, received) = readInMemory(
            Fixtures.bytes("bgzip.jsonl.gz"), namedGzip: true, backend: backend, chunkSize: chunkSize, failAtOffset: 7730)
        #expect(outcome.failure?.kind == .readError)
        #expect(outcome.failure?.offset == 7730)
        #expect(outcome.members == 2)
        #expect(outcome.compression == .bgzf)
        #expect(received == Fixtures.big)
    }

    @Test(arguments: [true, false])
    func readErrorOnTheFirstRead(namedGzip: Bool) {
        let (outcome, received) = readInMemory(Fixtures.small, namedGzip: namedGzip, failAtOffset: 0)
        #expect(outcome.failure?.kind == .readError)
        #expect(outcome.failure?.offset == 0)
        #expect(outcome.bytesRead == 0)
        #expect(received == [])
    }
}
