import Testing

@testable import UsageDecoding

/// One row of the generated table: a JSON value and its Unix seconds, or nil.
struct TimestampCase: Sendable, CustomTestStringConvertible {
    let json: String
    let seconds: Int64?

    init(_ json: String, _ seconds: Int64?) {
        self.json = json
        self.seconds = seconds
    }

    var testDescription: String { json }
}

/// The seconds of a JSON value, found the way the decoder finds it: scanned as `{"t": value}`.
func timestamp(_ json: String) -> Int64?? {
    let plan = CapturePlan(paths: [["t"]])
    let scanner = JSONScanner(plan: plan)
    let line = Array("{\"t\":\(json)}".utf8)
    return line.withUnsafeBytes { buffer -> Int64?? in
        guard case .success = scanner.scan(buffer), let span = scanner.value(plan.nodeIDs[0]) else { return .none }
        return .some(TimestampParser.seconds(of: span, in: buffer))
    }
}

// 2026-11-28T09:15:02Z is 1795857302 (Python: datetime(2026,11,28,9,15,2,tzinfo=timezone.utc).timestamp()).

@Suite struct TimestampParserTests {
    @Test("agrees with Python's datetime", arguments: generatedTimestampCases)
    func agreesWithPython(_ row: TimestampCase) {
        #expect(timestamp(row.json) == .some(row.seconds))
    }

    @Test(arguments: [
        (#""2026-11-28T09:15:02Z""#, Int64(1_795_857_302) as Int64?),
        (#""2026-11-28T09:15:02.847Z""#, 1_795_857_302),  // fraction dropped
        (#""2026-11-28T09:15:02+05:30""#, 1_795_837_502),
        (#""2026-11-28T09:15:02-0800""#, 1_795_886_102),
        (#""2026-11-28T09:15:02+00""#, 1_795_857_302),
        (#""2026-11-28 09:15:02.847371""#, 1_795_857_302),  // naive LiteLLM style: UTC
        (#""2026-11-28T09:15:02""#, 1_795_857_302),
        (#""2026-11-28t09:15:02z""#, 1_795_857_302),
        (#""2026-11-28T09:14""#, 1_795_857_240),  // seconds optional
        (#""2026-11-28""#, 1_795_824_000),  // a date alone is its midnight
        (#""2016-12-31T23:59:60Z""#, 1_483_228_799),  // a leap second stays in its minute
        ("1795857302", 1_795_857_302),  // seconds
        ("1795857302123", 1_795_857_302),  // milliseconds
        ("1795857302123456", 1_795_857_302),  // microseconds
        ("1795857302123456789", 1_795_857_302),  // nanoseconds
        ("1795857302.9", 1_795_857_302),
        ("1.795857302e9", 1_795_857_302),
        (#""1795857302""#, 1_795_857_302),  // digits in a string
        (#""1795857302123""#, 1_795_857_302),
        ("99999999999", 99_999_999_999),  // just below 10¹¹: still seconds (year 5138)
        ("100000000000", 100_000_000),  // 10¹¹: milliseconds
        ("99999999999999", 99_999_999_999),  // just below 10¹⁴: still milliseconds
        ("100000000000000", 100_000_000),  // 10¹⁴: microseconds
        ("99999999999999999", 99_999_999_999),  // just below 10¹⁷: still microseconds
        ("100000000000000000", 100_000_000),  // 10¹⁷: nanoseconds
        ("0", 0),
    ])
    func handCheckedTimes(_ json: String, _ seconds: Int64?) {
        #expect(timestamp(json) == .some(seconds))
    }

    @Test(arguments: [
        #""""#, #""yesterday""#, #""2026-13-01T00:00:00Z""#, #""2026-00-10""#, #""2026-11-31""#,
        #""2025-02-29""#, #""2026-11-28T24:00:00Z""#, #""2026-11-28T09:60:00Z""#, #""2026-11-28T09:15:61Z""#,
        #""2026-11-28T09""#, #""2026-11-28T""#, #""2026-1-28""#, #""26-11-28""#, #""2026-11-28T09:15:02.Z""#,
        #""2026-11-28T09:15:02+24:00""#, #""2026-11-28T09:15:02+05:60""#, #""2026-11-28T09:15:02+5""#,
        #""2026-11-28T09:15:02 UTC""#, #""2026-11-28T09:15:02Zjunk""#, #""0000-01-01""#,
        "-1", "-1795857302", "1e400", "true", "{}", "[]", "null", #""1.2.3""#,
        "18446744073709551616",  // beyond UInt64: not read as a time at all
    ])
    func notUsableTimes(_ json: String) {
        #expect(timestamp(json) == .some(nil))
    }

    /// Regression, issue 2: a timestamp string holding an escape was never read. Escapes are
    /// legal JSON; `\u005A` is `Z`, `\u0032` is `2`.
    @Test(arguments: [
        (#""2026-11-28T09:15:02\u005A""#, Int64(1_795_857_302) as Int64?),
        (#""\u0032026-11-28T09:15:02Z""#, 1_795_857_302),
        (#""2026-11-28T09:15:02\/""#, nil),  // an escaped '/' is still not a time
        (#""\u0031795857302""#, 1_795_857_302),  // digits: an epoch
    ])
    func escapedTimestampStrings(_ json: String, _ seconds: Int64?) {
        #expect(timestamp(json) == .some(seconds))
    }

    @Test func theGeneratedTableCoversEveryForm() {
        let rows = generatedTimestampCases
        #expect(rows.count >= 400)
        #expect(rows.filter { $0.seconds == nil }.count >= 10)
        #expect(rows.filter { $0.json.hasPrefix("\"") }.count >= 300)
        #expect(rows.filter { !$0.json.hasPrefix("\"") }.count >= 50)
    }
}
