import Foundation
import TallyPipeline
import TestSupport
import Testing
import UsageAggregation

/// `--prices` through the whole pipeline (issue 6, part 4). Every figure is worked out by hand
/// in the comments, from the price table below.
@Suite struct PricesPipelineTests {
    static let priceText = """
        # test prices
        model,effective_from,input_per_mtok,cached_input_per_mtok,cache_write_per_mtok,output_per_mtok
        claude-sonnet-4*,,3,0.30,3.75,15
        openai/gpt-4o-mini,,0.15,0.075,,0.60
        gpt-4o,,5,2.5,,15
        gpt-4o,2026-11-28,2.5,1.25,,10

        """

    static func table(_ text: String = priceText) throws -> PriceTable {
        try PriceTable.parse(Array(text.utf8), path: "prices.csv")
    }

    static let lines = [
        // Anthropic usage, no cost: input 800,000 + 200,000 cache read = 1,000,000, output 500.
        // 800,000 × 3 + 200,000 × 0.30 + 500 × 15 = 2,400,000 + 60,000 + 7,500 = 2,467,500 / 10⁶
        // = 2.4675; savings 200,000 × 2.70 / 10⁶ = 0.54.
        #"{"timestamp":"2026-11-28T10:00:00Z","type":"message","id":"m1","model":"claude-sonnet-4-5","usage":{"input_tokens":800000,"cache_read_input_tokens":200000,"cache_creation_input_tokens":0,"output_tokens":500}}"#,
        // OpenRouter with a logged cost: kept (0.5); savings 400 × (0.15 − 0.075) / 10⁶ = 0.00003.
        #"{"timestamp":"2026-11-28T11:00:00Z","model":"openai/gpt-4o-mini","usage":{"input_tokens":1000,"input_tokens_details":{"cached_tokens":400},"output_tokens":100,"cost":0.5}}"#,
        // gpt-4o an hour before the price change (2026-11-27 23:00 UTC), at the old prices:
        // 8,000 × 5 + 2,000 × 2.5 + 1,000 × 15 = 40,000 + 5,000 + 15,000 = 60,000 / 10⁶ = 0.06;
        // savings 2,000 × 2.5 / 10⁶ = 0.005.
        #"{"object":"chat.completion","created":1795820400,"model":"gpt-4o","usage":{"prompt_tokens":10000,"completion_tokens":1000,"prompt_tokens_details":{"cached_tokens":2000}}}"#,
        // The same at the change (2026-11-28 00:00 UTC), at the new prices:
        // 8,000 × 2.5 + 2,000 × 1.25 + 1,000 × 10 = 20,000 + 2,500 + 10,000 = 32,500 / 10⁶ = 0.0325;
        // savings 2,000 × 1.25 / 10⁶ = 0.0025.
        #"{"object":"chat.completion","created":1795824000,"model":"gpt-4o","usage":{"prompt_tokens":10000,"completion_tokens":1000,"prompt_tokens_details":{"cached_tokens":2000}}}"#,
        // A model without a price: unpriced without a logged cost, priced by its log with one.
        #"{"timestamp":"2026-11-28T12:00:00Z","model":"mystery-1","usage":{"input_tokens":1000,"output_tokens":10}}"#,
        #"{"timestamp":"2026-11-28T13:00:00Z","model":"mystery-1","usage":{"input_tokens":1000,"output_tokens":10,"cost":0.25}}"#,
    ]

    static let header = "day,model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd,unpriced_requests,cache_savings_usd\n"

    @Test func costsUnpricedRequestsAndSavingsByDayAndModel() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("log.jsonl", Self.lines.joined(separator: "\n") + "\n")
        let run = try runPipeline([log], prices: try Self.table())
        #expect(run.csv == Self.header + """
            2026-11-27,gpt-4o,1,10000,2000,0,1000,0,11000,0.06,0,0.005
            2026-11-28,claude-sonnet-4-5,1,1000000,200000,0,500,0,1000500,2.4675,0,0.54
            2026-11-28,gpt-4o,1,10000,2000,0,1000,0,11000,0.0325,0,0.0025
            2026-11-28,mystery-1,2,2000,0,0,20,0,2020,0.25,1,
            2026-11-28,openai/gpt-4o-mini,1,1000,400,0,100,0,1100,0.5,0,0.00003

            """)
        #expect(run.report.exitCode == 0)
    }

    /// The model is read for pricing even when it is not a group column.
    @Test func pricesWithoutAModelColumn() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("log.jsonl", Self.lines.joined(separator: "\n") + "\n")
        let run = try runPipeline([log], by: "day", prices: try Self.table())
        // The 28th: cost 2.4675 + 0.5 + 0.0325 + 0.25 = 3.25; savings 0.54 + 0.00003 + 0.0025
        // = 0.54253; one unpriced request.
        #expect(run.csv == """
            day,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd,unpriced_requests,cache_savings_usd
            2026-11-27,1,10000,2000,0,1000,0,11000,0.06,0,0.005
            2026-11-28,5,1013000,202400,0,1620,0,1014620,3.25,1,0.54253

            """)
    }

    /// Without `--prices` nothing changes: schema v1's columns, logged costs only.
    @Test func withoutPricesTheOutputIsSchemaV1() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("log.jsonl", Self.lines.joined(separator: "\n") + "\n")
        let run = try runPipeline([log], by: "day")
        #expect(run.csv == """
            day,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd
            2026-11-27,1,10000,2000,0,1000,0,11000,
            2026-11-28,5,1013000,202400,0,1620,0,1014620,0.75

            """)
    }

    @Test func threadsAndBatchSizesDoNotChangeTheOutput() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("log.jsonl", String(repeating: Self.lines.joined(separator: "\n") + "\n", count: 50))
        let table = try Self.table()
        let one = try runPipeline([log], threads: 1, prices: table)
        let four = try runPipeline([log], threads: 4, batchBytes: 700, prices: table)
        #expect(one.csv == four.csv)
        #expect(one.csv.contains("2026-11-28,mystery-1,100,100000,0,0,1000,0,101000,12.5,50,\n"))
    }

    /// Deduplicated records are priced as the copy that is finally counted: Claude Code's last
    /// (largest) copy, not the first.
    @Test func theDeduplicationWinnerIsPriced() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = try scratch.write("claude.jsonl", ClaudeCodePipelineTests.lines.prefix(8).joined(separator: "\n") + "\n")
        let run = try runPipeline([log], by: "day", prices: try Self.table())
        // Message A (bucket: its first copy, the 28th): the winner has output 299 and input
        // 4 + 1,000 cache read + 100 cache write: 4 × 3 + 1,000 × 0.30 + 100 × 3.75 + 299 × 15
        // = 12 + 300 + 375 + 4,485 = 5,172 / 10⁶ = 0.005172 (the first copy, output 10, would
        // cost 0.000837); savings 1,000 × 2.70 / 10⁶ = 0.0027.
        // Message B (the 29th): output 120, input 10: 30 + 1,800 = 1,830 / 10⁶ = 0.00183; no
        // cached input, so savings 0.
        #expect(run.csv == """
            day,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd,unpriced_requests,cache_savings_usd
            2026-11-28,1,1104,1000,100,299,0,1403,0.005172,0,0.0027
            2026-11-29,1,10,0,0,120,0,130,0.00183,0,0

            """)
        #expect(run.report.totals.duplicatesDropped == 6)
    }

    /// A state made with other prices is not reused: the inputs are read again and priced anew.
    @Test func changedPricesInvalidateTheState() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        _ = try scratch.write("logs/a.jsonl", Self.lines.joined(separator: "\n") + "\n")
        let logs = scratch.path("logs"), state = scratch.path("state")
        let first = try runPipeline([logs], by: "day", state: state, prices: try Self.table())
        #expect(first.report.files.map(\.origin) == [.read])
        let again = try runPipeline([logs], by: "day", state: state, prices: try Self.table())
        #expect(again.report.files.map(\.origin) == [.unchanged])
        #expect(again.csv == first.csv)

        // Claude output at $30 instead of $15: 2.4675 + 500 × 15 / 10⁶ = 2.475 on the 28th, so
        // 3.25 + 0.0075 = 3.2575.
        let changed = try Self.table(Self.priceText.replacingOccurrences(of: "3.75,15", with: "3.75,30"))
        let repriced = try runPipeline([logs], by: "day", state: state, prices: changed)
        #expect(repriced.report.files.map(\.origin) == [.read])
        #expect(repriced.csv.contains("2026-11-28,5,1013000,202400,0,1620,0,1014620,3.2575,1,0.54253\n"))
        #expect(repriced.csv == (try runPipeline([logs], by: "day", prices: changed).csv))

        // And back to no prices: other options again.
        let plain = try runPipeline([logs], by: "day", state: state)
        #expect(plain.report.files.map(\.origin) == [.read])
        #expect(plain.csv == (try runPipeline([logs], by: "day").csv))
    }
}
