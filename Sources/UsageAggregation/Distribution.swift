import Histogram
import TallyPrimitives
import UsageDecoding

/// The values of one measure in one group — each request's total tokens, or its latency — kept
/// so that percentiles can be read after any number of merges (`--stats`).
///
/// Up to ``exactLimit`` values are kept as they are, and their percentiles are exact. Beyond,
/// every value goes into an HDR histogram (HdrHistogram/hdrhistogram-swift) with two
/// significant digits: a percentile is then the highest value equivalent to the exact one, at
/// most 1% above it, and never above the exact ``maximum``. Which form a distribution takes
/// depends only on how many values it holds, and both forms merge by adding counts, so a
/// percentile is the same whatever the order of the records and of the merges (threads,
/// partials stored by `--state`).
///
/// A percentile is the nearest rank: the value at rank ⌈p·n/100⌉ (at least 1) of the n values
/// in ascending order, as HdrHistogram defines it.
public struct Distribution: Sendable {
    /// Values kept exactly; one more and the distribution becomes a histogram.
    public static let exactLimit = 256
    /// The histogram's precision: values within 1% (HdrHistogram's two significant digits).
    public static let significantDigits = SignificantDigits.two
    /// Largest value recorded (2⁵³, the largest integer every JSON reader keeps exactly);
    /// larger values count as this.
    public static let largestValue: UInt64 = 1 << 53

    /// Values recorded.
    public private(set) var count: UInt64 = 0
    /// The smallest value recorded (meaningless when ``count`` is 0).
    public private(set) var minimum: UInt64 = .max
    /// The largest value recorded, exactly (0 when ``count`` is 0).
    public private(set) var maximum: UInt64 = 0
    /// The values, while there are at most ``exactLimit`` of them (unordered).
    private var exact: [UInt64] = []
    /// Every value, once there are more than ``exactLimit`` (behind a reference: most groups
    /// never need one, and the histogram's fields would double every group's size).
    private var histogramBox: HistogramBox?

    private var histogram: Histogram<UInt64>? { histogramBox?.value }

    /// The histogram, made unique before it changes (copy on write).
    private mutating func mutateHistogram(_ change: (inout Histogram<UInt64>) -> Void) {
        if !isKnownUniquelyReferenced(&histogramBox) { histogramBox = histogramBox.map { HistogramBox($0.value) } }
        change(&histogramBox!.value)
    }

    public init() {}

    /// Whether the percentiles are exact (at most ``exactLimit`` values).
    public var isExact: Bool { histogramBox == nil }

    /// Records one value (clamped to ``largestValue``).
    public mutating func record(_ value: UInt64) {
        let value = Swift.min(value, Self.largestValue)
        count &+= 1
        minimum = Swift.min(minimum, value)
        maximum = Swift.max(maximum, value)
        if histogramBox == nil {
            if exact.count < Self.exactLimit {
                exact.append(value)
                return
            }
            moveToHistogram()
        }
        mutateHistogram { $0.record(value) }
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: Distribution) {
        guard other.count > 0 else { return }
        count &+= other.count
        minimum = Swift.min(minimum, other.minimum)
        maximum = Swift.max(maximum, other.maximum)
        if histogramBox == nil && other.histogramBox == nil && exact.count + other.exact.count <= Self.exactLimit {
            exact += other.exact
            return
        }
        if histogramBox == nil { moveToHistogram() }
        if let theirs = other.histogram {
            mutateHistogram { $0.add(theirs) }
        } else {
            mutateHistogram { histogram in
                for value in other.exact { histogram.record(value) }
            }
        }
    }

    /// The value at `percentile` (1…100) by nearest rank; nil when no value was recorded.
    public func value(atPercentile percentile: Int) -> UInt64? {
        precondition((1...100).contains(percentile))
        guard count > 0 else { return nil }
        let rank = Swift.max(1, (UInt128(count) * UInt128(percentile) + 99) / 100)
        guard let histogram else {
            return exact.sorted()[Int(rank) - 1]
        }
        var seen: UInt128 = 0
        for bucket in histogram.recordedValues() {
            seen += UInt128(bucket.count)
            if seen >= rank { return Swift.min(Swift.max(bucket.value, minimum), maximum) }
        }
        return maximum
    }

    private mutating func moveToHistogram() {
        var created = Histogram<UInt64>(numberOfSignificantValueDigits: Self.significantDigits)
        for value in exact { created.record(value) }
        histogramBox = HistogramBox(created)
        exact = []
    }

    /// The histogram's buckets that hold values: (the highest value of the bucket, count).
    private var buckets: [(value: UInt64, count: UInt64)] {
        histogram.map { $0.recordedValues().map { ($0.value, $0.count) } } ?? []
    }
}

extension Distribution: Equatable {
    /// Equal when they hold the same values (exactly, or in the same histogram buckets).
    public static func == (lhs: Distribution, rhs: Distribution) -> Bool {
        guard lhs.count == rhs.count, lhs.minimum == rhs.minimum, lhs.maximum == rhs.maximum,
            lhs.isExact == rhs.isExact
        else { return false }
        if lhs.isExact { return lhs.exact.sorted() == rhs.exact.sorted() }
        return lhs.buckets.elementsEqual(rhs.buckets) { $0.value == $1.value && $0.count == $1.count }
    }
}

extension Distribution: Codable {
    private enum CodingKeys: String, CodingKey {
        case count, minimum, maximum
        /// The exact values, sorted.
        case values
        /// The histogram's buckets as flat pairs: the highest value of a bucket, its count.
        case buckets
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        guard count > 0 else { return }
        try container.encode(minimum, forKey: .minimum)
        try container.encode(maximum, forKey: .maximum)
        if isExact {
            try container.encode(exact.sorted(), forKey: .values)
        } else {
            try container.encode(buckets.flatMap { [$0.value, $0.count] }, forKey: .buckets)
        }
    }

    /// Decodes a stored distribution; one whose parts do not add up is refused.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let count = try container.decode(UInt64.self, forKey: .count)
        guard count > 0 else { return }
        let minimum = try container.decode(UInt64.self, forKey: .minimum)
        let maximum = try container.decode(UInt64.self, forKey: .maximum)
        func corrupt(_ what: String) -> DecodingError {
            .dataCorruptedError(forKey: .count, in: container, debugDescription: "distribution: \(what)")
        }
        guard minimum <= maximum, maximum <= Self.largestValue else { throw corrupt("bad minimum or maximum") }
        if let values = try container.decodeIfPresent([UInt64].self, forKey: .values) {
            guard values.count == count, count <= Self.exactLimit, values.min() == minimum, values.max() == maximum else {
                throw corrupt("values do not match their count")
            }
            exact = values
        } else {
            let flat = try container.decode([UInt64].self, forKey: .buckets)
            guard flat.count % 2 == 0, count > Self.exactLimit else { throw corrupt("bad buckets") }
            var created = Histogram<UInt64>(numberOfSignificantValueDigits: Self.significantDigits)
            var total: UInt64 = 0
            for pair in stride(from: 0, to: flat.count, by: 2) {
                let (sum, overflow) = total.addingReportingOverflow(flat[pair + 1])
                guard !overflow, flat[pair] <= Self.largestValue * 2 else { throw corrupt("bad bucket") }
                total = sum
                created.record(flat[pair], count: flat[pair + 1])
            }
            guard total == count else { throw corrupt("buckets do not add up to the count") }
            histogramBox = HistogramBox(created)
        }
        self.count = count
        self.minimum = minimum
        self.maximum = maximum
    }
}

/// A histogram behind a reference (see ``Distribution``).
private final class HistogramBox: @unchecked Sendable {
    var value: Histogram<UInt64>

    init(_ value: Histogram<UInt64>) { self.value = value }
}

/// What `--stats` keeps per group: the distributions behind the percentile columns.
public struct GroupStats: Sendable, Equatable, Codable {
    /// Each request's `total_tokens` (whole tokens).
    public var totalTokens = Distribution()
    /// Each request's latency in milliseconds, for the requests that have one.
    public var latencyMS = Distribution()

    public init() {}

    /// Records one request.
    @inlinable
    public mutating func record(_ record: UsageRecord) {
        let tokens = record.totalTokens.whole
        totalTokens.record(tokens > UInt128(Distribution.largestValue) ? Distribution.largestValue : UInt64(tokens))
        if let latency = record.latencyMS { latencyMS.record(latency) }
    }

    /// Adds another group's values.
    public mutating func merge(_ other: GroupStats) {
        totalTokens.merge(other.totalTokens)
        latencyMS.merge(other.latencyMS)
    }
}
