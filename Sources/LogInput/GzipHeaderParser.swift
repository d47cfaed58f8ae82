/// Reads one gzip member header (RFC 1952, section 2.3) as its bytes arrive, in pieces of
/// any size, without allocating.
///
/// ```
///  +---+---+---+---+---+---+---+---+---+---+
///  |ID1|ID2|CM |FLG|     MTIME     |XFL|OS |  10 bytes, then as FLG says:
///  +---+---+---+---+---+---+---+---+---+---+
///  FEXTRA (bit 2):   XLEN (2 bytes, little-endian), then XLEN bytes of subfields
///                    SI1 SI2 LEN (2) data — BGZF's is "BC", LEN 2 (the block size)
///  FNAME (bit 3):    zero-terminated
///  FCOMMENT (bit 4): zero-terminated
///  FHCRC (bit 1):    the low 16 bits of the CRC-32 of every header byte before it
/// ```
///
/// It checks what zlib checks: the method is 8 (deflate), the reserved flag bits 5–7 are 0,
/// and the FHCRC, when present, matches. The caller has seen ID1 ID2 (`1f 8b`) already; they
/// are fed too, so the header CRC and the offsets count from the member's first byte.
struct GzipHeaderParser {
    /// Where a header is wrong, relative to the member's first byte.
    enum Invalid: Equatable {
        /// CM (byte 2) is not 8.
        case unsupportedMethod(UInt8)
        /// FLG (byte 3) has a reserved bit set.
        case reservedFlags(UInt8)
        /// The FHCRC field, which starts at `at`, does not match the header's CRC-32.
        case headerCRCMismatch(at: Int)

        /// The offset of the wrong field from the member's first byte.
        var offset: Int {
            switch self {
            case .unsupportedMethod: return 2
            case .reservedFlags: return 3
            case .headerCRCMismatch(let at): return at
            }
        }

        /// One line for the report.
        var message: String {
            switch self {
            case .unsupportedMethod(let method): return "compression method \(method) is not deflate (8)"
            case .reservedFlags(let flags): return "reserved header flag bits are set (FLG \(flags))"
            case .headerCRCMismatch: return "the header CRC (FHCRC) does not match the header"
            }
        }
    }

    /// The result of a ``feed(_:crc32:)``.
    enum State: Equatable {
        /// The header goes on in the next bytes.
        case needMore
        /// The header is complete; the deflate data starts at the next byte.
        case complete
        /// The header is invalid.
        case invalid(Invalid)
    }

    private enum Stage {
        case fixed, extraLength, extra, name, comment, headerCRC, done
    }

    private static let fextra: UInt8 = 1 << 2
    private static let fname: UInt8 = 1 << 3
    private static let fcomment: UInt8 = 1 << 4
    private static let fhcrc: UInt8 = 1 << 1
    private static let reservedFlags: UInt8 = 0xE0

    /// Header bytes read so far.
    private(set) var length = 0
    /// Whether an extra subfield `BC` with LEN 2 was seen: a BGZF block.
    private(set) var isBGZF = false
    private var stage = Stage.fixed
    private var flags: UInt8 = 0
    /// Bytes read of the current fixed-size field (the 10-byte start, XLEN, FHCRC).
    private var fieldCount = 0
    /// The little-endian value of XLEN or FHCRC as its bytes arrive.
    private var fieldValue = 0
    /// Extra-field bytes still to come.
    private var extraRemaining = 0
    /// Inside the extra field: bytes of the current subfield's 4-byte head read, its SI1 SI2,
    /// and the data bytes of the current subfield still to skip.
    private var subfieldHeadCount = 0
    private var subfieldHead: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
    private var subfieldSkip = 0
    /// CRC-32 of the header bytes before the FHCRC field, and whether all of them are in.
    private var crc: UInt32 = 0
    private var crcClosed = false
    /// Offset of the FHCRC field from the member's first byte.
    private var headerCRCStart = 0

    /// Reads header bytes from the front of `bytes`; returns how many were used (never
    /// beyond the header) and the state after them. The header CRC is computed with the
    /// backend's CRC-32 (`checksum`).
    mutating func feed(_ bytes: UnsafeRawBufferPointer, checksum: RawInflater) -> (consumed: Int, state: State) {
        var index = 0
        var result = State.needMore
        loop: while index < bytes.count {
            switch stage {
            case .fixed:
                let byte = bytes[index]
                index += 1
                fieldCount += 1
                if fieldCount == 3 && byte != 8 {
                    result = .invalid(.unsupportedMethod(byte))
                    break loop
                }
                if fieldCount == 4 {
                    flags = byte
                    if byte & Self.reservedFlags != 0 {
                        result = .invalid(.reservedFlags(byte))
                        break loop
                    }
                }
                if fieldCount == 10 {
                    fieldCount = 0
                    fieldValue = 0
                    stage = flags & Self.fextra != 0 ? .extraLength : afterExtra()
                }
            case .extraLength:
                fieldValue |= Int(bytes[index]) << (8 * fieldCount)
                index += 1
                fieldCount += 1
                if fieldCount == 2 {
                    extraRemaining = fieldValue
                    fieldCount = 0
                    stage = extraRemaining > 0 ? .extra : afterExtra()
                }
            case .extra:
                let take = min(extraRemaining, bytes.count - index)
                scanSubfields(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]))
                index += take
                extraRemaining -= take
                if extraRemaining == 0 { stage = afterExtra() }
            case .name, .comment:
                let rest = UnsafeRawBufferPointer(rebasing: bytes[index...])
                if let zero = rest.firstIndex(of: 0) {
                    index += zero + 1
                    stage = stage == .name && flags & Self.fcomment != 0 ? .comment : afterComment()
                } else {
                    index = bytes.count
                }
            case .headerCRC:
                if !crcClosed {
                    // Every byte before this field is in: close the CRC.
                    crc = checksum.crc32(crc, UnsafeRawBufferPointer(rebasing: bytes[0..<index]))
                    crcClosed = true
                    headerCRCStart = length + index
                }
                fieldValue |= Int(bytes[index]) << (8 * fieldCount)
                index += 1
                fieldCount += 1
                if fieldCount == 2 {
                    if UInt32(fieldValue) != crc & 0xFFFF {
                        result = .invalid(.headerCRCMismatch(at: headerCRCStart))
                        break loop
                    }
                    stage = .done
                }
            case .done:
                break loop
            }
            if stage == .done {
                result = .complete
                break
            }
        }
        if !crcClosed && stage != .done {
            crc = checksum.crc32(crc, UnsafeRawBufferPointer(rebasing: bytes[0..<index]))
        }
        length += index
        return (index, result)
    }

    /// The stage after the extra field (or where it would be).
    private mutating func afterExtra() -> Stage {
        if flags & Self.fname != 0 { return .name }
        if flags & Self.fcomment != 0 { return .comment }
        return afterComment()
    }

    /// The stage after the comment (or where it would be).
    private mutating func afterComment() -> Stage {
        if flags & Self.fhcrc != 0 {
            fieldCount = 0
            fieldValue = 0
            return .headerCRC
        }
        return .done
    }

    /// Follows the subfields (SI1 SI2 LEN data) through these extra-field bytes, looking for
    /// BGZF's `BC` with LEN 2. A subfield that claims more bytes than the field has simply
    /// ends with it, as in zlib and htslib.
    private mutating func scanSubfields(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count {
            if subfieldSkip > 0 {
                let skip = min(subfieldSkip, bytes.count - index)
                index += skip
                subfieldSkip -= skip
                continue
            }
            let byte = bytes[index]
            index += 1
            switch subfieldHeadCount {
            case 0: subfieldHead.0 = byte
            case 1: subfieldHead.1 = byte
            case 2: subfieldHead.2 = byte
            default: subfieldHead.3 = byte
            }
            subfieldHeadCount += 1
            if subfieldHeadCount == 4 {
                subfieldHeadCount = 0
                subfieldSkip = Int(subfieldHead.2) | Int(subfieldHead.3) << 8
                if subfieldHead.0 == UInt8(ascii: "B") && subfieldHead.1 == UInt8(ascii: "C") && subfieldSkip == 2 {
                    isBGZF = true
                }
            }
        }
    }
}
