import TallyPrimitives

/// What stage 3 makes of one line.
public enum LineOutcome {
    /// A usage record, to be counted.
    case record(UsageRecord)
    /// A valid JSON object without usage (a stream delta, a health check, `usage: null`):
    /// normal, counted as `no_usage`.
    case noUsage(LineWarnings)
    /// A line that cannot be used: counted as a bad line with its reason.
    case bad(BadLine)
}

/// A ``LineOutcome`` whose record was written where the caller asked
/// (``UsageDecoder/decode(_:into:)``).
public enum DecodedLine {
    case record
    case noUsage(LineWarnings)
    case bad(BadLine)
}

/// One request's usage, normalised to one meaning per column (PRODUCT.md, "One meaning for
/// every column"): cached and cache-write tokens are inside input, reasoning inside output.
public struct UsageRecord: Sendable, Equatable, Codable {
    public var inputTokens: ExactDecimal = .zero
    public var cachedInputTokens: ExactDecimal = .zero
    public var cacheWriteTokens: ExactDecimal = .zero
    public var outputTokens: ExactDecimal = .zero
    public var reasoningTokens: ExactDecimal = .zero
    /// The reported total when the log has one, else input + output.
    public var totalTokens: ExactDecimal = .zero
    /// USD, when the log carries a cost.
    public var costUSD: ExactDecimal?
    /// USD that cached input saved against the full input price, when `--prices` has a price
    /// for the record's model at its time (set after decoding, never by the decoder).
    public var cacheSavingsUSD: ExactDecimal?
    /// Unix seconds (UTC), when the line has a usable time.
    public var time: Int64?
    /// The request's latency in milliseconds, when the decoder reads latency (`--stats`) and
    /// the line has one (docs/formats.md, *Latency*).
    public var latencyMS: UInt64?
    /// Line-level warnings; they never make a line bad.
    public var warnings: LineWarnings = []
    /// A 64-bit hash of the request id (``RequestID``), when the line has one: copies of one
    /// request share it, and deduplication keeps one record per key.
    public var dedupKey: UInt64?
    /// Copies of this record are always deduplicated (Claude Code writes one line per content
    /// block), not only with `--dedup`.
    public var alwaysDeduplicated = false

    public init() {}
}

/// Line-level warnings: reported, counted, and never a reason to change the exit code.
public struct LineWarnings: OptionSet, Sendable, Hashable, Codable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// A key on a path tokentally reads appeared twice in one object; the last value won.
    public static let duplicateKey = LineWarnings(rawValue: 1 << 0)
    /// `total_tokens` differs from input + output; the reported total was summed.
    public static let totalMismatch = LineWarnings(rawValue: 1 << 1)
    /// A token count had a fractional part; it was kept.
    public static let fractionalCount = LineWarnings(rawValue: 1 << 2)
    /// Cached input tokens exceed input tokens.
    public static let cachedExceedsInput = LineWarnings(rawValue: 1 << 3)
    /// Reasoning tokens exceed output tokens.
    public static let reasoningExceedsOutput = LineWarnings(rawValue: 1 << 4)
    /// No timestamp field: counted with an empty time cell.
    public static let missingTimestamp = LineWarnings(rawValue: 1 << 5)
    /// Timestamp fields present, none readable: counted with an empty time cell.
    public static let invalidTimestamp = LineWarnings(rawValue: 1 << 6)
    /// A group value longer than the limit was cut (docs/cli.md, *Limits*).
    public static let valueTruncated = LineWarnings(rawValue: 1 << 7)
    /// A latency source was present but unusable (not a number, negative, too large, an
    /// unreadable time, or an end before its start): the record has no latency.
    public static let invalidLatency = LineWarnings(rawValue: 1 << 8)

    /// Every warning with its report name, in report order.
    public static let all: [(warning: LineWarnings, name: String)] = [
        (.duplicateKey, "duplicate_key"),
        (.totalMismatch, "total_mismatch"),
        (.fractionalCount, "fractional_count"),
        (.cachedExceedsInput, "cached_exceeds_input"),
        (.reasoningExceedsOutput, "reasoning_exceeds_output"),
        (.missingTimestamp, "missing_timestamp"),
        (.invalidTimestamp, "invalid_timestamp"),
        (.valueTruncated, "value_truncated"),
        (.invalidLatency, "invalid_latency"),
    ]
}

/// Why a line is bad.
public enum BadLineReason: String, Sendable, CaseIterable, Comparable {
    /// Longer than `--max-line-bytes`.
    case lineTooLong = "line_too_long"
    /// Not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// Not exactly one JSON value.
    case invalidJSON = "invalid_json"
    /// Objects and arrays nested deeper than the limit.
    case tooDeep = "too_deep"
    /// Valid JSON whose top level is not an object.
    case notObject = "not_object"
    /// A usage object is present but malformed.
    case badUsage = "bad_usage"

    public static func < (lhs: BadLineReason, rhs: BadLineReason) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A bad line's reason and the detail for its one-line message.
public struct BadLine: Sendable, Equatable {
    public enum Detail: Sendable, Equatable {
        case json(JSONScanFailure)
        case tooLong(byteCount: Int, limit: Int)
        case notObject(JSONKind)
        /// `field` is a dotted path such as `usage.input_tokens`.
        case usage(field: String, problem: UsageProblem)
    }

    public var reason: BadLineReason
    public var detail: Detail

    public init(reason: BadLineReason, detail: Detail) {
        self.reason = reason
        self.detail = detail
    }

    /// The line's defect in a few words, e.g. `usage.input_tokens is a string`.
    public var message: String {
        switch detail {
        case .json(let failure):
            return failure.message
        case .tooLong(let count, let limit):
            return "line of \(count) bytes is longer than the limit of \(limit) bytes"
        case .notObject(let kind):
            return "the line is JSON but not an object (it is \(kind.article))"
        case .usage(let field, let problem):
            return "\(field) \(problem.phrase)"
        }
    }
}

/// What is wrong with a usage field.
public enum UsageProblem: Sendable, Equatable {
    case missing, null, string, boolean, notANumber, negative, outOfRange, notAnObject

    var phrase: String {
        switch self {
        case .missing: return "is missing"
        case .null: return "is null"
        case .string: return "is a string, not a number"
        case .boolean: return "is a boolean, not a number"
        case .notANumber: return "is not a number"
        case .negative: return "is negative"
        case .outOfRange: return "is above 2^63-1"
        case .notAnObject: return "is not an object"
        }
    }
}

extension JSONKind {
    /// "an array", "a string", …
    var article: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .true, .false: return "a boolean"
        case .null: return "null"
        }
    }
}
