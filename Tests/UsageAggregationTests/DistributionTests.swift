import Foundation
import TestSupport
import TallyPrimitives
import Testing
import UsageDecoding

@testable import UsageAggregation

/// The nearest-rank percentile of `values`, computed here independently of ``Distribution``:
/// sort, then the value at rank ⌈p·n/100⌉.
private func nearestRank(_ values: [UInt64], _ percentile: Int) -> UInt64 {
    let sorted = values.sorted()
    let rank = Int((Double(percentile) * Double(sorted.count) / 100).rounded(.up))
    return sorted[max(rank, 1) - 1]
}

private func distribution(_ values: some Sequence<UInt64>) -> Distribution {
    var d = Distribution()
    for v in values { d.record(v) }
    return d
}

/// Seeded values spread over six decades (1 … 10⁶), like token counts and latencies.
private func logUniform(_ count: Int, seed: UInt64) -> [UInt64] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in UInt64(pow(10, Double.random(in: 0..<6, using: &rng)).rounded(.down)) }
}

@Suite struct DistributionTests {
    @Test func emptyHasNoPercentiles() {
        let d = Distribution()
        #expect(d.count == 0)
        #expect(d.value(atPercentile: 50) == nil)
        #expect(d.value(atPercentile: 100) == nil)
    }

    /// 1…10: p50 is rank 5 (value 5), p95 rank ⌈9.5⌉ = 10, p99 rank ⌈9.9⌉ = 10.
    @Test func smallGroupsAreExact() {
        let d = distribution([7, 3, 10, 1, 9, 2, 8, 4, 6, 5])
        #expect(d.isExact)
        #expect(d.value(atPercentile: 50) == 5)
        #expect(d.value(atPercentile: 95) == 10)
        #expect(d.value(atPercentile: 99) == 10)
        #expect(d.maximum == 10)
        #expect(d.minimum == 1)
        // One value is every percentile.
        let one = distribution([123_456])
        #expect([50, 95, 99, 100].map { one.value(atPercentile: $0) } == [123_456, 123_456, 123_456, 123_456])
        // Four values: p50 is rank 2.
        #expect(distribution([40, 10, 30, 20]).value(atPercentile: 50) == 20)
    }

    /// Up to the exact limit every percentile is exact; one more value makes a histogram.
    @Test func exactUpToTheLimit() {
        let values = logUniform(Distribution.exactLimit, seed: 1)
        var d = distribution(values)
        #expect(d.isExact)
        for p in [50, 95, 99] { #expect(d.value(atPercentile: p) == nearestRank(values, p)) }
        d.record(5)
        #expect(!d.isExact)
        #expect(d.count == UInt64(Distribution.exactLimit + 1))
    }

    /// Beyond the limit, a percentile is within HdrHistogram's two significant digits of the
    /// exact one: never below it, at most 1% above, never above the maximum.
    @Test(arguments: [300, 5_000, 100_000])
    func histogramPrecision(count: Int) {
        let values = logUniform(count, seed: UInt64(count))
        let d = distribution(values)
        #expect(!d.isExact)
        #expect(d.maximum == values.max())
        #expect(d.minimum == values.min())
        for p in [50, 95, 99, 100] {
            let exact = nearestRank(values, p)
            let reported = d.value(atPercentile: p)!
            #expect(reported >= exact, "p\(p)")
            #expect(reported - exact <= exact / 100, "p\(p): \(reported) vs exact \(exact)")
            #expect(reported <= d.maximum)
        }
        #expect(d.value(atPercentile: 100) == values.max())
    }

    /// Values in one bucket: the percentile is capped by the exact maximum.
    @Test func cappedByTheMaximum() {
        let d = distribution(Array(repeating: 100_001, count: 1_000))
        #expect(d.value(atPercentile: 50) == 100_001)
        #expect(d.value(atPercentile: 99) == 100_001)
    }

    /// However the values are split and merged, the distribution is the same (threads,
    /// partials).
    @Test(arguments: [10, 256, 257, 3_000])
    func mergeOrderDoesNotMatter(count: Int) {
        let values = logUniform(count, seed: 7 &+ UInt64(count))
        let whole = distribution(values)
        var rng = SplitMix64(seed: 99)
        for _ in 0..<5 {
            // Random chunks, merged in a random order, some through an intermediate merge.
            var chunks: [Distribution] = []
            var start = 0
            while start < values.count {
                let end = min(values.count, start + Int.random(in: 1...max(1, count / 3), using: &rng))
                chunks.append(distribution(values[start..<end]))
                start = end
            }
            chunks.shuffle(using: &rng)
            var merged = Distribution()
            var side = Distribution()
            for (index, chunk) in chunks.enumerated() {
                if index % 2 == 0 { merged.merge(chunk) } else { side.merge(chunk) }
            }
            merged.merge(side)
            #expect(merged == whole)
            for p in [50, 95, 99] { #expect(merged.value(atPercentile: p) == whole.value(atPercentile: p)) }
        }
    }

    /// Stored and read back (the `--state` partials): the same values and percentiles.
    @Test(arguments: [0, 1, 200, 10_000])
    func codableRoundTrip(count: Int) throws {
        let d = distribution(logUniform(count, seed: 3))
        let data = try JSONEncoder().encode(d)
        let back = try JSONDecoder().decode(Distribution.self, from: data)
        #expect(back == d)
        for p in [50, 95, 99, 100] { #expect(back.value(atPercentile: p) == d.value(atPercentile: p)) }
        // Read back, then merged further: the same as merging the original.
        var more = back
        var original = d
        let extra = distribution(logUniform(500, seed: 4))
        more.merge(extra)
        original.merge(extra)
        #expect(more == original)
        #expect(more.value(atPercentile: 99) == original.value(atPercentile: 99))
    }

    @Test func corruptStoredDistributionsAreRefused() {
        let bad = [
            #"{"count":2,"minimum":1,"maximum":5,"values":[1]}"#,
            #"{"count":2,"minimum":2,"maximum":5,"values":[1,5]}"#,
            #"{"count":300,"minimum":1,"maximum":5,"buckets":[1,100,5,100]}"#,
            #"{"count":300,"minimum":1,"maximum":5,"buckets":[1,100,5]}"#,
            #"{"count":3,"minimum":9,"maximum":5,"values":[9,5,6]}"#,
        ]
        for json in bad {
            #expect(throws: DecodingError.self, "\(json)") {
                try JSONDecoder().decode(Distribution.self, from: Data(json.utf8))
            }
        }
    }

    /// A copy is a value: changing the original (recording, merging) leaves the copy as it was,
    /// also once both hold a histogram.
    @Test func copiesAreIndependent() {
        var original = distribution(logUniform(1_000, seed: 5))
        let copy = original
        original.record(9_999_999)
        original.merge(distribution(logUniform(500, seed: 6)))
        #expect(copy.count == 1_000)
        #expect(copy == distribution(logUniform(1_000, seed: 5)))
        #expect(original.count == 1_501)
        #expect(original.maximum == 9_999_999)
        #expect(copy.value(atPercentile: 100) != 9_999_999)
    }

    /// Absurd values count as 2⁵³ instead of growing the histogram without bound.
    @Test func hugeValuesAreClamped() {
        var d = distribution(1...300)
        d.record(UInt64.max)
        #expect(d.maximum == Distribution.largestValue)
        #expect(d.value(atPercentile: 100) == Distribution.largestValue)
    }
}

@Suite struct GroupStatsTests {
    /// Total tokens of every record; latency only of the records that have one.
    @Test func recordsTokensAndLatency() {
        var stats = GroupStats()
        var a = record(input: "100", output: "20")
        a.latencyMS = 850
        let b = record(input: "7", output: "3", total: "10.9")  // a fraction is cut: 10
        stats.record(a)
        stats.record(b)
        #expect(stats.totalTokens.count == 2)
        #expect(stats.totalTokens.maximum == 120)
        #expect(stats.totalTokens.minimum == 10)
        #expect(stats.latencyMS.count == 1)
        #expect(stats.latencyMS.value(atPercentile: 50) == 850)
    }

    /// Measures with stats: a copy changes alone (copy on write), merging adds the values,
    /// measures without stats stay without.
    @Test func measuresCarryStats() throws {
        var m = Measures(statistics: true)
        #expect(m.add(record(input: "1", output: "1")) == true)
        let copy = m
        #expect(m.add(record(input: "50", output: "50")) == true)
        #expect(copy.stats?.totalTokens.count == 1)
        #expect(m.stats?.totalTokens.count == 2)
        var other = Measures()
        #expect(other.merge(m) == true)
        #expect(other.stats?.totalTokens.maximum == 100)
        #expect(other.merge(copy) == true)
        #expect(other.stats?.totalTokens.count == 3)
        #expect(m.stats?.totalTokens.count == 2)  // not changed through the shared box
        var plain = Measures()
        #expect(plain.add(record(input: "1")) == true)
        #expect(plain.stats == nil)
        // Stored and read back.
        let back = try JSONDecoder().decode(Measures.self, from: JSONEncoder().encode(other))
        #expect(back == other)
        let none = try JSONDecoder().decode(Measures.self, from: JSONEncoder().encode(plain))
        #expect(none.stats == nil)
    }
}

/// A state's partials are files on disk that anything may damage: decoding a damaged one must
/// give measures or an error, never a trap (the run then says the state is unreadable).
@Suite struct StoredMeasuresDamageTests {
    @Test func damagedStoredMeasuresDecodeOrThrow() throws {
        var measures = Measures(statistics: true)
        var rng = SplitMix64(seed: 42)
        for index in 0..<600 {
            var r = record(input: String(UInt64.random(in: 0...100_000, using: &rng)), output: "7")
            if index % 3 == 0 { r.latencyMS = UInt64.random(in: 0...90_000, using: &rng) }
            _ = measures.add(r)
        }
        let original = Array(try JSONEncoder().encode(measures))
        let alphabet = Array(#"0123456789-.,:[]{}"e"#.utf8)
        var decoded = 0
        for _ in 0..<3_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let position = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[position] = alphabet.randomElement(using: &rng)!
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet.randomElement(using: &rng)!, at: position)
                }
            }
            if let back = try? JSONDecoder().decode(Measures.self, from: Data(bytes)) {
                decoded += 1
                // Whatever was accepted is consistent enough to be read and merged.
                if let stats = back.stats {
                    for p in [50, 95, 99, 100] {
                        _ = stats.totalTokens.value(atPercentile: p)
                        _ = stats.latencyMS.value(atPercentile: p)
                    }
                }
                var merged = measures
                _ = merged.merge(back)
            }
        }
        #expect(decoded < 3_000)  // most damage is caught
    }
}
