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
    /// With `--prices`: what cached input saved against the full input price.
    public var cacheSavingsUSD: ExactDecimal = .zero
    /// With `--prices`: records for which a price applied (cache savings known); 0 means the
    /// `cache_savings_usd` cell is empty.
    public var savingsRequests: UInt64 = 0
    /// With `--stats`: the distributions behind the percentile columns, shared between copies
    /// until one of them changes; nil without.
    @usableFromInline var statsBox: StatsBox?

    /// Measures without distributions.
    public init() {}

    /// Measures that keep the distributions of `--stats` when `statistics` is true.
    public init(statistics: Bool) {
        if statistics { statsBox = StatsBox(GroupStats()) }
    }

    /// With `--stats`: the distributions behind the percentile columns; nil without.
    public var stats: GroupStats? { statsBox?.value }

    /// With `--prices`: records with neither a logged nor a computed cost (`unpriced_requests`).
    /// Records are priced before they are added, so every record without a cost is unpriced.
    public var unpricedRequests: UInt64 { requests &- costedRequests }

    private enum CodingKeys: String, CodingKey {
        case requests, inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens, reasoningTokens, totalTokens
        case costUSD, costedRequests, cacheSavingsUSD, savingsRequests, stats
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(requests, forKey: .requests)
        try container.encode(inputTokens, forKey: .inputTokens)
        try container.encode(cachedInputTokens, forKey: .cachedInputTokens)
        try container.encode(cacheWriteTokens, forKey: .cacheWriteTokens)
        try container.encode(outputTokens, forKey: .outputTokens)
        try container.encode(reasoningTokens, forKey: .reasoningTokens)
        try container.encode(totalTokens, forKey: .totalTokens)
        try container.encode(costUSD, forKey: .costUSD)
        try container.encode(costedRequests, forKey: .costedRequests)
        try container.encode(cacheSavingsUSD, forKey: .cacheSavingsUSD)
        try container.encode(savingsRequests, forKey: .savingsRequests)
        try container.encodeIfPresent(stats, forKey: .stats)
    }

    /// Decodes stored measures; states written before `--prices` existed lack the savings.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        requests = try container.decode(UInt64.self, forKey: .requests)
        inputTokens = try container.decode(ExactDecimal.self, forKey: .inputTokens)
        cachedInputTokens = try container.decode(ExactDecimal.self, forKey: .cachedInputTokens)
        cacheWriteTokens = try container.decode(ExactDecimal.self, forKey: .cacheWriteTokens)
        outputTokens = try container.decode(ExactDecimal.self, forKey: .outputTokens)
        reasoningTokens = try container.decode(ExactDecimal.self, forKey: .reasoningTokens)
        totalTokens = try container.decode(ExactDecimal.self, forKey: .totalTokens)
        costUSD = try container.decode(ExactDecimal.self, forKey: .costUSD)
        costedRequests = try container.decode(UInt64.self, forKey: .costedRequests)
        cacheSavingsUSD = try container.decodeIfPresent(ExactDecimal.self, forKey: .cacheSavingsUSD) ?? .zero
        savingsRequests = try container.decodeIfPresent(UInt64.self, forKey: .savingsRequests) ?? 0
        statsBox = try container.decodeIfPresent(GroupStats.self, forKey: .stats).map(StatsBox.init)
    }

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
        if let savings = record.cacheSavingsUSD {
            ok = cacheSavingsUSD.add(savings) && ok
            let (savingsSum, savingsOverflow) = savingsRequests.addingReportingOverflow(1)
            if !savingsOverflow { savingsRequests = savingsSum }
            ok = !savingsOverflow && ok
        }
        if statsBox != nil { recordStats(record) }
        return ok
    }

    @usableFromInline
    mutating func recordStats(_ record: UsageRecord) {
        makeStatsUnique()
        statsBox?.value.record(record)
    }

    /// Copies the distributions before they change, when another ``Measures`` shares them.
    @usableFromInline
    mutating func makeStatsUnique() {
        if !isKnownUniquelyReferenced(&statsBox) { statsBox = statsBox.map { StatsBox($0.value) } }
    }

    /// Adds another group's sums; false on overflow of a sum's 128-bit or a count's 64-bit
    /// range. A sum or count that would overflow keeps its old value.
    @inlinable
    public mutating func merge(_ other: Measures) -> Bool {
        let (requestSum, requestOverflow) = requests.addingReportingOverflow(other.requests)
        let (costedSum, costedOverflow) = costedRequests.addingReportingOverflow(other.costedRequests)
        if !requestOverflow { requests = requestSum }
        let (savingsSum, savingsOverflow) = savingsRequests.addingReportingOverflow(other.savingsRequests)
        if !costedOverflow { costedRequests = costedSum }
        if !savingsOverflow { savingsRequests = savingsSum }
        var ok = !requestOverflow && !costedOverflow && !savingsOverflow
        ok = inputTokens.add(other.inputTokens) && ok
        ok = cachedInputTokens.add(other.cachedInputTokens) && ok
        ok = cacheWriteTokens.add(other.cacheWriteTokens) && ok
        ok = outputTokens.add(other.outputTokens) && ok
        ok = reasoningTokens.add(other.reasoningTokens) && ok
        ok = totalTokens.add(other.totalTokens) && ok
        ok = costUSD.add(other.costUSD) && ok
        ok = cacheSavingsUSD.add(other.cacheSavingsUSD) && ok
        if let theirs = other.statsBox {
            if statsBox == nil {
                statsBox = theirs  // shared until either changes
            } else {
                makeStatsUnique()
                statsBox?.value.merge(theirs.value)
            }
        }
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

/// The distributions of one group's ``Measures``, behind a reference so that measures without
/// `--stats` stay small; copied before a change when shared (copy on write).
@usableFromInline
final class StatsBox: @unchecked Sendable, Equatable {
    @usableFromInline var value: GroupStats

    @usableFromInline
    init(_ value: GroupStats) { self.value = value }

    @usableFromInline
    static func == (lhs: StatsBox, rhs: StatsBox) -> Bool { lhs.value == rhs.value }
}
