import Testing

@testable import UsageDecoding

// Stage 3's contract for single lines: every bad-line reason, the number rules and the
// line-level warnings of PRODUCT.md ("What it guarantees"), each with its exact outcome.
// Outcome strings are explained in DecoderTestSupport.swift.

/// A minimal valid usage object and the record it gives without a time.
let smallUsage = #"{"input_tokens":10,"output_tokens":5}"#
let smallRecord = "record in=10 out=5 total=15"

/// `{"usage":{"input_tokens":` — numbers under test start at byte offset 25.
let inputPrefix = #"{"usage":{"input_tokens":"#

@Suite struct UsageDecoderBadLineTests {
    @Test func prefixLength() {
        #expect(inputPrefix.utf8.count == 25)  // the byte offsets below rely on it
    }

    /// Counts that are not JSON numbers make the line invalid JSON, at the exact byte.
    @Test(arguments: [
        ("012", "invalid_json: number with a leading zero at byte 27"),
        ("-012", "invalid_json: number with a leading zero at byte 28"),
        ("+5", "invalid_json: unexpected character at byte 26"),
        ("NaN", "invalid_json: unexpected character at byte 26"),
        ("Infinity", "invalid_json: unexpected character at byte 26"),
        ("-Infinity", "invalid_json: number without digits at byte 27"),
        ("1.", "invalid_json: number without digits at byte 28"),
        (".5", "invalid_json: unexpected character at byte 26"),
        ("1e", "invalid_json: number without digits at byte 28"),
        ("0x1F", "invalid_json: ',' or '}' expected at byte 27"),
        ("1_000", "invalid_json: ',' or '}' expected at byte 27"),
    ])
    func numbersThatAreNotJSON(_ number: String, _ expected: String) {
        #expect(outcome(inputPrefix + number + #","output_tokens":5}}"#) == expected)
    }

    /// Counts that are JSON but not usable counts make the usage bad.
    @Test(arguments: [
        (#"-5"#, "bad_usage: usage.input_tokens is negative"),
        (#"-0.5"#, "bad_usage: usage.input_tokens is negative"),
        (#""12""#, "bad_usage: usage.input_tokens is a string, not a number"),
        (#"true"#, "bad_usage: usage.input_tokens is a boolean, not a number"),
        (#"false"#, "bad_usage: usage.input_tokens is a boolean, not a number"),
        (#"[12]"#, "bad_usage: usage.input_tokens is not a number"),
        (#"{"n":12}"#, "bad_usage: usage.input_tokens is not a number"),
        (#"null"#, "bad_usage: usage.input_tokens is null"),
        (#"1e400"#, "bad_usage: usage.input_tokens is above 2^63-1"),
        (#"9223372036854775808"#, "bad_usage: usage.input_tokens is above 2^63-1"),
        (#"9223372036854775807.5"#, "bad_usage: usage.input_tokens is above 2^63-1"),
        (#"1e19"#, "bad_usage: usage.input_tokens is above 2^63-1"),
    ])
    func countsThatAreNotUsable(_ number: String, _ expected: String) {
        #expect(outcome(inputPrefix + number + #","output_tokens":5}}"#) == expected)
    }

    @Test(arguments: [
        (#"{"usage":{"output_tokens":5}}"#, "bad_usage: usage.input_tokens is missing"),
        (#"{"usage":{"input_tokens":10}}"#, "bad_usage: usage.output_tokens is missing"),
        (#"{"usage":{"total_tokens":15}}"#, "bad_usage: usage.input_tokens is missing"),
        (#"{"usage":{"input_tokens":10,"output_tokens":null}}"#, "bad_usage: usage.output_tokens is null"),
        (#"{"usage":{"inputTokens":"5","outputTokens":1}}"#, "bad_usage: usage.inputTokens is a string, not a number"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5,"total_tokens":-1}}"#, "bad_usage: usage.total_tokens is negative"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5,"cost":"0.1"}}"#, "bad_usage: usage.cost is a string, not a number"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5,"cost":1e400}}"#, "bad_usage: usage.cost is above 2^63-1"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5,"input_tokens_details":{"cached_tokens":"3"}}}"#,
         "bad_usage: usage.input_tokens_details.cached_tokens is a string, not a number"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5,"output_tokens_details":{"reasoning_tokens":-1}}}"#,
         "bad_usage: usage.output_tokens_details.reasoning_tokens is negative"),
        // Details that are not objects.
        (#"{"usage":{"input_tokens":10,"output_tokens":5,"input_tokens_details":5}}"#,
         "bad_usage: usage.input_tokens_details is not an object"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5,"output_tokens_details":[]}}"#,
         "bad_usage: usage.output_tokens_details is not an object"),
        (#"{"usage":{"inputTokens":10,"outputTokens":5,"inputTokensDetails":"622"}}"#,
         "bad_usage: usage.inputTokensDetails is not an object"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5,"output_tokens_details":true}}"#,
         "bad_usage: usage.output_tokens_details is not an object"),
        // A usage that is not an object.
        (#"{"usage":"none"}"#, "bad_usage: usage is not an object"),
        (#"{"usage":[]}"#, "bad_usage: usage is not an object"),
        (#"{"usage":0}"#, "bad_usage: usage is not an object"),
        (#"{"usage":false}"#, "bad_usage: usage is not an object"),
    ])
    func malformedUsage(_ line: String, _ expected: String) {
        #expect(outcome(line) == expected)
    }

    @Test(arguments: [
        ("[]", "not_object: the line is JSON but not an object (it is an array)"),
        (#"[{"usage":{"input_tokens":10,"output_tokens":5}}]"#, "not_object: the line is JSON but not an object (it is an array)"),
        ("42", "not_object: the line is JSON but not an object (it is a number)"),
        (#""usage""#, "not_object: the line is JSON but not an object (it is a string)"),
        ("true", "not_object: the line is JSON but not an object (it is a boolean)"),
        ("false", "not_object: the line is JSON but not an object (it is a boolean)"),
        ("null", "not_object: the line is JSON but not an object (it is null)"),
        ("  [ ]  ", "not_object: the line is JSON but not an object (it is an array)"),
    ])
    func topLevelNotAnObject(_ line: String, _ expected: String) {
        #expect(outcome(line) == expected)
    }

    @Test(arguments: [
        ("", "invalid_json: the line ends inside a JSON value at byte 1"),
        (" \t", "invalid_json: the line ends inside a JSON value at byte 3"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5}"#, "invalid_json: the line ends inside a JSON value at byte 47"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5}}{"usage":{"input_tokens":10,"output_tokens":5}}"#,
         "invalid_json: more data after the JSON value at byte 48"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5}} x"#, "invalid_json: more data after the JSON value at byte 49"),
        (#"{"usage":{"input_tokens":10,"output_tokens":5}}}"#, "invalid_json: more data after the JSON value at byte 48"),
        (#"{"a":1,}"#, "invalid_json: object key (a string) expected at byte 8"),
        (#"{'a':1}"#, "invalid_json: object key (a string) expected at byte 2"),
        (#"{"a" 1}"#, "invalid_json: ':' expected after object key at byte 6"),
        (#"{"a":[1 2]}"#, "invalid_json: ',' or ']' expected at byte 9"),
        (#"{"a":tru}"#, "invalid_json: invalid literal (true, false or null expected) at byte 6"),
        (#"{"a":"\x"}"#, "invalid_json: invalid escape in string at byte 7"),
        ("{\"model\":\"a\tb\"}", "invalid_json: unescaped control character in string at byte 12"),
        ("{\"model\":\"a\u{0}b\"}", "invalid_json: unescaped control character in string at byte 12"),
        ("{\"model\":\"line\nbreak\"}", "invalid_json: unescaped control character in string at byte 15"),
    ])
    func notOneJSONValue(_ line: String, _ expected: String) {
        #expect(outcome(line) == expected)
    }

    @Test(arguments: [
        (bytes("{\"model\":\"\u{FFFF}\",\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}", [0xFF]), "invalid_utf8: invalid UTF-8 at byte 11"),
        (bytes("{\"model\":\"\u{FFFF}\"}", [0xC0, 0xAF]), "invalid_utf8: invalid UTF-8 at byte 11"),  // overlong
        (bytes("{\"model\":\"\u{FFFF}\"}", [0xED, 0xA0, 0x80]), "invalid_utf8: invalid UTF-8 at byte 11"),  // surrogate
        (bytes("{\"model\":\"\u{FFFF}\"}", [0xF4, 0x90, 0x80, 0x80]), "invalid_utf8: invalid UTF-8 at byte 11"),  // > U+10FFFF
        (bytes("{\"model\":\"\u{FFFF}\"}", [0xE2, 0x82]), "invalid_utf8: invalid UTF-8 at byte 11"),  // truncated
        (bytes("{\"model\":\"\u{FFFF}", [0xE2, 0x82]), "invalid_utf8: invalid UTF-8 at byte 11"),  // truncated by the line end
        (bytes("{\"\u{FFFF}\":1}", [0x80]), "invalid_utf8: invalid UTF-8 at byte 3"),  // in a key
        (bytes("{\"a\":1}\u{FFFF}", [0xFF]), "invalid_utf8: invalid UTF-8 at byte 8"),  // outside strings
        (bytes("{\"a\":\u{FFFF}}", [0xFE]), "invalid_utf8: invalid UTF-8 at byte 6"),
    ])
    func invalidUTF8(_ line: [UInt8], _ expected: String) {
        #expect(outcome(line) == expected)
    }

    @Test func nestingLimit() {
        let inner255 = String(repeating: "[", count: 255) + String(repeating: "]", count: 255)
        #expect(outcome(#"{"a":"# + inner255 + "}") == "no_usage")  // 256 levels
        let inner256 = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(outcome(#"{"a":"# + inner256 + "}") == "too_deep: nesting deeper than the limit at byte 261")
        #expect(outcome([UInt8](repeating: UInt8(ascii: "["), count: 100_000)) == "too_deep: nesting deeper than the limit at byte 257")
        let objects = String(repeating: #"{"usage":"#, count: 100_000)
        #expect(outcome(objects) == "too_deep: nesting deeper than the limit at byte 2305")  // 256 × 9 bytes + 1
    }

    @Test func aConfiguredNestingLimit() {
        let three = DecoderConfiguration(maxDepth: 3)
        #expect(outcome(#"{"a":{"b":{}}}"#, three) == "no_usage")
        #expect(outcome(#"{"a":{"b":{"c":{}}}}"#, three) == "too_deep: nesting deeper than the limit at byte 16")
        // The usage object is a level too.
        #expect(outcome(#"{"response":{"usage":{"input_tokens":1,"output_tokens":2}}}"#, three) == "record in=1 out=2 total=3 [missing_timestamp]")
        #expect(outcome(#"{"response":{"usage":{"input_tokens":1,"output_tokens":2,"output_tokens_details":{}}}}"#, three)
            == "too_deep: nesting deeper than the limit at byte 82")
    }
}

@Suite struct UsageDecoderNumberTests {
    @Test(arguments: [
        ("1e3", "1000"), ("12.0", "12"), ("-0", "0"), ("1E+3", "1000"), ("0.0", "0"), ("1321.0", "1321"),
        ("1.321e3", "1321"), ("9223372036854775807", "9223372036854775807"),
    ])
    func wholeNumbersInAnySpellingAreIntegersWithoutWarning(_ number: String, _ value: String) {
        #expect(outcome(inputPrefix + number + #","output_tokens":0}}"#)
            == "record in=\(value) out=0 total=\(value) [missing_timestamp]")
    }

    @Test func fractionalCountsAreKeptAndFlagged() {
        #expect(outcome(usageLine(#"{"input_tokens":1321.53,"output_tokens":10}"#))
            == "record in=1321.53 out=10 total=1331.53 [fractional_count, missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":1e-400,"output_tokens":10}"#))
            == "record in=0 out=10 total=10 [fractional_count, missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"input_tokens_details":{"cached_tokens":0.5}}"#))
            == "record in=10 out=5 total=15 cached=0.5 [fractional_count, missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":0.5,"output_tokens":0.5,"total_tokens":1}"#))
            == "record in=0.5 out=0.5 total=1 [fractional_count, missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":1,"output_tokens":1,"total_tokens":2.5}"#))
            == "record in=1 out=1 total=2.5 [total_mismatch, fractional_count, missing_timestamp]")
    }

    @Test func fractionalCostsAreNormal() {
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"cost":0.0123}"#))
            == "record in=10 out=5 total=15 cost=0.0123 [missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"cost":4.05e-06}"#))
            == "record in=10 out=5 total=15 cost=0.00000405 [missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"cost":0.00022500000000000002}"#))
            == "record in=10 out=5 total=15 cost=0.000225 [missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"cost":0}"#))
            == "record in=10 out=5 total=15 cost=0 [missing_timestamp]")
    }

    @Test func theLargestCountsSumBeyondInt64() {
        #expect(outcome(usageLine(#"{"input_tokens":9223372036854775807,"output_tokens":9223372036854775807}"#))
            == "record in=9223372036854775807 out=9223372036854775807 total=18446744073709551614 [missing_timestamp]")
    }

    @Test func whitespaceAroundTheValue() {
        #expect(outcome(" \t {\"usage\" : {\"input_tokens\" : 10 , \"output_tokens\" : 5 } } \t\r") == smallRecord + " [missing_timestamp]")
    }

    @Test func anEmptyObjectHasNoUsage() {
        #expect(outcome("{}") == "no_usage")
        #expect(outcome(#"{"type":"health","status":"ok"}"#) == "no_usage")
    }

    @Test func validMultiByteUTF8IsKept() {
        let configuration = DecoderConfiguration(valueFields: [.model])
        let decoded = decode(#"{"model":"日本語 é 😀 \u00e9","usage":{"input_tokens":10,"output_tokens":5}}"#, configuration)
        #expect(decoded.outcome == smallRecord + " [missing_timestamp]")
        #expect(decoded.values == [#""日本語 é 😀 \u00e9""#])
    }
}

@Suite struct UsageDecoderWarningTests {
    @Test func totalMismatchKeepsTheReportedTotal() {
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"total_tokens":20}"#))
            == "record in=10 out=5 total=20 [total_mismatch, missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"total_tokens":15}"#))
            == "record in=10 out=5 total=15 [missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"total_tokens":null}"#))
            == "record in=10 out=5 total=15 [missing_timestamp]")
    }

    @Test func cachedAboveInputAndReasoningAboveOutput() {
        #expect(outcome(usageLine(#"{"input_tokens":10,"input_tokens_details":{"cached_tokens":11},"output_tokens":5}"#))
            == "record in=10 out=5 total=15 cached=11 [cached_exceeds_input, missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":10,"input_tokens_details":{"cached_tokens":10},"output_tokens":5}"#))
            == "record in=10 out=5 total=15 cached=10 [missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"output_tokens_details":{"reasoning_tokens":6}}"#))
            == "record in=10 out=5 total=15 reasoning=6 [reasoning_exceeds_output, missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"output_tokens_details":{"reasoning_tokens":5}}"#))
            == "record in=10 out=5 total=15 reasoning=5 [missing_timestamp]")
    }

    @Test func everyWarningAtOnce() {
        // The first input_tokens (1.5) is replaced by the second, so its fraction does not count;
        // the fractional cached count does.
        let line = #"{"timestamp":"never","usage":{"input_tokens":1.5,"input_tokens":2,"input_tokens_details":{"cached_tokens":3.5},"#
            + #""output_tokens":1,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":9}}"#
        #expect(outcome(line) == "record in=2 out=1 total=9 cached=3.5 reasoning=4 "
            + "[duplicate_key, total_mismatch, fractional_count, cached_exceeds_input, reasoning_exceeds_output, invalid_timestamp]")
    }

    @Test func nullDetailsAreAbsent() {
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"input_tokens_details":null,"output_tokens_details":null}"#))
            == smallRecord + " [missing_timestamp]")
    }
}

@Suite struct UsageDecoderDuplicateKeyTests {
    @Test(arguments: [
        (#"{"usage":{"input_tokens":1,"output_tokens":2},"usage":null}"#, "no_usage [duplicate_key]"),
        (#"{"usage":null,"usage":{"input_tokens":1,"output_tokens":2}}"#, "record in=1 out=2 total=3 [duplicate_key, missing_timestamp]"),
        (#"{"usage":{"input_tokens":1,"input_tokens":7,"output_tokens":2}}"#, "record in=7 out=2 total=9 [duplicate_key, missing_timestamp]"),
        (#"{"usage":{"input_tokens":1,"output_tokens":2,"output_tokens":-1}}"#, "bad_usage: usage.output_tokens is negative"),
        (#"{"usage":{"input_tokens":1,"output_tokens":-1,"output_tokens":2}}"#, "record in=1 out=2 total=3 [duplicate_key, missing_timestamp]"),
        // The second usage object replaces the first entirely: its details are gone too.
        (#"{"usage":{"input_tokens":10,"output_tokens":2,"input_tokens_details":{"cached_tokens":5}},"usage":{"input_tokens":3,"output_tokens":4}}"#,
         "record in=3 out=4 total=7 [duplicate_key, missing_timestamp]"),
        (#"{"usage":{"input_tokens":10,"output_tokens":2,"input_tokens_details":{"cached_tokens":5,"cached_tokens":6}}}"#,
         "record in=10 out=2 total=12 cached=6 [duplicate_key, missing_timestamp]"),
        (#"{"timestamp":"2026-11-28T09:15:02Z","timestamp":"bogus","usage":{"input_tokens":10,"output_tokens":5}}"#,
         "record in=10 out=5 total=15 [duplicate_key, invalid_timestamp]"),
        (#"{"timestamp":"bogus","timestamp":"2026-11-28T09:15:02Z","usage":{"input_tokens":10,"output_tokens":5}}"#,
         "record in=10 out=5 total=15 time=1795857302 [duplicate_key]"),
        (#"{"type":"response.completed","type":"response.output_text.delta","response":{"usage":{"input_tokens":1,"output_tokens":2}}}"#,
         "no_usage [duplicate_key]"),
        (#"{"response":{"usage":{"input_tokens":1,"output_tokens":2}},"response":{"id":"x"}}"#, "no_usage [duplicate_key]"),
    ])
    func lastOneWins(_ line: String, _ expected: String) {
        #expect(outcome(line) == expected)
    }

    @Test func aDuplicateModelGivesTheLastValue() {
        let decoded = decode(#"{"model":"first","usage":{"input_tokens":10,"output_tokens":5},"model":"second"}"#,
                             DecoderConfiguration(valueFields: [.model]))
        #expect(decoded.outcome == smallRecord + " [duplicate_key, missing_timestamp]")
        #expect(decoded.values == [#""second""#])
    }
}

@Suite struct UsageDecoderEscapedKeyTests {
    @Test(arguments: [
        (#"{"usage":{"input\u005ftokens":4,"output_tokens":1}}"#, "record in=4 out=1 total=5 [missing_timestamp]"),
        (#"{"\u0075sage":{"input_tokens":4,"output\u005Ftokens":1}}"#, "record in=4 out=1 total=5 [missing_timestamp]"),
        (#"{"usage":{"input_tokens":1,"input\u005ftokens":2,"output_tokens":1}}"#, "record in=2 out=1 total=3 [duplicate_key, missing_timestamp]"),
        (#"{"usage":{"input_tokens":4,"output_tokens":1,"input_tokens_d\u0065tails":{"cached_\u0074okens":2}}}"#,
         "record in=4 out=1 total=5 cached=2 [missing_timestamp]"),
        (#"{"type":"response\u002ecompleted","response":{"usage":{"input_tokens":4,"output_tokens":1}}}"#,
         "record in=4 out=1 total=5 [missing_timestamp]"),
        (#"{"t\u0069mestamp":1795857302,"usage":{"input_tokens":4,"output_tokens":1}}"#, "record in=4 out=1 total=5 time=1795857302"),
        // Escapes that spell something else are other keys.
        (#"{"usage":{"input_tokens\u0020":4,"output_tokens":1}}"#, "bad_usage: usage.input_tokens is missing"),
    ])
    func keysCompareAfterUnescaping(_ line: String, _ expected: String) {
        #expect(outcome(line) == expected)
    }
}

@Suite struct UsageDecoderReuseTests {
    @Test func nothingLeaksFromOneLineToTheNext() {
        let decoder = UsageDecoder(configuration: DecoderConfiguration(valueFields: [.model, .key]))
        let first = decode(Array(#"{"model":"m","api_key":"k","timestamp":1795857302,"usage":{"input_tokens":1,"input_tokens":2,"output_tokens":3}}"#.utf8), with: decoder)
        #expect(first.outcome == "record in=2 out=3 total=5 time=1795857302 [duplicate_key]")
        #expect(first.values == [#""m""#, #""k""#])
        let second = decode(Array(#"{"usage":{"input_tokens":4,"output_tokens":5}}"#.utf8), with: decoder)
        #expect(second.outcome == "record in=4 out=5 total=9 [missing_timestamp]")
        #expect(second.values == [nil, nil])
        #expect(decode(Array("[".utf8), with: decoder).outcome == "invalid_json: the line ends inside a JSON value at byte 2")
        let third = decode(Array(#"{"response":{"model":"r","usage":{"input_tokens":6,"output_tokens":7}}}"#.utf8), with: decoder)
        #expect(third.outcome == "record in=6 out=7 total=13 [missing_timestamp]")
        #expect(third.values == [#""r""#, nil])
    }
}
