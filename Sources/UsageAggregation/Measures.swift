import TallyPrimitives
import UsageDecoding

/// The summed measures of one group: schema v1's measure columns.
///
/// Sums are exact and merging is associative and commutative, so the result does not depend
/// on how records were split between threads or in which order partials were merged.
public struct Measures: Sendable, Equatable {
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

    /// Adds one record; false when a sum would leave its 128-bit range (never in practice).
    @inlinable
    public mutating func add(_ record: UsageRecord) -> Bool {
        requests &+= 1
        var ok = inputTokens.add(record.inputTokens)
        ok = cachedInputTokens.add(record.cachedInputTokens) && ok
        ok = cacheWriteTokens.add(record.cacheWriteTokens) && ok
        ok = outputTokens.add(record.outputTokens) && ok
        ok = reasoningTokens.add(record.reasoningTokens) && ok
        ok = totalTokens.add(record.totalTokens) && ok
        if let cost = record.costUSD {
            ok = costUSD.add(cost) && ok
            costedRequests &+= 1
        }
        return ok
    }

    /// Adds another group's sums; false on overflow of the 128-bit range.
    @inlinable
    public mutating func merge(_ other: Measures) -> Bool {
        let (requestSum, requestOverflow) = requests.addingReportingOverflow(other.requests)
        let (costedSum, costedOverflow) = costedRequests.addingReportingOverflow(other.costedRequests)
        requests = requestSum
        costedRequests = costedSum
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
