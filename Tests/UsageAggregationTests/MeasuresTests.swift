import TestSupport
import TallyPrimitives
import Testing
import UsageDecoding

@testable import UsageAggregation

/// Measures made from records by `add`, one at a time.
func summed(_ records: some Sequence<UsageRecord>) -> Measures {
    var measures = Measures()
    for r in records { #expect(measures.add(r) == true) }
    return measures
}

@Suite struct MeasuresAddTests {
    /// Every column sums its own field of the record; requests counts records.
    @Test func eachColumnSumsItsOwnField() {
        let m = summed([
            record(input: "100", cached: "20", write: "3", output: "40", reasoning: "5", total: "141", cost: "0.25"),
            record(input: "1000", cached: "200", write: "30", output: "400", reasoning: "50", total: "1400", cost: "0.5"),
        ])
        #expect(m.requests == 2)
        #expect(m.inputTokens == dec("1100"))
        #expect(m.cachedInputTokens == dec("220"))
        #expect(m.cacheWriteTokens == dec("33"))
        #expect(m.outputTokens == dec("440"))
        #expect(m.reasoningTokens == dec("55"))
        #expect(m.totalTokens == dec("1541"))
        #expect(m.costUSD == dec("0.75"))
        #expect(m.costedRequests == 2)
    }

    /// Integers beyond 2^53 survive (a Double would give 9007199254740992), and a fraction
    /// added to them is kept exactly (PRODUCT.md "Exact sums").
    @Test func sumsAreExact() {
        let m = summed([
            record(input: "9007199254740993", output: "1"),
            record(input: "0.5", output: "9223372036854775807"),
            record(input: "0", output: "9223372036854775807"),
        ])
        #expect(m.inputTokens.description == "9007199254740993.5")
        // 2 · (2^63 − 1) + 1 = 2^64 − 1: beyond Int64, still exact.
        #expect(m.outputTokens.description == "18446744073709551615")
        // 9007199254740994 + 9223372036854775807.5 + 9223372036854775807 (Python's Decimal).
        #expect(m.totalTokens.description == "18455751272964292608.5")
    }

    /// Costs are small fractions and sum exactly where binary floating point does not
    /// (Python: `sum([0.000015] * 15)` is 0.00022500000000000008, `0.1 + 0.2` is
    /// 0.30000000000000004).
    @Test func fractionalCostsSumExactly() {
        let costs = summed(Array(repeating: record(cost: "0.000015"), count: 15))
        #expect(costs.costUSD.description == "0.000225")
        let tenths = summed([record(cost: "0.1"), record(cost: "0.2")])
        #expect(tenths.costUSD.description == "0.3")
        // 18 decimals carry into the whole part.
        let carry = summed([record(cost: "0.999999999999999999"), record(cost: "0.000000000000000001")])
        #expect(carry.costUSD == dec("1"))
    }

    /// `costedRequests` counts the records that carried a cost, a logged 0 included; a record
    /// without one adds nothing to the cost.
    @Test func costedRequestsCountsRecordsWithACost() {
        let none = summed([record(input: "1"), record(input: "2")])
        #expect(none.requests == 2)
        #expect(none.costedRequests == 0)
        #expect(none.costUSD == .zero)

        let zero = summed([record(input: "1"), record(input: "2", cost: "0")])
        #expect(zero.costedRequests == 1)
        #expect(zero.costUSD == .zero)

        let some = summed([record(cost: "0.5"), record(), record(cost: "0"), record(cost: "1.25")])
        #expect(some.requests == 4)
        #expect(some.costedRequests == 3)
        #expect(some.costUSD == dec("1.75"))
    }

    /// A fresh value is all zeros.
    @Test func startsAtZero() {
        let m = Measures()
        #expect(m.requests == 0 && m.costedRequests == 0)
        #expect(m.tokenColumns.allSatisfy { $0.value == .zero })
        #expect(m.costUSD == .zero)
    }

    /// The token columns are named and ordered as in schema v1, each with its own value.
    @Test func tokenColumnsInSchemaOrder() {
        let m = summed([record(input: "1", cached: "2", write: "3", output: "4", reasoning: "5", total: "6")])
        #expect(m.tokenColumns.map(\.name) == [
            "input_tokens", "cached_input_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens", "total_tokens",
        ])
        #expect(m.tokenColumns.map(\.value) == ["1", "2", "3", "4", "5", "6"].map(dec))
    }
}

@Suite struct MeasuresMergeTests {
    /// Records with random whole and micro-unit parts, about a third without a cost.
    static func randomRecords(count: Int, seed: UInt64) -> [UsageRecord] {
        var rng = SplitMix64(seed: seed)
        func value() -> ExactDecimal {
            // Mostly whole numbers, sometimes with millionths, as a log would have them.
            let whole = UInt128(rng.next() % (1 << 40))
            let micros = rng.next() % 4 == 0 ? rng.next() % 1_000_000 : 0
            return ExactDecimal(whole: whole, fraction: micros * 1_000_000_000_000)
        }
        return (0..<count).map { _ in
            var r = UsageRecord()
            r.inputTokens = value()
            r.cachedInputTokens = value()
            r.cacheWriteTokens = value()
            r.outputTokens = value()
            r.reasoningTokens = value()
            r.totalTokens = value()
            r.costUSD = rng.next() % 3 == 0 ? nil : value()
            return r
        }
    }

    /// The sums computed apart from `Measures`: in micro-units, in 128-bit integers.
    static func oracle(_ records: [UsageRecord]) -> Measures {
        func micros(_ value: ExactDecimal) -> UInt128 {
            precondition(value.fraction % 1_000_000_000_000 == 0)
            return value.whole * 1_000_000 + UInt128(value.fraction / 1_000_000_000_000)
        }
        func decimal(_ micros: UInt128) -> ExactDecimal {
            ExactDecimal(whole: micros / 1_000_000, fraction: UInt64(micros % 1_000_000) * 1_000_000_000_000)
        }
        var sums = [UInt128](repeating: 0, count: 7)
        var costed: UInt64 = 0
        for r in records {
            sums[0] += micros(r.inputTokens)
            sums[1] += micros(r.cachedInputTokens)
            sums[2] += micros(r.cacheWriteTokens)
            sums[3] += micros(r.outputTokens)
            sums[4] += micros(r.reasoningTokens)
            sums[5] += micros(r.totalTokens)
            if let cost = r.costUSD {
                sums[6] += micros(cost)
                costed += 1
            }
        }
        var m = Measures()
        m.requests = UInt64(records.count)
        m.inputTokens = decimal(sums[0])
        m.cachedInputTokens = decimal(sums[1])
        m.cacheWriteTokens = decimal(sums[2])
        m.outputTokens = decimal(sums[3])
        m.reasoningTokens = decimal(sums[4])
        m.totalTokens = decimal(sums[5])
        m.costUSD = decimal(sums[6])
        m.costedRequests = costed
        return m
    }

    /// Adding the records one by one gives what the independent oracle gives.
    @Test func addAgreesWithTheOracle() {
        let records = Self.randomRecords(count: 500, seed: 7)
        #expect(summed(records) == Self.oracle(records))
    }

    /// Any split of the records into partials, merged in any order or shape, gives the same
    /// sums as adding them all in one place: the output cannot depend on threads.
    @Test(arguments: 0..<24)
    func randomPartitionsMergeToTheSameSums(_ seed: Int) {
        let records = Self.randomRecords(count: 300, seed: 1_000)
        let expected = Self.oracle(records)
        var rng = SplitMix64(seed: UInt64(seed))

        // Shuffle, then cut into 1…12 partials at random points (some may be empty).
        let shuffled = records.shuffled(using: &rng)
        let partCount = Int(rng.next() % 12) + 1
        var cuts = (0..<(partCount - 1)).map { _ in Int(rng.next() % UInt64(shuffled.count + 1)) }
        cuts.sort()
        var partials: [Measures] = []
        var start = 0
        for cut in cuts + [shuffled.count] {
            partials.append(summed(shuffled[start..<cut]))
            start = cut
        }

        // Merged left to right in a random order…
        var flat = Measures()
        for partial in partials.shuffled(using: &rng) { #expect(flat.merge(partial) == true) }
        #expect(flat == expected)

        // …and as a random tree: merge two random partials into one until one is left.
        var pool = partials
        while pool.count > 1 {
            let i = Int(rng.next() % UInt64(pool.count))
            var left = pool.remove(at: i)
            let j = Int(rng.next() % UInt64(pool.count))
            let right = pool.remove(at: j)
            #expect(left.merge(right) == true)
            pool.append(left)
        }
        #expect(pool == [expected])
    }

    /// Merging is commutative and associative, and an empty `Measures` is its identity.
    @Test func mergeLaws() {
        let records = Self.randomRecords(count: 30, seed: 3)
        let a = summed(records[0..<10]), b = summed(records[10..<20]), c = summed(records[20..<30])
        func merged(_ x: Measures, _ y: Measures) -> Measures {
            var z = x
            #expect(z.merge(y) == true)
            return z
        }
        #expect(merged(a, b) == merged(b, a))
        #expect(merged(merged(a, b), c) == merged(a, merged(b, c)))
        #expect(merged(a, Measures()) == a)
        #expect(merged(Measures(), a) == a)
        #expect(merged(merged(a, b), c) == Self.oracle(records))
    }

    /// `requests` and `costedRequests` add up on merge, costs only from records that had one.
    @Test func mergeAddsCounts() {
        var a = summed([record(cost: "0.5"), record()])
        let b = summed([record(), record(), record(cost: "0")])
        #expect(a.merge(b) == true)
        #expect(a.requests == 5)
        #expect(a.costedRequests == 2)
        #expect(a.costUSD == dec("0.5"))
    }
}

@Suite struct MeasuresOverflowTests {
    /// The largest whole part a sum can hold.
    static let limit = ExactDecimal(whole: .max, fraction: 0)

    /// Adding up to the 128-bit limit succeeds; one more reports false and leaves the sum
    /// unchanged instead of wrapping.
    @Test func addReportsOverflowAtThe128BitLimit() {
        var m = Measures()
        m.inputTokens = ExactDecimal(whole: .max - 1, fraction: 0)
        #expect(m.add(record(input: "1")) == true)
        #expect(m.inputTokens == Self.limit)
        #expect(m.add(record(input: "0")) == true)
        #expect(m.add(record(input: "1")) == false)
        #expect(m.inputTokens == Self.limit)
        #expect(m.requests == 3)
    }

    /// A carry out of the fraction at the limit is an overflow too.
    @Test func fractionCarryAtTheLimitOverflows() {
        var m = Measures()
        m.costUSD = ExactDecimal(whole: .max, fraction: 500_000_000_000_000_000)
        #expect(m.add(record(cost: "0.4")) == true)
        #expect(m.costUSD == ExactDecimal(whole: .max, fraction: 900_000_000_000_000_000))
        #expect(m.add(record(cost: "0.1")) == false)
        #expect(m.costUSD == ExactDecimal(whole: .max, fraction: 900_000_000_000_000_000))
    }

    /// Overflow in any one column is reported, whichever it is.
    @Test(arguments: 0..<7)
    func everyColumnReportsOverflowOnAdd(_ column: Int) {
        var m = Measures()
        var r = record(input: "1", cached: "1", write: "1", output: "1", reasoning: "1", total: "1", cost: "1")
        switch column {
        case 0: m.inputTokens = Self.limit
        case 1: m.cachedInputTokens = Self.limit
        case 2: m.cacheWriteTokens = Self.limit
        case 3: m.outputTokens = Self.limit
        case 4: m.reasoningTokens = Self.limit
        case 5: m.totalTokens = Self.limit
        default: m.costUSD = Self.limit
        }
        #expect(m.add(r) == false)
        r = record()
        #expect(m.add(r) == true)  // zeros never overflow
    }

    /// Two partials of 2^127 each overflow on merge; 2^127 − 1 and 2^127 just fit.
    @Test func mergeReportsOverflowAtThe128BitLimit() {
        let half = UInt128(1) << 127
        var a = Measures(), b = Measures()
        a.totalTokens = ExactDecimal(whole: half - 1, fraction: 0)
        b.totalTokens = ExactDecimal(whole: half, fraction: 0)
        var fits = a
        #expect(fits.merge(b) == true)
        #expect(fits.totalTokens == Self.limit)
        var overflows = b
        #expect(overflows.merge(b) == false)
        #expect(overflows.totalTokens == b.totalTokens)
    }

    /// Regression (issue 2, "never wrapped"): at the top of the 64-bit request counters, add
    /// and merge report false and keep the count instead of wrapping it to a small number.
    @Test func requestCountersReportOverflowInsteadOfWrapping() {
        var m = Measures()
        m.requests = .max
        m.costedRequests = .max - 1
        #expect(m.add(record(input: "1")) == false)
        #expect(m.requests == .max)

        var costed = Measures()
        costed.requests = 5
        costed.costedRequests = .max
        #expect(costed.add(record(cost: "1")) == false)
        #expect(costed.costedRequests == .max)

        var left = Measures(), right = Measures()
        left.requests = .max
        right.requests = 1
        #expect(left.merge(right) == false)
        #expect(left.requests == .max)

        left = Measures()
        left.costedRequests = .max
        right.costedRequests = 2
        #expect(left.merge(right) == false)
        #expect(left.costedRequests == .max)
    }
}
