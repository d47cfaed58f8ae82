/// What reading one input found: its compression, how much was read, and whether its
/// decompressed bytes are verified.
///
/// The status decides whether the input's records count (PRODUCT.md, "Only verified data is
/// counted"):
///
/// | status    | records counted | exit code |
/// |-----------|-----------------|-----------|
/// | `ok`      | yes             | 0         |
/// | `flagged` | yes             | 2         |
/// | `failed`  | no (unless `--salvage`) | 2 |
public struct InputOutcome: Sendable, Equatable, Codable {
    /// How the input was stored.
    public var compression: Compression = .none
    /// Raw bytes read from the input (compressed bytes for gzip).
    public var bytesRead: Int64 = 0
    /// Bytes handed to the sink after decompression.
    public var bytesDecompressed: Int64 = 0
    /// Complete, verified gzip members (0 for plain input).
    public var members: Int = 0
    /// Suspicious but verified findings; the data still counts.
    public var flags: [InputFlagNote] = []
    /// Why the input's data cannot be trusted, if it cannot.
    public var failure: InputFailure?

    public init() {}

    /// `ok`, `flagged` or `failed`.
    public var status: InputStatus {
        if failure != nil { return .failed }
        return flags.isEmpty ? .ok : .flagged
    }
}

/// How an input was stored.
public enum Compression: String, Sendable, Equatable, Codable {
    /// Plain text.
    case none
    /// gzip, one or more members.
    case gzip
    /// Blocked gzip (bgzip, BAM-style): every member carries a `BC` extra field.
    case bgzf
}

/// The verdict on one input.
public enum InputStatus: String, Sendable, Equatable, Comparable {
    case ok, flagged, failed

    public static func < (lhs: InputStatus, rhs: InputStatus) -> Bool {
        func rank(_ status: InputStatus) -> Int {
            switch status {
            case .ok: return 0
            case .flagged: return 1
            case .failed: return 2
            }
        }
        return rank(lhs) < rank(rhs)
    }
}

/// A suspicious-but-verified finding about an input.
public enum InputFlag: String, Sendable, Equatable, CaseIterable, Codable {
    /// Only zero bytes follow the last gzip member (tape or block-device padding).
    case trailingZeros = "trailing_zeros"
    /// Bytes that are not a gzip member follow the last member; they are not read.
    case trailingJunk = "trailing_junk"
    /// A BGZF file whose last block is not the empty end-of-file block (cut at a block boundary).
    case bgzfMissingEOF = "bgzf_missing_eof"
    /// A file named `.gz` with no bytes at all.
    case emptyGzip = "empty_gzip"
}

/// A flag with where it was found.
public struct InputFlagNote: Sendable, Equatable, Codable {
    /// What was found.
    public var flag: InputFlag
    /// Byte offset in the raw input where it starts.
    public var offset: Int64
    /// One-line explanation.
    public var detail: String

    public init(flag: InputFlag, offset: Int64, detail: String) {
        self.flag = flag
        self.offset = offset
        self.detail = detail
    }
}

/// Why an input failed, and where.
public struct InputFailure: Sendable, Equatable, Error, Codable {
    /// The kind of damage.
    public enum Kind: String, Sendable, Equatable, CaseIterable, Codable {
        /// The input ends inside a gzip member (killed writer, or a log still being written).
        case truncated
        /// The deflate data or a gzip header is invalid.
        case corrupt
        /// A member's CRC-32 does not match its data.
        case crcMismatch = "crc_mismatch"
        /// A member's ISIZE does not match its data length.
        case lengthMismatch = "length_mismatch"
        /// Named `.gz` but does not start with the gzip magic bytes.
        case notGzip = "not_gzip"
        /// Compressed with something tokentally does not read (bzip2, xz, zstd, zip).
        case unsupportedCompression = "unsupported_compression"
        /// The operating system could not open or read it.
        case readError = "read_error"
    }

    /// The kind of damage.
    public var kind: Kind
    /// Byte offset in the raw input where the damage was detected.
    public var offset: Int64
    /// One-line explanation, without the path.
    public var detail: String

    public init(kind: Kind, offset: Int64, detail: String) {
        self.kind = kind
        self.offset = offset
        self.detail = detail
    }
}
