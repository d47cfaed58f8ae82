import TallyPrimitives
import Testing

@testable import UsageDecoding

// Latency in milliseconds (`UsageRecord.latencyMS`), read only with `readsLatency` (`--stats`):
// `--field latency=`, else per level, outermost first, `latency_ms` or `endTime` − `startTime`.
// Every expected figure is worked out by hand in the comment next to it.

/// A decoder configuration that reads latency.
let readingLatency = DecoderConfiguration(readsLatency: true)

/// A usage object for lines whose usage does not matter.
let someUsage = #""usage":{"input_tokens":3,"output_tokens":4}"#

/// What a line's record says about latency: `"2154"`, `"nil"`, `"nil [invalid_latency]"`, or
/// the outcome when the line is not a record. Other warnings are left out.
func latency(_ line: String, _ configuration: DecoderConfiguration = readingLatency) -> String {
    let decoder = UsageDecoder(configuration: configuration)
    return Array(line.utf8).withUnsafeBytes { bytes in
        let outcome = decoder.decode(bytes)
        guard case .record(let record) = outcome else { return describe(outcome) }
        let text = record.latencyMS.map { String($0) } ?? "nil"
        return record.warnings.contains(.invalidLatency) ? text + " [invalid_latency]" : text
    }
}

/// A line with `fields` next to a usage object at the top level.
func latencyLine(_ fields: String) -> String { "{\(fields),\(someUsage)}" }

@Suite struct LatencyPairTests {
    /// LiteLLM's `StandardLoggingPayload`: naive times with microseconds, flat counts, and
    /// the provider's response nested.
    @Test func liteLLMStandardLoggingPayload() {
        let line = #"{"id":"chatcmpl-2299b6a2","call_type":"acompletion","cache_hit":null,"stream":false,"status":"success","#
            + #""custom_llm_provider":"openai","startTime":"2025-01-24 09:20:46.847371","endTime":"2025-01-24 09:20:49.001","#
            + #""completionStartTime":"2025-01-24 09:20:48.502","response_time":2.153629,"model":"gpt-4o","#
            + #""metadata":{"user_api_key_hash":"88dc"},"prompt_tokens":10,"completion_tokens":20,"total_tokens":30,"#
            + #""response_cost":0.00022,"response":{"id":"chatcmpl-2299b6a2","usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}}"#
        // 46.847371 s truncates to 46.847 s; 49.001 − 46.847 = 2.154 s = 2154 ms.
        #expect(latency(line) == "2154")
        // Time: 2025-01-24 is day 55·365 + 14 leap days (1972…2024) + 23 = 20112 since 1970;
        // 20112·86400 + 9·3600 + 20·60 + 46 = 1737676800 + 33646 = 1737710446.
        #expect(outcome(line, readingLatency) == "record in=10 out=20 total=30 cost=0.00022 time=1737710446")
    }

    /// A LiteLLM spend-log row: ISO strings, `spend`, `metadata` as a JSON-encoded string.
    @Test func liteLLMSpendLogRow() {
        let line = #"{"request_id":"req-1","startTime":"2025-01-24T09:20:46.847Z","endTime":"2025-01-24T09:20:47.2Z","#
            + #""model":"gpt-4o","spend":0.001,"prompt_tokens":10,"completion_tokens":20,"total_tokens":30,"metadata":"{}"}"#
        // 47.200 − 46.847 = 0.353 s.
        #expect(latency(line) == "353")
    }

    @Test(arguments: [
        // 03.500 − 02.120 = 1.380 s.
        (#""startTime":"2026-11-28T09:15:02.120Z","endTime":"2026-11-28T09:15:03.5Z""#, "1380"),
        // 10:15:02.250+01:00 is 09:15:02.250Z; 04:15:04-05:00 is 09:15:04.000Z: 1.750 s.
        (#""startTime":"2026-11-28T10:15:02.250+01:00","endTime":"2026-11-28T04:15:04-05:00""#, "1750"),
        // 09:15:02.999Z − 09:15:02.999Z (given as 14:45:02.999+05:30) = 0.
        (#""startTime":"2026-11-28T09:15:02.999Z","endTime":"2026-11-28T14:45:02.9999+05:30""#, "0"),
        // Across midnight: 23:59:59.900 → 00:00:00.150 next day = 0.100 + 0.150 s.
        (#""startTime":"2026-11-28T23:59:59.900Z","endTime":"2026-11-29T00:00:00.150Z""#, "250"),
        // Across midnight and a year, naive: 23:59:58.5 → 00:00:01.25 = 1.5 + 1.25 s.
        (#""startTime":"2025-12-31 23:59:58.5","endTime":"2026-01-01 00:00:01.25""#, "2750"),
        // Epoch float seconds: 1732780503.5 − 1732780502.25 = 1.25 s.
        (#""startTime":1732780502.25,"endTime":1732780503.5"#, "1250"),
        // Epoch milliseconds: 1732780503125 − 1732780502250 = 875.
        (#""startTime":1732780502250,"endTime":1732780503125"#, "875"),
        // Epoch microseconds, truncated to ms: 1732780502250999 → …502250, 1732780502251000 → …502251.
        (#""startTime":1732780502250999,"endTime":1732780502251000"#, "1"),
        // Mixed forms: 1732780502 s is 2024-11-28T07:55:02Z (20055 days · 86400 + 28502 s);
        // the end is 07:55:03.5Z: 1.5 s.
        (#""startTime":1732780502,"endTime":"2024-11-28T07:55:03.5Z""#, "1500"),
        // Digits in strings are epochs too: 1732780502.75 → 1732780503 = 0.25 s.
        (#""startTime":"1732780502.75","endTime":"1732780503""#, "250"),
    ])
    func pairs(_ fields: String, _ expected: String) {
        #expect(latency(latencyLine(fields)) == expected)
    }

    @Test func onlyOneOfThePairGivesNothing() {
        #expect(latency(latencyLine(#""startTime":"2026-11-28T09:15:02Z""#)) == "nil")
        #expect(latency(latencyLine(#""endTime":"2026-11-28T09:15:02Z""#)) == "nil")
        // A null end is absent.
        #expect(latency(latencyLine(#""startTime":"2026-11-28T09:15:02Z","endTime":null"#)) == "nil")
    }

    @Test func aPairIsReadAtOneLevelOnly() {
        // startTime at the top, endTime in the response: no level has both.
        let split = #"{"startTime":"2026-11-28T09:15:02Z","response":{"endTime":"2026-11-28T09:15:03Z",\#(someUsage)}}"#
        #expect(latency(split) == "nil")
        // Only startTime at the top: the response's pair decides (03.4 − 02.0 = 1.4 s).
        let inner = #"{"startTime":"2026-11-28T09:15:01Z","response":{"startTime":"2026-11-28T09:15:02Z","#
            + #""endTime":"2026-11-28T09:15:03.4Z",\#(someUsage)}}"#
        #expect(latency(inner) == "1400")
    }

    @Test(arguments: [
        // End before start: 02.000 < 02.500.
        #""startTime":"2026-11-28T09:15:02.5Z","endTime":"2026-11-28T09:15:02Z""#,
        // Present but unreadable.
        #""startTime":"2026-11-28T09:15:02Z","endTime":"soon""#,
        #""startTime":"yesterday","endTime":"2026-11-28T09:15:02Z""#,
        #""startTime":"2026-11-28T09:15:02Z","endTime":"""#,
        #""startTime":"2026-11-28T09:15:02Z","endTime":true"#,
        #""startTime":"2026-11-28T09:15:02Z","endTime":{}"#,
        #""startTime":-1,"endTime":1732780502"#,
    ])
    func unusablePairs(_ fields: String) {
        #expect(latency(latencyLine(fields)) == "nil [invalid_latency]")
    }
}

@Suite struct LatencyKeyTests {
    @Test func latencyMSAtTheTopLevelWins() {
        let line = #"{"latency_ms":40,"response":{"latency_ms":7,\#(someUsage)}}"#
        #expect(latency(line) == "40")
    }

    @Test func latencyMSInTheResponse() {
        #expect(latency(#"{"response":{"latency_ms":7,\#(someUsage)}}"#) == "7")
        // A null at the top is absent: the response's decides.
        #expect(latency(#"{"latency_ms":null,"response":{"latency_ms":7,\#(someUsage)}}"#) == "7")
    }

    @Test func latencyMSBeforeThePairOfItsLevel() {
        // Same level: latency_ms (9) over the pair (1 s).
        #expect(latency(latencyLine(#""latency_ms":9,"startTime":1732780502,"endTime":1732780503"#)) == "9")
        // A pair at the top beats latency_ms in the response: 1732780503 − 1732780502 = 1 s.
        let line = #"{"startTime":1732780502,"endTime":1732780503,"response":{"latency_ms":7,\#(someUsage)}}"#
        #expect(latency(line) == "1000")
        // A null latency_ms leaves the pair of its level.
        #expect(latency(latencyLine(#""latency_ms":null,"startTime":1732780502,"endTime":1732780503"#)) == "1000")
    }

    @Test(arguments: [
        ("12", "12"),
        ("12.5", "13"),  // half up
        ("12.49", "12"),
        ("12.4999", "12"),
        ("0.5", "1"),
        ("0.4", "0"),
        ("0", "0"),
        ("-0", "0"),  // JSON's -0 is zero, not negative
        ("1.25e1", "13"),  // 12.5
        ("2E3", "2000"),
        ("18446744073709551615", "18446744073709551615"),  // 2⁶⁴ − 1: the largest that fits
        ("18446744073709551614.5", "18446744073709551615"),  // rounds up to 2⁶⁴ − 1
    ])
    func numbers(_ json: String, _ expected: String) {
        #expect(latency(latencyLine(#""latency_ms":\#(json)"#)) == expected)
    }

    @Test(arguments: [
        "-5", "-0.5", #""12""#, "true", "false", "{}", "[12]", #""""#,
        "18446744073709551616",  // 2⁶⁴: does not fit in UInt64
        "18446744073709551615.5",  // rounds to 2⁶⁴
        "1e400",
    ])
    func unusableNumbers(_ json: String) {
        #expect(latency(latencyLine(#""latency_ms":\#(json)"#)) == "nil [invalid_latency]")
    }

    @Test func anInvalidLatencyNeverMakesALineBad() {
        let line = #"{"latency_ms":-5,"created":1795857302,"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}"#
        #expect(outcome(line, readingLatency) == "record in=19 out=10 total=29 time=1795857302 [invalid_latency]")
        let pair = #"{"startTime":"2026-11-28T09:15:03Z","endTime":"2026-11-28T09:15:02Z","prompt_tokens":1,"completion_tokens":2}"#
        // The time is still startTime's: 2026-11-28T09:15:03Z = 1795857302 + 1.
        #expect(outcome(pair, readingLatency) == "record in=1 out=2 total=3 time=1795857303 [invalid_latency]")
    }

    @Test func noSourceIsNoLatency() {
        #expect(latency(usageLine(#"{"input_tokens":3,"output_tokens":4}"#)) == "nil")
        #expect(latency(latencyLine(#""latency":12,"duration_ms":4"#)) == "nil")  // not a default key
    }

    @Test func nothingLeaksFromLineToLine() {
        let decoder = UsageDecoder(configuration: readingLatency)
        func read(_ line: String) -> String {
            Array(line.utf8).withUnsafeBytes { bytes in
                guard case .record(let record) = decoder.decode(bytes) else { return "not a record" }
                return (record.latencyMS.map { String($0) } ?? "nil")
                    + (record.warnings.contains(.invalidLatency) ? " [invalid_latency]" : "")
            }
        }
        #expect(read(latencyLine(#""latency_ms":5"#)) == "5")
        #expect(read(latencyLine(#""latency_ms":"5""#)) == "nil [invalid_latency]")
        #expect(read(latencyLine(#""model":"x""#)) == "nil")
        #expect(read(latencyLine(#""startTime":1732780502,"endTime":1732780502.007"#)) == "7")
    }
}

@Suite struct LatencyOverrideTests {
    func overriding(_ text: String) -> DecoderConfiguration {
        DecoderConfiguration(overrides: [.latency: pointer(text)], readsLatency: true)
    }

    @Test func aTopLevelPointer() {
        #expect(latency(latencyLine(#""duration":321"#), overriding("/duration")) == "321")
        #expect(latency(latencyLine(#""duration":320.5"#), overriding("/duration")) == "321")  // half up
    }

    @Test func aPointerIntoANestedObject() {
        let line = latencyLine(#""metadata":{"timing":{"total_ms":88,"ttft_ms":12}}"#)
        #expect(latency(line, overriding("/metadata/timing/total_ms")) == "88")
        #expect(latency(line, overriding("/metadata/timing/ttft_ms")) == "12")
    }

    @Test func aPointerIntoAJSONEncodedString() {
        // LiteLLM's spend logs keep metadata as a string.
        let line = latencyLine(#""metadata":"{\"timing\":{\"total_ms\":77}}""#)
        #expect(latency(line, overriding("/metadata/timing/total_ms")) == "77")
    }

    @Test func thePointerReplacesTheDefaults() {
        let line = latencyLine(#""latency_ms":5,"startTime":1732780502,"endTime":1732780503,"meta":{"ms":9}"#)
        #expect(latency(line, overriding("/meta/ms")) == "9")
        // Missing or null at the pointer: no latency, no warning, and no default either.
        #expect(latency(line, overriding("/meta/other")) == "nil")
        #expect(latency(latencyLine(#""latency_ms":5,"meta":{"ms":null}"#), overriding("/meta/ms")) == "nil")
    }

    @Test(arguments: [#""9""#, "-9", "true", "{}", "18446744073709551616"])
    func unusableValuesAtThePointer(_ json: String) {
        #expect(latency(latencyLine(#""meta":{"ms":\#(json)}"#), overriding("/meta/ms")) == "nil [invalid_latency]")
    }

    @Test func aTimestampAtThePointerIsNotALatency() {
        let line = latencyLine(#""meta":{"end":"2026-11-28T09:15:03Z"}"#)
        #expect(latency(line, overriding("/meta/end")) == "nil [invalid_latency]")
    }
}

@Suite struct LatencyOffTests {
    static let lines = [
        latencyLine(#""latency_ms":40"#),
        latencyLine(#""startTime":1732780502,"endTime":1732780503"#),
        latencyLine(#""latency_ms":"bad","meta":{"ms":9}"#),
        latencyLine(#""startTime":"2026-11-28T09:15:03Z","endTime":"2026-11-28T09:15:02Z""#),
    ]

    @Test(arguments: LatencyOffTests.lines)
    func neverReadWhenOff(_ line: String) {
        #expect(latency(line, DecoderConfiguration()) == "nil")
        #expect(latency(line, DecoderConfiguration(overrides: [.latency: pointer("/meta/ms")])) == "nil")
    }

    @Test func offPlansNothingMore() {
        let plain = UsageDecoder(configuration: DecoderConfiguration())
        let overridden = UsageDecoder(configuration: DecoderConfiguration(overrides: [.latency: pointer("/meta/ms")]))
        #expect(overridden.layout.plan.nodeCount == plain.layout.plan.nodeCount)
        #expect(overridden.layout.pointerNode(pointer("/meta/ms")) == nil)
        #expect(!plain.layout.nodePaths.contains { $0.last == "latency_ms" || $0.last == "endTime" })
        // With other overrides too.
        let time = DecoderConfiguration(overrides: [.time: pointer("/when")])
        var timeAndLatency = time
        timeAndLatency.overrides[.latency] = pointer("/meta/ms")
        #expect(UsageDecoder(configuration: timeAndLatency).layout.plan.nodeCount
            == UsageDecoder(configuration: time).layout.plan.nodeCount)
    }

    @Test func onPlansTwoKeysPerLevel() {
        let plain = UsageDecoder(configuration: DecoderConfiguration())
        let reading = UsageDecoder(configuration: readingLatency)
        #expect(reading.layout.levelCount == plain.layout.levelCount)
        #expect(reading.layout.plan.nodeCount == plain.layout.plan.nodeCount + 2 * plain.layout.levelCount)
        // The override's pointer adds its own node and its prefix's: /meta and /meta/ms.
        let overridden = UsageDecoder(configuration: DecoderConfiguration(overrides: [.latency: pointer("/meta/ms")], readsLatency: true))
        #expect(overridden.layout.plan.nodeCount == reading.layout.plan.nodeCount + 2)
    }

    @Test func theStartOfAPairIsTheTimeKeyStartTime() {
        #expect(UsageLayout.timeKeys[UsageLayout.LevelColumn.startTime - UsageLayout.LevelColumn.timeKeys] == "startTime")
    }

    @Test func configurationDefaults() {
        #expect(!DecoderConfiguration().readsLatency)
        #expect(BuiltinField(rawValue: "latency") == .latency)
        #expect(LineWarnings.all.last?.name == "invalid_latency")
    }
}

/// The Unix milliseconds of a JSON value, found the way the decoder finds it.
func timestampMilliseconds(_ json: String) -> Int64?? {
    let plan = CapturePlan(paths: [["t"]])
    let scanner = JSONScanner(plan: plan)
    let line = Array("{\"t\":\(json)}".utf8)
    return line.withUnsafeBytes { buffer -> Int64?? in
        guard case .success = scanner.scan(buffer), let span = scanner.value(plan.nodeIDs[0]) else { return .none }
        return .some(TimestampParser.milliseconds(of: span, in: buffer))
    }
}

@Suite struct TimestampMillisecondTests {
    // 2026-11-28T09:15:02Z is 1795857302 (see TimestampParserTests); in ms, 1795857302000.
    @Test(arguments: [
        (#""2026-11-28T09:15:02Z""#, Int64(1_795_857_302) as Int64?, Int64(1_795_857_302_000) as Int64?),
        (#""2026-11-28T09:15:02.847371Z""#, 1_795_857_302, 1_795_857_302_847),  // truncated, not rounded
        (#""2026-11-28 09:15:02.847371""#, 1_795_857_302, 1_795_857_302_847),  // naive: UTC
        (#""2026-11-28T09:15:02.9999Z""#, 1_795_857_302, 1_795_857_302_999),
        (#""2026-11-28T09:15:02,5Z""#, 1_795_857_302, 1_795_857_302_500),
        (#""2026-11-28T09:15:02.05Z""#, 1_795_857_302, 1_795_857_302_050),
        (#""2026-11-28T09:15:02.007Z""#, 1_795_857_302, 1_795_857_302_007),
        // 14:45:02.123+05:30 is 09:15:02.123Z.
        (#""2026-11-28T14:45:02.123+05:30""#, 1_795_857_302, 1_795_857_302_123),
        (#""2026-11-28""#, 1_795_824_000, 1_795_824_000_000),  // midnight: 1795857302 − 33302
        // Before 1970: 23:59:59.250 on 1969-12-31 is −1 s + 250 ms = −750 ms.
        (#""1969-12-31T23:59:59.250Z""#, -1, -750),
        ("1795857302", 1_795_857_302, 1_795_857_302_000),
        ("1795857302.25", 1_795_857_302, 1_795_857_302_250),
        ("1795857302.9999", 1_795_857_302, 1_795_857_302_999),
        ("1.79585730225e9", 1_795_857_302, 1_795_857_302_250),
        ("1795857302123", 1_795_857_302, 1_795_857_302_123),  // ms
        ("1795857302123.9", 1_795_857_302, 1_795_857_302_123),
        ("1795857302123456", 1_795_857_302, 1_795_857_302_123),  // µs
        ("1795857302123456789", 1_795_857_302, 1_795_857_302_123),  // ns
        (#""1795857302123""#, 1_795_857_302, 1_795_857_302_123),
        (#""1795857302.5""#, 1_795_857_302, 1_795_857_302_500),
        ("0", 0, 0),
        (#""soon""#, nil, nil),
        ("-1", nil, nil),
    ])
    func secondsUnchangedMillisecondsKeepTheFraction(_ json: String, _ seconds: Int64?, _ milliseconds: Int64?) {
        #expect(timestamp(json) == .some(seconds))
        #expect(timestampMilliseconds(json) == .some(milliseconds))
    }

    /// On the whole generated table, the milliseconds fall within the second `seconds` gives.
    @Test func millisecondsAgreeWithSeconds() {
        for row in generatedTimestampCases {
            guard case .some(let ms) = timestampMilliseconds(row.json) else {
                Issue.record("\(row.json) did not scan")
                continue
            }
            if let seconds = row.seconds, let ms {
                #expect(ms >= seconds * 1000 && ms < seconds * 1000 + 1000, "\(row.json)")
            } else {
                #expect(ms == nil && row.seconds == nil, "\(row.json)")
            }
        }
    }
}
