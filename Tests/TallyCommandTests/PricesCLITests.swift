import Foundation
import TestSupport
import Testing

/// `--prices` through the binary (issue 6, part 4): summarize and merge, a bad price file is a
/// usage error naming its line, the sample price file parses.
@Suite struct PricesCLITests {
    static let prices = """
        model,effective_from,input_per_mtok,cached_input_per_mtok,cache_write_per_mtok,output_per_mtok
        openai/gpt-4o,,2.5,1.25,,10

        """
    static let header = "day,model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd"

    /// 1,000 input × 2.5 + 100 output × 10 = 3,500 / 10⁶ = 0.0035; the unknown model is
    /// unpriced; the logged cost 0.02 is kept.
    @Test func summarizeAppendsThePriceColumns() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("prices.csv", Self.prices)
        try scratch.write("log.jsonl", [
            usageLine(input: 1000, output: 100),
            usageLine(model: "openai/gpt-4o", input: 1000, output: 100, cost: "0.02"),
            usageLine(model: "acme/unknown", input: 5, output: 5),
        ].joined(separator: "\n") + "\n")
        let result = try tokentally(["summarize", "log.jsonl", "--prices", "prices.csv"], in: scratch.url)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == Self.header + ",unpriced_requests,cache_savings_usd\n"
            + "2026-11-28,acme/unknown,1,5,0,0,5,0,10,,1,\n"
            + "2026-11-28,openai/gpt-4o,2,2000,0,0,200,0,2200,0.0235,0,0\n")
        let plain = try tokentally(["summarize", "log.jsonl"], in: scratch.url)
        #expect(plain.stdout == Self.header + "\n"
            + "2026-11-28,acme/unknown,1,5,0,0,5,0,10,\n"
            + "2026-11-28,openai/gpt-4o,2,2000,0,0,200,0,2200,0.02\n")
    }

    @Test("a bad price file is a usage error naming its line", arguments: [
        ("model,input_per_mtok,output_per_mtok\ngpt-4o,2.5\n", "--prices prices.csv:2: expected 3 fields, found 2"),
        ("model,input_per_mtok\n", "--prices prices.csv:1: missing column \"output_per_mtok\""),
        ("model,input_per_mtok,output_per_mtok\ngpt-4o,two,10\n", "--prices prices.csv:2: input_per_mtok \"two\" is not a non-negative decimal number"),
    ])
    func badPriceFiles(_ text: String, _ message: String) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("prices.csv", text)
        try scratch.write("log.jsonl", usageLine(input: 1, output: 1) + "\n")
        let result = try tokentally(["summarize", "log.jsonl", "--prices", "prices.csv", "-o", "out.csv"], in: scratch.url)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        #expect(result.stderrLines.first == "Error: " + message)
        #expect(try scratch.names() == ["log.jsonl", "prices.csv"])
    }

    @Test func aMissingPriceFileIsAUsageError() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("log.jsonl", usageLine(input: 1, output: 1) + "\n")
        let result = try tokentally(["summarize", "log.jsonl", "--prices", "none.csv"], in: scratch.url)
        #expect(result.status == 64)
        #expect(result.stderrLines.first == "Error: --prices none.csv: cannot read: No such file or directory")
    }

    /// Merge takes `--prices` like summarize; a state made with prices is merged with the same
    /// prices, and refused without them.
    @Test func mergeTakesThePricesItsStatesWereMadeWith() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("prices.csv", Self.prices)
        try scratch.write("a/log.jsonl", usageLine(input: 1000, output: 100) + "\n")
        try scratch.write("b/log.jsonl", usageLine(time: "2026-11-29T10:00:00Z", input: 2000, output: 0) + "\n")
        for host in ["a", "b"] {
            let run = try tokentally(["summarize", "\(host)/log.jsonl", "--prices", "prices.csv", "--state", "\(host)-state", "-o", "\(host).csv"], in: scratch.url)
            #expect(run.status == 0)
        }
        let merged = try tokentally(["merge", "a-state", "b-state", "--prices", "prices.csv"], in: scratch.url)
        #expect(merged.status == 0)
        // The 29th: 2,000 × 2.5 / 10⁶ = 0.005.
        #expect(merged.stdout == Self.header + ",unpriced_requests,cache_savings_usd\n"
            + "2026-11-28,openai/gpt-4o,1,1000,0,0,100,0,1100,0.0035,0,0\n"
            + "2026-11-29,openai/gpt-4o,1,2000,0,0,0,0,2000,0.005,0,0\n")
        let refused = try tokentally(["merge", "a-state", "b-state"], in: scratch.url)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("made with other options"))
    }

    /// The sample price file parses and prices most of the samples.
    @Test func theSamplePriceFileParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try tokentally(
            ["summarize", "samples", "--by", "model", "--prices", "samples/prices-2026-11.csv", "-q"], in: root)
        #expect(result.status == 2)  // the samples hold bad lines on purpose
        #expect(result.stdout.hasPrefix("model,requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd,unpriced_requests,cache_savings_usd\n"))
        #expect(result.stdout.contains("\nclaude-sonnet-4-5-20250929,11,153796,137622,13861,6648,2304,160444,0.19992435,0,0.3715794\n"))
    }
}
