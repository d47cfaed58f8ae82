import TallyPrimitives
import UsageDecoding

/// The summed measures of one group: schema v1's measure columns.
///
/// Sums are exact and merging is associative and commutative, so the result does not depend
/// on how records were split between threads or in which order partials were merged.
public struct Measures: Sendable, Equatable, Codable {
    /// Records counted.
    public var requests: UInt64 = 0
    public var inputTokens: ExactDecimal = .zero
    public var cachedInputTokens: ExactDecimal = .zero
    public var cacheWriteTokens: ExactDecimal = .zero
    public var outputTokens: ExactDecimal = .zero
    public var reasoningTokens: ExactDecimal = .zero
    public var totalTokens: ExactDecimal = .zero
    /// Sum of the logged costs.
    public var costUSD: ExactDecimal = .zero
    /// Records that carried a cost; 0 means the `cost_usd` cell is empty.
    public var costedRequests: UInt64 = 0

    public init() {}

    /// Adds one record; false when a sum would leave its 128-bit range, or a count its 64-bit
    /// range (never in practice). A sum or count that would overflow keeps its old value.
    @inlinable
    public mutating func add(_ record: UsageRecord) -> Bool {
        let (requestSum, requestOverflow) = requests.addingReportingOverflow(1)
        if !requestOverflow { requests = requestSum }
        var ok = !requestOverflow
        ok = inputTokens.add(record.inputTokens) && ok
        ok = cachedInputTokens.add(record.cachedInputTokens) && ok
        ok = cacheWriteTokens.add(record.cacheWriteTokens) && ok
        ok = outputTokens.add(record.outputTokens) && ok
        ok = reasoningTokens.add(record.reasoningTokens) && ok
        ok = totalTokens.add(record.totalTokens) && ok
        if let cost = record.costUSD {
            ok = costUSD.add(cost) && ok
            let (costedSum, costedOverflow) = costedRequests.addingReportingOverflow(1)
            if !costedOverflow { costedRequests = costedSum }
            ok = !costedOverflow && ok
        }
        return ok
    }

    /// Adds another group's sums; false on overflow of a sum's 128-bit or a count's 64-bit
    /// range. A sum or count that would overflow keeps its old value.
    @inlinable
    public mutating func merge(_ other: Measures) -> Bool {
        let (requestSum, requestOverflow) = requests.addingReportingOverflow(other.requests)
        let (costedSum, costedOverflow) = costedRequests.addingReportingOverflow(other.costedRequests)
        if !requestOverflow { requests = requestSum }
        if !costedOverflow { costedRequests = costedSum }
        var ok = !requestOverflow && !costedOverflow
        ok = inputTokens.add(other.inputTokens) && ok
        ok = cachedInputTokens.add(other.cachedInputTokens) && ok
        ok = cacheWriteTokens.add(other.cacheWriteTokens) && ok
        ok = outputTokens.add(other.outputTokens) && ok
        ok = reasoningTokens.add(other.reasoningTokens) && ok
        ok = totalTokens.add(other.totalTokens) && ok
        ok = costUSD.add(other.costUSD) && ok
        return ok
    }

    /// The token measures with their column names, in schema order.
    public var tokenColumns: [(name: String, value: ExactDecimal)] {
        [
            ("input_tokens", inputTokens), ("cached_input_tokens", cachedInputTokens),
            ("cache_write_tokens", cacheWriteTokens), ("output_tokens", outputTokens),
            ("reasoning_tokens", reasoningTokens), ("total_tokens", totalTokens),
        ]
    }
}
