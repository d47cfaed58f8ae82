import Foundation
import TestSupport
import TallyPrimitives
import Testing
import UsageDecoding

@testable import UsageAggregation

// Issue 6, part 4 (`--prices`). Every expected cost is worked out by hand in the comments.

/// A price table from CSV text.
func prices(_ text: String, path: String = "prices.csv") throws -> PriceTable {
    try PriceTable.parse(Array(text.utf8), path: path)
}

/// The error a price file's text gives, as its one-line message.
func priceError(_ text: String) -> String? {
    do {
        _ = try PriceTable.parse(Array(text.utf8), path: "p.csv")
        return nil
    } catch {
        return error.description
    }
}

/// Unix seconds of a UTC date and time.
func utc(_ year: Int64, _ month: Int, _ day: Int, _ hour: Int64 = 0) -> Int64 {
    CivilTime.days(year: year, month: month, day: day) * 86_400 + hour * 3600
}

/// Prices `record` as a decoding thread would, with `model` as the line's model string.
func priced(_ record: UsageRecord, model: String?, _ pricer: RecordPricer) -> UsageRecord {
    var record = record
    guard let model else {
        pricer.price(&record, model: nil, in: UnsafeRawBufferPointer(start: nil, count: 0))
        return record
    }
    let json = Array("\"\(model)\"".utf8)
    json.withUnsafeBytes { bytes in
        let span = JSONValueSpan(start: 0, end: Int32(bytes.count), kind: .string, hasEscapes: model.contains("\\"))
        pricer.price(&record, model: span, in: bytes)
    }
    return record
}

let header = "model,effective_from,input_per_mtok,cached_input_per_mtok,cache_write_per_mtok,output_per_mtok\n"

@Suite struct PriceFileParsingTests {
    @Test func readsRowsCommentsAndBlankLines() throws {
        let table = try prices("""
            # prices as of 2026-11-01
            \(header)
            anthropic/claude-sonnet-4*,,3,0.30,3.75,15

            gpt-4o-mini,2026-01-01,0.15,0.075,,0.60\r
            "*gemini-2.5-flash*", 2026-06-17 , 0.30 ,0.075,,2.50
            """)
        #expect(table.rows.count == 3)
        let sonnet = table.rows[0]
        #expect(sonnet.pattern == "anthropic/claude-sonnet-4*")
        #expect(sonnet.effectiveFrom == nil)
        #expect(sonnet.input == dec("3") && sonnet.cachedInput == dec("0.3") && sonnet.cacheWrite == dec("3.75"))
        #expect(sonnet.output == dec("15"))
        #expect(sonnet.line == 4)  // comment, header, the blank line `header` ends with, then the row
        // An empty cache-write price is the input price.
        #expect(table.rows[1].cacheWrite == dec("0.15"))
        #expect(table.rows[1].effectiveFrom == utc(2026, 1, 1))
        #expect(table.rows[2].pattern == "*gemini-2.5-flash*")
        #expect(table.rows[2].effectiveFrom == utc(2026, 6, 17))
    }

    @Test func columnsMayComeInAnyOrderAndOptionalOnesMayBeLeftOut() throws {
        let table = try prices("output_per_mtok,model,input_per_mtok\n10,gpt-4o,2.5\n")
        #expect(table.rows == [PriceRow(pattern: "gpt-4o", input: dec("2.5"), output: dec("10"), line: 2)])
        // Without cached and cache-write prices, both are the input price.
        #expect(table.rows[0].cachedInput == dec("2.5") && table.rows[0].cacheWrite == dec("2.5"))
    }

    @Test func theContentHashFollowsTheBytes() throws {
        let a = try prices(header + "gpt-4o,,2.5,1.25,,10\n")
        let b = try prices(header + "gpt-4o,,2.5,1.25,,10\n")
        let c = try prices(header + "gpt-4o,,2.5,1.25,,11\n")
        #expect(a.contentHash == b.contentHash)
        #expect(a.contentHash != c.contentHash)
    }

    @Test func badFilesNameTheirLine() {
        #expect(priceError("") == "p.csv: no header line")
        #expect(priceError("# only a comment\n") == "p.csv: no header line")
        #expect(priceError(header) == "p.csv: no price rows")
        #expect(priceError("model,price\n") == "p.csv:1: unknown column \"price\" (columns: model, effective_from, input_per_mtok, cached_input_per_mtok, cache_write_per_mtok, output_per_mtok)")
        #expect(priceError("model,input_per_mtok\n") == "p.csv:1: missing column \"output_per_mtok\"")
        #expect(priceError("model,model,input_per_mtok,output_per_mtok\n") == "p.csv:1: column \"model\" appears twice")
        #expect(priceError(header + "gpt-4o,,2.5,1.25,10\n") == "p.csv:2: expected 6 fields, found 5")
        #expect(priceError(header + ",,2.5,1.25,,10\n") == "p.csv:2: model is empty")
        #expect(priceError(header + "gpt-4o,,,1.25,,10\n") == "p.csv:2: input_per_mtok is empty")
        #expect(priceError(header + "gpt-4o,,2.5,1.25,,\n") == "p.csv:2: output_per_mtok is empty")
        #expect(priceError(header + "gpt-4o,,$2.50,1.25,,10\n") == "p.csv:2: input_per_mtok \"$2.50\" is not a non-negative decimal number")
        #expect(priceError(header + "gpt-4o,,-1,,,10\n") == "p.csv:2: input_per_mtok \"-1\" is not a non-negative decimal number")
        #expect(priceError(header + "gpt-4o,,2.5,1.25,x,10\n") == "p.csv:2: cache_write_per_mtok \"x\" is not a non-negative decimal number")
        #expect(priceError(header + "gpt-4o,2026-02-30,2.5,1.25,,10\n") == "p.csv:2: effective_from \"2026-02-30\" is not a date (YYYY-MM-DD)")
        #expect(priceError(header + "gpt-4o,2026-1-5,2.5,1.25,,10\n") == "p.csv:2: effective_from \"2026-1-5\" is not a date (YYYY-MM-DD)")
        #expect(priceError(header + "gpt-4o,,2.5,3,,10\n") == "p.csv:2: cached_input_per_mtok 3 is above input_per_mtok 2.5")
        #expect(priceError(header + "gpt-4o,,2.5,,,10\n# x\ngpt-4o,,3,,,10\n") == "p.csv:4: gpt-4o without a date is already priced on line 2")
        #expect(priceError(header + "gpt-4o,2026-01-01,2.5,,,10\ngpt-4o,2026-01-01,3,,,10\n") == "p.csv:3: gpt-4o from 2026-01-01 is already priced on line 2")
        #expect(priceError(header + "\"gpt-4o,,2.5,,,10\n") == "p.csv:2: unterminated quoted field")
    }

    @Test func aFileThatIsNotUTF8IsRefused() {
        var bytes = Array("model,input_per_mtok,output_per_mtok\n".utf8)
        bytes += [0x67, 0xFF, 0x2C, 0x31, 0x2C, 0x31, 0x0A]
        #expect(throws: PriceFileError(path: "p.csv", line: 0, message: "not UTF-8")) {
            try PriceTable.parse(bytes, path: "p.csv")
        }
    }

    @Test func aMissingFileIsAnError() {
        #expect(throws: PriceFileError(path: "/nonexistent/p.csv", line: 0, message: "cannot read: No such file or directory")) {
            try PriceTable.load(path: "/nonexistent/p.csv")
        }
    }
}

@Suite struct PricePatternTests {
    @Test(arguments: [
        ("gpt-4o", "gpt-4o", true), ("gpt-4o", "gpt-4o-mini", false), ("gpt-4o*", "gpt-4o-mini", true),
        ("*gpt-4o-mini*", "openai/gpt-4o-mini-2024-07-18", true), ("*", "", true), ("a*b*c", "aXbYc", true),
        ("a*b*c", "aXbYcd", false), ("anthropic/claude-sonnet-4*", "anthropic/claude-sonnet-4.5", true),
        ("anthropic/claude-sonnet-4*", "claude-sonnet-4", false), ("GPT-4o", "gpt-4o", false), ("a**", "a", true),
    ])
    func globs(_ pattern: String, _ model: String, _ expected: Bool) {
        let row = PriceRow(pattern: pattern, input: .zero, output: .zero)
        var model = model
        #expect(model.withUTF8 { row.matches(UnsafeRawBufferPointer($0)) } == expected)
    }

    @Test func anExactIdBeatsEveryGlobAndMoreLiteralCharactersBeatFewer() throws {
        let table = try prices(header + """
            *,,100,,,100
            *gpt-4o*,,2,,,2
            openai/gpt-4o*,,3,,,3
            openai/gpt-4o,,4,,,4
            *4o-mini*,,5,,,5
            """)
        // Exact id, although a glob with as many literal characters comes earlier.
        #expect(table.price(forModel: "openai/gpt-4o", at: nil)?.input == dec("4"))
        // `openai/gpt-4o*` (13 literal characters) beats `*gpt-4o*` (6) and `*4o-mini*` (7).
        #expect(table.price(forModel: "openai/gpt-4o-mini", at: nil)?.input == dec("3"))
        // `*4o-mini*` (7) beats `*gpt-4o*` (6).
        #expect(table.price(forModel: "gpt-4o-mini", at: nil)?.input == dec("5"))
        #expect(table.price(forModel: "gpt-4o", at: nil)?.input == dec("2"))
        #expect(table.price(forModel: "claude", at: nil)?.input == dec("100"))
    }

    @Test func equallySpecificGlobsGoByTheEarlierLine() throws {
        let table = try prices(header + "gpt*,,1,,,1\n*-4o,,2,,,2\n")
        // Both have 3 literal characters; `gpt*` is on the earlier line.
        #expect(table.price(forModel: "gpt-4o", at: nil)?.input == dec("1"))
        let swapped = try prices(header + "*-4o,,2,,,2\ngpt*,,1,,,1\n")
        #expect(swapped.price(forModel: "gpt-4o", at: nil)?.input == dec("2"))
    }

    @Test func noMatchingPatternIsNoPrice() throws {
        let table = try prices(header + "gpt-4o,,2.5,,,10\n")
        #expect(table.price(forModel: "gpt-4o-mini", at: nil) == nil)
    }
}

@Suite struct PriceEffectiveDateTests {
    /// gpt-4o: $5 from the beginning, $2.50 from 2026-03-01 (UTC), $2 from 2026-09-01.
    let table: PriceTable
    init() throws {
        table = try prices(header + """
            gpt-4o,2026-09-01,2,,,8
            gpt-4o,,5,,,15
            gpt-4o,2026-03-01,2.5,,,10
            *,2026-03-01,99,,,99
            """)
    }

    @Test func theLatestDateNotAfterTheRecordWins() {
        // The day before, at, and after the change at 2026-03-01 00:00 UTC.
        #expect(table.price(forModel: "gpt-4o", at: utc(2026, 2, 28, 23))?.input == dec("5"))
        #expect(table.price(forModel: "gpt-4o", at: utc(2026, 3, 1) - 1)?.input == dec("5"))
        #expect(table.price(forModel: "gpt-4o", at: utc(2026, 3, 1))?.input == dec("2.5"))
        #expect(table.price(forModel: "gpt-4o", at: utc(2026, 3, 2))?.input == dec("2.5"))
        #expect(table.price(forModel: "gpt-4o", at: utc(2026, 9, 1))?.input == dec("2"))
        #expect(table.price(forModel: "gpt-4o", at: utc(2027, 1, 1))?.input == dec("2"))
    }

    @Test func aRecordWithoutTimeTakesTheLatestPriceOfTheBestPattern() {
        #expect(table.price(forModel: "gpt-4o", at: nil)?.input == dec("2"))
    }

    @Test func rowsNotYetInEffectLeaveTheRecordToLessSpecificPatterns() throws {
        let table = try prices(header + "*,,1,,,1\ngpt-4o,2026-03-01,2.5,,,10\n")
        #expect(table.price(forModel: "gpt-4o", at: utc(2026, 2, 28))?.input == dec("1"))
        #expect(table.price(forModel: "gpt-4o", at: utc(2026, 3, 1))?.input == dec("2.5"))
        // Before any row of any pattern applies: no price.
        let dated = try prices(header + "gpt-4o,2026-03-01,2.5,,,10\n")
        #expect(dated.price(forModel: "gpt-4o", at: utc(2026, 2, 28)) == nil)
        #expect(dated.price(forModel: "gpt-4o", at: nil)?.input == dec("2.5"))
    }
}

@Suite struct RecordPricingTests {
    let pricer: RecordPricer
    init() throws {
        pricer = RecordPricer(table: try prices(header + """
            anthropic/claude-sonnet-4*,,3,0.30,3.75,15
            gpt-4o-mini,,0.15,0.075,,0.60
            gpt-4o-mini,2026-06-01,0.10,0.05,,0.40
            flat,,2,,,4
            """))
    }

    @Test func costOfARecordWithoutLoggedCost() {
        // 1,000,000 input of which 200,000 cached, 500 output at $3 / $0.30 / $15 per Mtok:
        // 800,000 × 3 / 10⁶ = 2.4; 200,000 × 0.30 / 10⁶ = 0.06; 500 × 15 / 10⁶ = 0.0075;
        // total 2.4675. Savings: 200,000 × (3 − 0.30) / 10⁶ = 0.54.
        let r = priced(record(input: "1000000", cached: "200000", output: "500"), model: "anthropic/claude-sonnet-4", pricer)
        #expect(r.costUSD?.description == "2.4675")
        #expect(r.cacheSavingsUSD?.description == "0.54")
    }

    @Test func cacheWritesArePricedApart() {
        // 10,000 input: 1,000 cached, 4,000 written, 5,000 plain; 2,000 output.
        // 5,000 × 3 = 15,000; 1,000 × 0.30 = 300; 4,000 × 3.75 = 15,000; 2,000 × 15 = 30,000;
        // sum 60,300 / 10⁶ = 0.0603. Savings 1,000 × 2.70 / 10⁶ = 0.0027.
        let r = priced(record(input: "10000", cached: "1000", write: "4000", output: "2000"), model: "anthropic/claude-sonnet-4.5", pricer)
        #expect(r.costUSD?.description == "0.0603")
        #expect(r.cacheSavingsUSD?.description == "0.0027")
    }

    @Test func reasoningIsInsideOutputAndNotPricedTwice() {
        // 1,000 input × 2 + 1,000 output (of which 800 reasoning) × 4 = 6,000 / 10⁶ = 0.006.
        let r = priced(record(input: "1000", output: "1000", reasoning: "800"), model: "flat", pricer)
        #expect(r.costUSD?.description == "0.006")
        // No cached tokens: savings are zero, not absent.
        #expect(r.cacheSavingsUSD == .zero)
    }

    @Test func moreCachedThanInputPricesNoUncachedInput() {
        // cached 150 > input 100 (a cached_exceeds_input line): uncached input counts 0;
        // 150 × 0.30 = 45 / 10⁶ = 0.000045.
        let r = priced(record(input: "100", cached: "150"), model: "anthropic/claude-sonnet-4", pricer)
        #expect(r.costUSD?.description == "0.000045")
    }

    @Test func aLoggedCostIsKept() {
        let r = priced(record(input: "1000000", cached: "200000", output: "500", cost: "1.23"), model: "anthropic/claude-sonnet-4", pricer)
        #expect(r.costUSD == dec("1.23"))
        // The savings still follow the price table.
        #expect(r.cacheSavingsUSD?.description == "0.54")
    }

    @Test func theEffectiveDateFollowsTheRecordsTime() {
        // 1,000,000 input (100,000 cached) and 100,000 output.
        // Before 2026-06-01: 900,000 × 0.15 + 100,000 × 0.075 + 100,000 × 0.60 = 135,000 + 7,500 + 60,000
        // = 202,500 / 10⁶ = 0.2025. From then on: 900,000 × 0.10 + 100,000 × 0.05 + 100,000 × 0.40
        // = 90,000 + 5,000 + 40,000 = 135,000 / 10⁶ = 0.135.
        let before = priced(record(input: "1000000", cached: "100000", output: "100000", time: utc(2026, 5, 31, 23)), model: "gpt-4o-mini", pricer)
        let at = priced(record(input: "1000000", cached: "100000", output: "100000", time: utc(2026, 6, 1)), model: "gpt-4o-mini", pricer)
        let after = priced(record(input: "1000000", cached: "100000", output: "100000", time: utc(2026, 6, 2)), model: "gpt-4o-mini", pricer)
        #expect(before.costUSD?.description == "0.2025")
        #expect(at.costUSD?.description == "0.135")
        #expect(after.costUSD?.description == "0.135")
    }

    @Test func unknownOrMissingModelsStayUnpriced() {
        let unknown = priced(record(input: "1000", output: "10"), model: "mystery-model", pricer)
        #expect(unknown.costUSD == nil && unknown.cacheSavingsUSD == nil)
        let none = priced(record(input: "1000", output: "10"), model: nil, pricer)
        #expect(none.costUSD == nil && none.cacheSavingsUSD == nil)
        let empty = priced(record(input: "1000", output: "10"), model: "", pricer)
        #expect(empty.costUSD == nil)
    }

    @Test func escapedModelIdsAreUnescapedBeforeMatching() {
        // "fl\u0061t" is "flat": 1,000 × 2 / 10⁶ = 0.002.
        let r = priced(record(input: "1000"), model: "fl\\u0061t", pricer)
        #expect(r.costUSD?.description == "0.002")
    }

    @Test func measuresCountUnpricedRequestsAndSumSavings() {
        let m = summed([
            priced(record(input: "1000000", cached: "200000", output: "500"), model: "anthropic/claude-sonnet-4", pricer),
            priced(record(input: "1000", output: "10", cost: "0.5"), model: "mystery", pricer),
            priced(record(input: "1000", output: "10"), model: "mystery", pricer),
            priced(record(input: "1000", output: "10"), model: nil, pricer),
        ])
        #expect(m.requests == 4)
        #expect(m.unpricedRequests == 2)  // neither logged nor computable
        #expect(m.costUSD.description == "2.9675")  // 2.4675 computed + 0.5 logged
        #expect(m.cacheSavingsUSD.description == "0.54")
        #expect(m.savingsRequests == 1)
        var merged = Measures()
        let first = merged.merge(m), second = merged.merge(m)
        #expect(first && second)
        #expect(merged.unpricedRequests == 4 && merged.savingsRequests == 2 && merged.cacheSavingsUSD.description == "1.08")
    }
}

/// `--state` partials hold `Measures` as JSON: partials stored before `--prices` existed (no
/// savings keys) still load, and the savings survive a round trip.
@Suite struct StoredMeasuresTests {
    @Test func measuresWithoutSavingsKeysDecode() throws {
        let old = #"{"requests":2,"inputTokens":"10.000000000000000000","cachedInputTokens":"0.000000000000000000","cacheWriteTokens":"0.000000000000000000","outputTokens":"5.000000000000000000","reasoningTokens":"0.000000000000000000","totalTokens":"15.000000000000000000","costUSD":"0.500000000000000000","costedRequests":1}"#
        let measures = try JSONDecoder().decode(Measures.self, from: Data(old.utf8))
        #expect(measures.requests == 2 && measures.costedRequests == 1 && measures.costUSD == dec("0.5"))
        #expect(measures.cacheSavingsUSD == .zero && measures.savingsRequests == 0)
    }

    @Test func savingsRoundTrip() throws {
        var r = record(input: "100", cached: "40", output: "1", cost: "0.1")
        r.cacheSavingsUSD = dec("0.000123")
        let measures = summed([r])
        let decoded = try JSONDecoder().decode(Measures.self, from: try JSONEncoder().encode(measures))
        #expect(decoded == measures)
        #expect(decoded.savingsRequests == 1 && decoded.cacheSavingsUSD == dec("0.000123"))
    }
}

/// The 64-bit fast path (whole counts, prices with at most 12 decimals) and the general
/// 256-bit path give the same cost.
@Suite struct PriceFastPathTests {
    /// The cost term by term through `ExactDecimal.multiplied`, as docs/prices.md writes it.
    func general(_ r: UsageRecord, _ p: PriceRow) -> ExactDecimal {
        var cachedAndWritten = r.cachedInputTokens
        cachedAndWritten.add(r.cacheWriteTokens)
        let uncached = r.inputTokens.subtracting(cachedAndWritten) ?? .zero
        var total = ExactDecimal.zero
        for (tokens, price) in [(uncached, p.input), (r.cachedInputTokens, p.cachedInput), (r.cacheWriteTokens, p.cacheWrite), (r.outputTokens, p.output)] {
            total.add(tokens.multiplied(by: price, dividedByPowerOfTen: 6)!)
        }
        return total
    }

    @Test func bothPathsAgree() {
        var generator = SystemRandomNumberGenerator()
        let row = PriceRow(pattern: "m", input: dec("3.123456789012"), cachedInput: dec("0.3"), cacheWrite: dec("3.75"), output: dec("15"))
        #expect(row.rates != nil)
        for _ in 0..<2000 {
            let input = UInt64.random(in: 0...5_000_000_000, using: &generator)
            let cached = UInt64.random(in: 0...input, using: &generator)
            let written = UInt64.random(in: 0...(input - cached), using: &generator)
            let r = record(input: String(input), cached: String(cached), write: String(written), output: String(UInt64.random(in: 0...1_000_000_000, using: &generator)))
            #expect(row.cost(of: r) == general(r, row))
        }
        // Largest counts: (2⁶³−1) tokens at $15 / Mtok = 138350580552821.637105 — exact.
        let big = record(input: "0", output: "9223372036854775807")
        #expect(row.cost(of: big)?.description == "138350580552821.637105")
    }

    @Test func pricesBeyond12DecimalsAndFractionalCountsTakeTheGeneralPath() {
        // 13 decimals: not exact in 10⁻¹⁸ per token. 3 × 0.0000000000005 / 10⁶ = 1.5 · 10⁻¹⁸,
        // rounded half to even: 2 · 10⁻¹⁸.
        let fine = PriceRow(pattern: "m", input: dec("0.0000000000005"), output: .zero)
        #expect(fine.rates == nil)
        #expect(fine.cost(of: record(input: "3"))?.description == "0.000000000000000002")
        // A fractional count: 1321.53 × 0.15 / 10⁶ = 0.0001982295.
        let row = PriceRow(pattern: "m", input: dec("0.15"), output: .zero)
        #expect(row.rates != nil)
        #expect(row.cost(of: record(input: "1321.53"))?.description == "0.0001982295")
    }
}
