/// A field tokentally reads from every line, with a default location that `--field` can
/// override by a JSON Pointer.
public enum BuiltinField: String, Sendable, CaseIterable, Hashable {
    /// The request's time (default: the wrapper's `timestamp`, `ts`, `time`, …, then the
    /// body's `created_at`, …).
    case time
    /// The model id (default: the innermost `model`, `modelVersion`).
    case model
    /// The API key (default: the outermost `api_key`, `key`, `metadata.user_api_key_hash`).
    case key
    /// The end user (default: the outermost `user`, `end_user`, `metadata.user_api_key_user_id`).
    case user
    /// The provider (default: the outermost `provider`, `custom_llm_provider`, else the model
    /// id's prefix before its first `/`).
    case provider
    /// The request status (default: the innermost `status`).
    case status
    /// The request id that deduplication keys on (default: the innermost `id`,
    /// `request_id`, `requestId`, `generation_id`, `responseId`; Claude Code: `message.id`
    /// with `requestId`).
    case id
    /// The usage object (default: found by shape).
    case usage
    /// The cost in USD (default: `usage.cost`; flat counts: `response_cost`, `spend`).
    case cost
    /// The request's latency, a JSON number of milliseconds; read only with
    /// ``DecoderConfiguration/readsLatency`` (default: the outermost `latency_ms`, else
    /// `endTime` − `startTime` of one level).
    case latency
}

/// A value a record carries for grouping: a built-in string field or a custom `--field`.
public enum ValueField: Hashable, Sendable {
    case model, key, user, provider, status
    /// A custom dimension defined by `--field NAME=POINTER`.
    case custom(String)
}

/// Everything stage 3 needs to know, resolved from the command line before any line is read.
public struct DecoderConfiguration: Sendable {
    /// `--field` pointers that replace a built-in field's default location.
    public var overrides: [BuiltinField: JSONPointer] = [:]
    /// `--field` pointers of custom dimensions, by name.
    public var customFields: [String: JSONPointer] = [:]
    /// The values each record must carry, in the order ``UsageDecoder/value(_:)`` indexes them.
    public var valueFields: [ValueField] = []
    /// Deepest nesting of objects and arrays accepted.
    public var maxDepth: Int = JSONScanner.defaultMaxDepth
    /// Whether records carry their latency (``UsageRecord/latencyMS``; the CLI's `--stats`).
    /// When false, nothing about latency is planned or read, `--field latency=` included.
    public var readsLatency = false

    public init(
        overrides: [BuiltinField: JSONPointer] = [:],
        customFields: [String: JSONPointer] = [:],
        valueFields: [ValueField] = [],
        maxDepth: Int = JSONScanner.defaultMaxDepth,
        readsLatency: Bool = false
    ) {
        self.overrides = overrides
        self.customFields = customFields
        self.valueFields = valueFields
        self.maxDepth = maxDepth
        self.readsLatency = readsLatency
    }
}
