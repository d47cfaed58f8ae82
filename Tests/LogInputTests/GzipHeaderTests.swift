import LogInput
import TestSupport
import Testing

/// The gzip header fields stage 1 reads itself (RFC 1952, section 2.3): FEXTRA (and BGZF's
/// `BC` subfield in it), FNAME, FCOMMENT, FHCRC, and the checks zlib makes (method 8, no
/// reserved flag, a matching header CRC). Members are built by hand here, so every offset is
/// known; each is read with both backends, at raw chunk sizes that split every field.
@Suite struct GzipHeaderTests {
    /// The content of the hand-made members.
    static let data = Array("{\"usage\":{\"input_tokens\":3,\"output_tokens\":4}}\n{\"usage\":{\"input_tokens\":5,\"output_tokens\":6}}\n".utf8)

    /// A header whose optional fields are present when given; the FHCRC is right unless
    /// `headerCRC` says what to write instead.
    static func header(
        extra: [UInt8]? = nil, name: String? = nil, comment: String? = nil, headerCRC: Bool = false,
        wrongHeaderCRC: UInt16? = nil, flagBits: UInt8 = 0, method: UInt8 = 8
    ) -> [UInt8] {
        var flags = flagBits
        if extra != nil { flags |= 1 << 2 }
        if name != nil { flags |= 1 << 3 }
        if comment != nil { flags |= 1 << 4 }
        if headerCRC || wrongHeaderCRC != nil { flags |= 1 << 1 }
        var bytes: [UInt8] = [0x1F, 0x8B, method, flags, 0, 0, 0, 0, 0, 0xFF]
        if let extra { bytes += [UInt8(extra.count & 0xFF), UInt8(extra.count >> 8)] + extra }
        if let name { bytes += Array(name.utf8) + [0] }
        if let comment { bytes += Array(comment.utf8) + [0] }
        if headerCRC || wrongHeaderCRC != nil {
            let value = wrongHeaderCRC ?? UInt16(crc32(bytes) & 0xFFFF)
            bytes += [UInt8(value & 0xFF), UInt8(value >> 8)]
        }
        return bytes
    }

    /// A member: `header` and stored deflate data of ``data`` with its trailer (storedGzip's,
    /// after its own 10-byte header).
    static func member(_ header: [UInt8]) -> [UInt8] {
        header + storedGzip(data).dropFirst(10)
    }

    /// An extra subfield: SI1 SI2, LEN (little-endian), data.
    static func subfield(_ id: String, _ data: [UInt8]) -> [UInt8] {
        Array(id.utf8) + [UInt8(data.count & 0xFF), UInt8(data.count >> 8)] + data
    }

    /// Reads `bytes` (named .gz) at raw chunk sizes 1, 3 and 64 KiB and sink sizes 5 and
    /// 64 KiB with `backend`; every reading must equal the first, which is returned.
    static func read(_ bytes: [UInt8], _ backend: InflateBackend) -> (outcome: InputOutcome, output: [UInt8]) {
        let first = readInMemory(bytes, namedGzip: true, backend: backend)
        for chunkSize in [1, 3, 1 << 16] {
            for sinkBufferSize in [5, 64 << 10] {
                let again = readInMemory(bytes, namedGzip: true, backend: backend, chunkSize: chunkSize, sinkBufferSize: sinkBufferSize)
                #expect(again.outcome.ignoringBytesRead == first.outcome.ignoringBytesRead, "chunk \(chunkSize), sink \(sinkBufferSize)")
                #expect(again.output == first.output, "chunk \(chunkSize), sink \(sinkBufferSize)")
            }
        }
        return first
    }

    @Test(arguments: InflateBackend.allCases)
    func everyOptionalFieldIsReadAndTheHeaderCRCChecked(backend: InflateBackend) throws {
        try backend.requireAvailable()
        let bytes = Self.member(Self.header(
            extra: Self.subfield("XY", [1, 2, 3]) + Self.subfield("ZZ", []), name: "usage.jsonl",
            comment: "made by hand", headerCRC: true))
        let (outcome, output) = Self.read(bytes, backend)
        #expect(outcome.status == .ok)
        #expect(outcome.compression == .gzip)
        #expect(outcome.members == 1)
        #expect(outcome.bytesRead == Int64(bytes.count))
        #expect(output == Self.data)
    }

    /// BGZF's `BC` subfield is found wherever it sits in the extra field, even after a 70-byte
    /// subfield (zlib's header callback only kept the first 64 extra bytes).
    @Test(arguments: InflateBackend.allCases)
    func bgzfSubfieldIsFoundAfterOtherSubfields(backend: InflateBackend) throws {
        try backend.requireAvailable()
        let block = Self.member(Self.header(extra: Self.subfield("AP", Array(repeating: 7, count: 70)) + Self.subfield("BC", [0x20, 0x00])))
        let bytes = block + Fixtures.bytes("bgzip-empty.jsonl.gz")
        let (outcome, output) = Self.read(bytes, backend)
        #expect(outcome.status == .ok)
        #expect(outcome.compression == .bgzf)
        #expect(outcome.members == 2)
        #expect(output == Self.data)
    }

    /// A `BC` subfield whose LEN is not 2 is not BGZF's; a subfield that claims more bytes than
    /// the extra field holds ends with the field.
    @Test(arguments: InflateBackend.allCases)
    func otherSubfieldsAreNotBGZF(backend: InflateBackend) throws {
        try backend.requireAvailable()
        let longBC = Self.member(Self.header(extra: Self.subfield("BC", [1, 2, 3])))
        #expect(Self.read(longBC, backend).outcome.compression == .gzip)
        let overrun = Self.member(Self.header(extra: [0x5A, 0x5A, 100, 0, 1, 2]))
        let (outcome, output) = Self.read(overrun, backend)
        #expect(outcome.status == .ok)
        #expect(outcome.compression == .gzip)
        #expect(output == Self.data)
    }

    /// A wrong FHCRC is reported at the FHCRC field: 10 fixed bytes + XLEN (2) + 5 extra bytes
    /// + "a.jsonl\0" (8) + "hi\0" (3) = byte 28.
    @Test(arguments: InflateBackend.allCases)
    func wrongHeaderCRCIsCorruptAtTheField(backend: InflateBackend) throws {
        try backend.requireAvailable()
        let header = Self.header(extra: Self.subfield("XY", [9]), name: "a.jsonl", comment: "hi", wrongHeaderCRC: 0x1234)
        #expect(header.count == 30)
        let (outcome, output) = Self.read(Self.member(header), backend)
        #expect(outcome.failure == InputFailure(
            kind: .corrupt, offset: 28,
            detail: "invalid gzip header in member 1 (which starts at byte 0) at byte 28: the header CRC (FHCRC) does not match the header"))
        #expect(outcome.members == 0)
        #expect(output == [])
    }

    /// FLG bit 5 is reserved: corrupt at FLG, byte 3.
    @Test(arguments: InflateBackend.allCases)
    func reservedFlagIsCorruptAtFLG(backend: InflateBackend) throws {
        try backend.requireAvailable()
        let (outcome, output) = Self.read(Self.member(Self.header(flagBits: 0x20)), backend)
        #expect(outcome.failure == InputFailure(
            kind: .corrupt, offset: 3,
            detail: "invalid gzip header in member 1 (which starts at byte 0) at byte 3: reserved header flag bits are set (FLG 32)"))
        #expect(output == [])
    }

    /// A bad second member: the first one's bytes went on, and the offset counts from the
    /// input's start (gzip.jsonl.gz is 474 bytes, so CM of the second member is byte 476).
    @Test(arguments: InflateBackend.allCases)
    func badSecondHeaderIsReportedFromTheInputStart(backend: InflateBackend) throws {
        try backend.requireAvailable()
        let bytes = Fixtures.bytes("gzip.jsonl.gz") + Self.member(Self.header(method: 9))
        let (outcome, output) = Self.read(bytes, backend)
        #expect(outcome.failure == InputFailure(
            kind: .corrupt, offset: 476,
            detail: "invalid gzip header in member 2 (which starts at byte 474) at byte 476: compression method 9 is not deflate (8)"))
        #expect(outcome.members == 1)
        #expect(output == Fixtures.small)
    }

    /// The input ends inside FNAME: truncated at its end, whatever the chunk size.
    @Test(arguments: InflateBackend.allCases)
    func endInsideTheNameIsTruncated(backend: InflateBackend) throws {
        try backend.requireAvailable()
        let bytes = Array(Self.header(name: "a-rather-long-name.jsonl").prefix(20))
        let (outcome, output) = Self.read(bytes, backend)
        #expect(outcome.failure == InputFailure(
            kind: .truncated, offset: 20, detail: "ends inside gzip member 1 (which starts at byte 0) at byte 20"))
        #expect(output == [])
    }
}
