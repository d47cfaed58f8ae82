import LogInput
import Testing

/// One committed fixture and everything stage 1 must report about it.
///
/// Sizes and offsets are worked out by hand from how `make-fixtures.sh` built each file
/// (`stat -c %s`, the BGZF block table, the gzip layout); the expected bytes come from the
/// plain files the script wrote.
struct FixtureCase: Sendable, CustomTestStringConvertible {
    /// A flag and the raw offset it must be reported at.
    struct FlagAt: Sendable, Equatable, CustomStringConvertible {
        var flag: InputFlag
        var offset: Int64
        var description: String { "\(flag.rawValue)@\(offset)" }
    }

    /// A failure kind and the raw offset it must be reported at.
    struct FailureAt: Sendable, Equatable, CustomStringConvertible {
        var kind: InputFailure.Kind
        var offset: Int64
        var description: String { "\(kind.rawValue)@\(offset)" }
    }

    /// The plain files the script generated.
    enum Plain: Sendable {
        case small, big
        var bytes: [UInt8] { self == .small ? Fixtures.small : Fixtures.big }
    }

    /// What the sink must have received.
    enum Output: Sendable {
        /// Exactly the plain file.
        case whole(Plain)
        /// Nothing at all.
        case nothing
        /// The first `count` bytes of the plain file: for a cut file, all that its bytes decode
        /// to (Python's `zlib.decompressobj(31)` with `flush()`, member by member, gives the
        /// same counts).
        case prefix(Plain, count: Int)
        /// The plain file with the byte at `offset` replaced by `byte`.
        case patched(Plain, offset: Int, byte: UInt8)
    }

    var name: String
    /// The fixture's size in bytes (`stat -c %s`).
    var size: Int64
    var status: InputStatus
    var compression: Compression
    var members: Int
    var flags: [FlagAt] = []
    var failure: FailureAt? = nil
    var output: Output

    var namedGzip: Bool { name.hasSuffix(".gz") }
    var testDescription: String { name }

    /// Checks a read of this fixture: the outcome (bytes read included) and the bytes received.
    func check(_ outcome: InputOutcome, _ received: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.status == status, sourceLocation: sourceLocation)
        #expect(outcome.compression == compression, sourceLocation: sourceLocation)
        #expect(outcome.members == members, sourceLocation: sourceLocation)
        #expect(outcome.flags.map { FlagAt(flag: $0.flag, offset: $0.offset) } == flags, sourceLocation: sourceLocation)
        #expect(outcome.failure.map { FailureAt(kind: $0.kind, offset: $0.offset) } == failure, sourceLocation: sourceLocation)
        #expect(outcome.bytesRead == size, sourceLocation: sourceLocation)
        #expect(outcome.bytesDecompressed == Int64(received.count), sourceLocation: sourceLocation)
        switch output {
        case .whole(let plain):
            #expect(firstDifference(received, plain.bytes) == nil, sourceLocation: sourceLocation)
        case .nothing:
            #expect(received.count == 0, sourceLocation: sourceLocation)
        case .prefix(let plain, let count):
            #expect(count < plain.bytes.count, sourceLocation: sourceLocation)
            #expect(firstDifference(received, Array(plain.bytes.prefix(count))) == nil, sourceLocation: sourceLocation)
        case .patched(let plain, let offset, let byte):
            var expected = plain.bytes
            #expect(expected[offset] != byte, sourceLocation: sourceLocation)
            expected[offset] = byte
            #expect(firstDifference(received, expected) == nil, sourceLocation: sourceLocation)
        }
    }
}

extension FixtureCase {
    /// Every fixture. Sizes: `gzip.jsonl.gz` is 474 bytes (small.jsonl, 3337 bytes, in one
    /// member); `bgzip.jsonl.gz` has blocks at 0 (5675 bytes → 65280), 5675 (2055 bytes →
    /// 20241) and the 28-byte EOF block at 7730.
    static let all: [FixtureCase] = verified + flagged + failed

    static let verified: [FixtureCase] = [
        FixtureCase(name: "gzip.jsonl.gz", size: 474, status: .ok, compression: .gzip, members: 1, output: .whole(.small)),
        FixtureCase(name: "gzip-9.jsonl.gz", size: 444, status: .ok, compression: .gzip, members: 1, output: .whole(.small)),
        // FNAME "small.jsonl" and an MTIME in the header: 474 + 12 bytes.
        FixtureCase(name: "gzip-name.jsonl.gz", size: 486, status: .ok, compression: .gzip, members: 1, output: .whole(.small)),
        FixtureCase(name: "two-members.jsonl.gz", size: 579, status: .ok, compression: .gzip, members: 2, output: .whole(.small)),
        // 1000 bytes (ending inside line 13), an empty member, the other 2337 bytes.
        FixtureCase(name: "midline-empty-member.jsonl.gz", size: 597, status: .ok, compression: .gzip, members: 3, output: .whole(.small)),
        // pigz writes one member, whatever the number of blocks.
        FixtureCase(name: "pigz.jsonl.gz", size: 8445, status: .ok, compression: .gzip, members: 1, output: .whole(.big)),
        FixtureCase(name: "pigz-i.jsonl.gz", size: 9777, status: .ok, compression: .gzip, members: 1, output: .whole(.big)),
        // Two data blocks and the EOF block.
        FixtureCase(name: "bgzip.jsonl.gz", size: 7758, status: .ok, compression: .bgzf, members: 3, output: .whole(.big)),
        // Only the EOF block.
        FixtureCase(name: "bgzip-empty.jsonl.gz", size: 28, status: .ok, compression: .bgzf, members: 1, output: .nothing),
        // gzip of an empty file: a 20-byte member with no data.
        FixtureCase(name: "empty-content.jsonl.gz", size: 20, status: .ok, compression: .gzip, members: 1, output: .nothing),
        // Not named .gz, so sniffed: same bytes as gzip.jsonl.gz.
        FixtureCase(name: "sniffed.jsonl", size: 474, status: .ok, compression: .gzip, members: 1, output: .whole(.small)),
        FixtureCase(name: "small.jsonl", size: 3337, status: .ok, compression: .none, members: 0, output: .whole(.small)),
        FixtureCase(name: "big.jsonl", size: 85521, status: .ok, compression: .none, members: 0, output: .whole(.big)),
    ]

    static let flagged: [FixtureCase] = [
        // bgzip.jsonl.gz without its last 28 bytes: cut at the block boundary 7730.
        FixtureCase(
            name: "bgzip-no-eof.jsonl.gz", size: 7730, status: .flagged, compression: .bgzf, members: 2,
            flags: [FlagAt(flag: .bgzfMissingEOF, offset: 7730)], output: .whole(.big)),
        FixtureCase(
            name: "bgzip-no-eof-zeros.jsonl.gz", size: 7830, status: .flagged, compression: .bgzf, members: 2,
            flags: [FlagAt(flag: .bgzfMissingEOF, offset: 7730), FlagAt(flag: .trailingZeros, offset: 7730)],
            output: .whole(.big)),
        // gzip.jsonl.gz (474 bytes) + 512 zero bytes.
        FixtureCase(
            name: "zeros.jsonl.gz", size: 986, status: .flagged, compression: .gzip, members: 1,
            flags: [FlagAt(flag: .trailingZeros, offset: 474)], output: .whole(.small)),
        // gzip.jsonl.gz + "this is not gzip\n" (17 bytes).
        FixtureCase(
            name: "junk.jsonl.gz", size: 491, status: .flagged, compression: .gzip, members: 1,
            flags: [FlagAt(flag: .trailingJunk, offset: 474)], output: .whole(.small)),
        // gzip.jsonl.gz + 16 zero bytes + "junk": junk, from where the trailing bytes start.
        FixtureCase(
            name: "zeros-then-junk.jsonl.gz", size: 494, status: .flagged, compression: .gzip, members: 1,
            flags: [FlagAt(flag: .trailingJunk, offset: 474)], output: .whole(.small)),
        FixtureCase(
            name: "empty.jsonl.gz", size: 0, status: .flagged, compression: .none, members: 0,
            flags: [FlagAt(flag: .emptyGzip, offset: 0)], output: .nothing),
    ]

    static let failed: [FixtureCase] = [
        // `head -c` cuts of gzip.jsonl.gz (474 bytes): the damage is where the file ends.
        FixtureCase(
            name: "truncated-magic.jsonl.gz", size: 1, status: .failed, compression: .none, members: 0,
            failure: FailureAt(kind: .truncated, offset: 1), output: .nothing),
        FixtureCase(
            name: "truncated-header.jsonl.gz", size: 5, status: .failed, compression: .gzip, members: 0,
            failure: FailureAt(kind: .truncated, offset: 5), output: .nothing),
        FixtureCase(
            name: "truncated-deflate.jsonl.gz", size: 237, status: .failed, compression: .gzip, members: 0,
            failure: FailureAt(kind: .truncated, offset: 237), output: .prefix(.small, count: 1196)),
        // 471 = 474 - 3: the CRC-32 was read (and matched), ISIZE is cut; every byte came out.
        FixtureCase(
            name: "truncated-trailer.jsonl.gz", size: 471, status: .failed, compression: .gzip, members: 0,
            failure: FailureAt(kind: .truncated, offset: 471), output: .whole(.small)),
        // The first member (291 bytes → lines 1–20, 1669 bytes) + 30 bytes of the second, which
        // are its header and Huffman tables: nothing more comes out.
        FixtureCase(
            name: "truncated-second-member.jsonl.gz", size: 321, status: .failed, compression: .gzip, members: 1,
            failure: FailureAt(kind: .truncated, offset: 321), output: .prefix(.small, count: 1669)),
        FixtureCase(
            name: "truncated-pigz.jsonl.gz", size: 4000, status: .failed, compression: .gzip, members: 0,
            failure: FailureAt(kind: .truncated, offset: 4000), output: .prefix(.big, count: 35873)),
        // Cut at 7000, inside the second BGZF block (5675..<7730): the first block verified,
        // 65280 bytes, then 12606 of the second's 20241.
        FixtureCase(
            name: "truncated-bgzip.jsonl.gz", size: 7000, status: .failed, compression: .bgzf, members: 1,
            failure: FailureAt(kind: .truncated, offset: 7000), output: .prefix(.big, count: 77886)),
        // Cut at 3000, inside the first BGZF block: its header already says BGZF (regression,
        // issue 2: reported as plain gzip). Python's zlib decodes 29919 bytes from it.
        FixtureCase(
            name: "truncated-bgzip-first-block.jsonl.gz", size: 3000, status: .failed, compression: .bgzf, members: 0,
            failure: FailureAt(kind: .truncated, offset: 3000), output: .prefix(.big, count: 29919)),
        // Where a failure inside a member is reported (docs/architecture.md, "Inflate
        // backends"): at the field that is wrong when stage 1 can name it (a header field, the
        // trailer's CRC-32 or ISIZE), at the first byte of the member's deflate data when the
        // deflate data is invalid (zlib and ISA-L notice it after reading different amounts),
        // and at the end of the input when it ends inside a member.
        //
        // pigz -0: header 10 bytes, stored-block header 5, data 3337, then the trailer at
        // 10 + 5 + 3337 = 3352: CRC-32 (4 bytes), ISIZE (4) = 3360. Plain byte 58 ("3") became
        // "8", so the CRC-32 field at 3352 does not match.
        FixtureCase(
            name: "crc-stored.jsonl.gz", size: 3360, status: .failed, compression: .gzip, members: 0,
            failure: FailureAt(kind: .crcMismatch, offset: 3352), output: .patched(.small, offset: 58, byte: UInt8(ascii: "8"))),
        // NLEN (bytes 13–14) no longer the complement of LEN: invalid deflate data, reported
        // where the deflate data starts, after the 10-byte header (FLG 0: no optional fields).
        FixtureCase(
            name: "corrupt-stored-length.jsonl.gz", size: 3360, status: .failed, compression: .gzip, members: 0,
            failure: FailureAt(kind: .corrupt, offset: 10), output: .nothing),
        // ISIZE 3338 instead of 3337: the ISIZE field is the last 4 bytes, 474 - 4 = 470.
        FixtureCase(
            name: "isize.jsonl.gz", size: 474, status: .failed, compression: .gzip, members: 0,
            failure: FailureAt(kind: .lengthMismatch, offset: 470), output: .whole(.small)),
        // Byte 10 = 0x07: BFINAL 1, BTYPE 11 (reserved): invalid deflate data, which starts at
        // byte 10 (gzip -n writes a 10-byte header).
        FixtureCase(
            name: "corrupt-block-type.jsonl.gz", size: 474, status: .failed, compression: .gzip, members: 0,
            failure: FailureAt(kind: .corrupt, offset: 10), output: .nothing),
        // Byte 2 (CM) = 7: the method field itself, byte 2.
        FixtureCase(
            name: "corrupt-method.jsonl.gz", size: 474, status: .failed, compression: .gzip, members: 0,
            failure: FailureAt(kind: .corrupt, offset: 2), output: .nothing),
        FixtureCase(
            name: "bzip2.jsonl.gz", size: 419, status: .failed, compression: .none, members: 0,
            failure: FailureAt(kind: .notGzip, offset: 0), output: .nothing),
        // small.jsonl under a .gz name.
        FixtureCase(
            name: "plain.jsonl.gz", size: 3337, status: .failed, compression: .none, members: 0,
            failure: FailureAt(kind: .notGzip, offset: 0), output: .nothing),
        FixtureCase(
            name: "small.jsonl.bz2", size: 419, status: .failed, compression: .none, members: 0,
            failure: FailureAt(kind: .unsupportedCompression, offset: 0), output: .nothing),
        FixtureCase(
            name: "small.jsonl.xz", size: 424, status: .failed, compression: .none, members: 0,
            failure: FailureAt(kind: .unsupportedCompression, offset: 0), output: .nothing),
        FixtureCase(
            name: "small.jsonl.zst", size: 364, status: .failed, compression: .none, members: 0,
            failure: FailureAt(kind: .unsupportedCompression, offset: 0), output: .nothing),
    ]
}
