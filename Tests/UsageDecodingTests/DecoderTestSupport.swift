import TallyPrimitives
import Testing

@testable import UsageDecoding

// Helpers shared by the UsageDecoding tests. Outcomes are turned into short, complete
// strings so each test states the exact expected result in one place:
//
//   record in=1321 out=6590 total=7911 cached=622 reasoning=5408 cost=0.0123 time=1795857302 [total_mismatch]
//   no_usage [duplicate_key]
//   bad_usage: usage.input_tokens is negative
//
// In a record, `in`, `out` and `total` are always shown; `cached`, `write` and `reasoning`
// only when non-zero; `cost` and `time` only when present; warnings only when there are any.

/// Warning names as the run report spells them (PRODUCT.md), in report order; written out
/// here rather than taken from `LineWarnings.all`, so the names themselves are tested.
let warningNames: [(LineWarnings, String)] = [
    (.duplicateKey, "duplicate_key"),
    (.totalMismatch, "total_mismatch"),
    (.fractionalCount, "fractional_count"),
    (.cachedExceedsInput, "cached_exceeds_input"),
    (.reasoningExceedsOutput, "reasoning_exceeds_output"),
    (.missingTimestamp, "missing_timestamp"),
    (.invalidTimestamp, "invalid_timestamp"),
    (.valueTruncated, "value_truncated"),
    (.invalidLatency, "invalid_latency"),
]

func describe(_ warnings: LineWarnings) -> String {
    let names = warningNames.filter { warnings.contains($0.0) }.map(\.1)
    var known: LineWarnings = []
    for (warning, _) in warningNames { known.formUnion(warning) }
    let unknown = warnings.subtracting(known).isEmpty ? [] : ["unknown(\(warnings.subtracting(known).rawValue))"]
    let all = names + unknown
    return all.isEmpty ? "" : " [" + all.joined(separator: ", ") + "]"
}

func describe(_ outcome: LineOutcome) -> String {
    switch outcome {
    case .record(let r):
        var text = "record in=\(r.inputTokens) out=\(r.outputTokens) total=\(r.totalTokens)"
        if r.cachedInputTokens != .zero { text += " cached=\(r.cachedInputTokens)" }
        if r.cacheWriteTokens != .zero { text += " write=\(r.cacheWriteTokens)" }
        if r.reasoningTokens != .zero { text += " reasoning=\(r.reasoningTokens)" }
        if let cost = r.costUSD { text += " cost=\(cost)" }
        if let time = r.time { text += " time=\(time)" }
        return text + describe(r.warnings)
    case .noUsage(let warnings):
        return "no_usage" + describe(warnings)
    case .bad(let bad):
        return "\(bad.reason.rawValue): \(bad.message)"
    }
}

/// What one decoded line gave: the outcome and the raw JSON text of each value field.
struct Decoded {
    var outcome: String
    /// `configuration.valueFields[i]`'s value as raw JSON text (`"\"gpt-4\""`, `"200"`), or nil.
    var values: [String?]
}

/// Decodes one line with a fresh decoder.
func decode(_ bytes: [UInt8], _ configuration: DecoderConfiguration = DecoderConfiguration()) -> Decoded {
    let decoder = UsageDecoder(configuration: configuration)
    return decode(bytes, with: decoder)
}

/// Decodes one line with a given decoder (to test that nothing leaks from line to line).
func decode(_ bytes: [UInt8], with decoder: UsageDecoder) -> Decoded {
    bytes.withUnsafeBytes { line in
        let outcome = decoder.decode(line)
        var values: [String?] = []
        if case .record = outcome {
            for index in decoder.configuration.valueFields.indices {
                values.append(decoder.value(index).map { rawText($0, in: line) })
            }
        }
        return Decoded(outcome: describe(outcome), values: values)
    }
}

func decode(_ text: String, _ configuration: DecoderConfiguration = DecoderConfiguration()) -> Decoded {
    decode(Array(text.utf8), configuration)
}

/// The outcome of one line, as a string.
func outcome(_ text: String, _ configuration: DecoderConfiguration = DecoderConfiguration()) -> String {
    decode(text, configuration).outcome
}

func outcome(_ bytes: [UInt8], _ configuration: DecoderConfiguration = DecoderConfiguration()) -> String {
    decode(bytes, configuration).outcome
}

/// The bytes a span covers, as text.
func rawText(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer) -> String {
    String(decoding: line[Int(span.start)..<Int(span.end)], as: UTF8.self)
}

/// `text` as UTF-8 with raw bytes spliced in where `\u{FFFF}` placeholders stand (so invalid
/// UTF-8 can be written inline): `bytes("{\"a\":\"\u{FFFF}\"}", [0xFF])`.
func bytes(_ text: String, _ raw: [UInt8]...) -> [UInt8] {
    var result: [UInt8] = []
    var pieces = raw.makeIterator()
    for scalar in text.unicodeScalars {
        if scalar == "\u{FFFF}" {
            result += pieces.next() ?? []
        } else {
            result += Array(String(scalar).utf8)
        }
    }
    return result
}

/// A line with the usage object `{"input_tokens":…}` given as text after `"usage":`.
func usageLine(_ usage: String, extra: String = "") -> String {
    "{\(extra)\"usage\":\(usage)}"
}
