import Testing

@testable import UsageDecoding

@Suite struct LineOutcomeTests {
    @Test func badLineReasonsAsTheRunReportNamesThem() {
        #expect(BadLineReason.allCases.map(\.rawValue).sorted()
            == ["bad_usage", "invalid_json", "invalid_utf8", "line_too_long", "not_object", "too_deep"])
        #expect(BadLineReason.lineTooLong.rawValue == "line_too_long")
        #expect(BadLineReason.invalidUTF8.rawValue == "invalid_utf8")
        #expect(BadLineReason.invalidJSON.rawValue == "invalid_json")
        #expect(BadLineReason.tooDeep.rawValue == "too_deep")
        #expect(BadLineReason.notObject.rawValue == "not_object")
        #expect(BadLineReason.badUsage.rawValue == "bad_usage")
        #expect(BadLineReason.allCases.sorted() == [.badUsage, .invalidJSON, .invalidUTF8, .lineTooLong, .notObject, .tooDeep])
    }

    @Test func warningNamesAsTheRunReportNamesThem() {
        #expect(LineWarnings.all.map(\.name) == warningNames.map(\.1))
        #expect(LineWarnings.all.map(\.warning.rawValue) == warningNames.map(\.0.rawValue))
        // Nine distinct bits.
        #expect(Set(LineWarnings.all.map(\.warning.rawValue)).count == 9)
    }

    @Test func messages() {
        #expect(BadLine(reason: .lineTooLong, detail: .tooLong(byteCount: 20_000_000, limit: 16_777_216)).message
            == "line of 20000000 bytes is longer than the limit of 16777216 bytes")
        #expect(BadLine(reason: .notObject, detail: .notObject(.array)).message == "the line is JSON but not an object (it is an array)")
        #expect(BadLine(reason: .badUsage, detail: .usage(field: "usage.input_tokens", problem: .missing)).message
            == "usage.input_tokens is missing")
        #expect(BadLine(reason: .invalidJSON, detail: .json(JSONScanFailure(kind: .invalidJSON, offset: 0, problem: .trailingData))).message
            == "more data after the JSON value at byte 1")
    }

    @Test func anEmptyRecord() {
        let record = UsageRecord()
        #expect(record.inputTokens == .zero && record.outputTokens == .zero && record.totalTokens == .zero)
        #expect(record.costUSD == nil && record.time == nil && record.warnings.isEmpty)
    }
}
