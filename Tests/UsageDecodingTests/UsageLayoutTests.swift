import Testing

@testable import UsageDecoding

// The record shapes this issue covers (PRODUCT.md, "Record shapes it recognises"), where the
// usage sits, which time wins, and which model, key and status a record carries.
// 1795857302 is 2026-11-28T09:15:02Z; 1764321302 is 2025-11-28T09:15:02Z (Python datetime).

/// A Responses API body as OpenRouter returns it.
let openRouterResponse = #"{"id":"gen-1764321302-abc","object":"response","created_at":1764321302,"model":"openai/gpt-4.1","status":"completed","#
    + #""usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"#
    + #""output_tokens_details":{"reasoning_tokens":0},"total_tokens":123,"cost":0.000174,"is_byok":false,"#
    + #""cost_details":{"upstream_inference_cost":null}}}"#
let responsesRecord = "record in=36 out=87 total=123 cost=0.000174"

/// Model, key and status.
let modelKeyStatus = DecoderConfiguration(valueFields: [.model, .key, .status])

@Suite struct FoundingShapeTests {
    @Test func snakeCase() {
        let line = #"{"id":"gen-1","model":"openai/gpt-5","usage":{"input_tokens":1321,"input_tokens_details":{"cached_tokens":622},"#
            + #""output_tokens":6590,"output_tokens_details":{"reasoning_tokens":5408},"total_tokens":7911,"cost":0.0123,"is_byok":false}}"#
        #expect(outcome(line) == "record in=1321 out=6590 total=7911 cached=622 reasoning=5408 cost=0.0123 [missing_timestamp]")
    }

    @Test func sdkCamelCase() {
        let line = #"{"usage":{"inputTokens":1321,"inputTokensDetails":{"cachedTokens":622,"cacheWriteTokens":100},"#
            + #""outputTokens":6590,"outputTokensDetails":{"reasoningTokens":5408},"totalTokens":7911,"cost":0.0123,"isByok":false}}"#
        #expect(outcome(line) == "record in=1321 out=6590 total=7911 cached=622 write=100 reasoning=5408 cost=0.0123 [missing_timestamp]")
    }

    @Test func costAndCacheWriteAreOptional() {
        #expect(outcome(usageLine(#"{"input_tokens":200,"input_tokens_details":{"cached_tokens":50,"cache_write_tokens":100},"output_tokens":20}"#))
            == "record in=200 out=20 total=220 cached=50 write=100 [missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":200,"input_tokens_details":{},"output_tokens":20,"output_tokens_details":{}}"#))
            == "record in=200 out=20 total=220 [missing_timestamp]")
    }

    @Test func countsTypedAsNumbers() {
        #expect(outcome(usageLine(#"{"input_tokens":1321.0,"output_tokens":6590.0,"total_tokens":7911.0}"#))
            == "record in=1321 out=6590 total=7911 [missing_timestamp]")
    }

    @Test func upstreamInferenceCostIsNeverAdded() {
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"cost":0.5,"cost_details":{"upstream_inference_cost":0.5}}"#))
            == "record in=10 out=5 total=15 cost=0.5 [missing_timestamp]")
        #expect(outcome(usageLine(#"{"input_tokens":10,"output_tokens":5,"cost_details":{"upstream_inference_cost":0.7}}"#))
            == "record in=10 out=5 total=15 [missing_timestamp]")
    }

    @Test func theRequestOptionUsageIncludeIsNotUsage() {
        #expect(outcome(#"{"model":"x","usage":{"include":true}}"#) == "no_usage")
        #expect(outcome(#"{"usage":{}}"#) == "no_usage")
        // The request's option next to the logged response body.
        #expect(outcome(#"{"usage":{"include":true},"response":{"usage":{"input_tokens":3,"output_tokens":4}}}"#)
            == "record in=3 out=4 total=7 [missing_timestamp]")
        #expect(outcome(#"{"response":{"usage":{"include":true}},"body":{"usage":{"input_tokens":2,"output_tokens":3}}}"#)
            == "record in=2 out=3 total=5 [missing_timestamp]")
    }

    @Test func usageNullIsNoUsage() {
        #expect(outcome(#"{"id":"gen-1","usage":null}"#) == "no_usage")
        #expect(outcome(#"{"response":{"usage":null}}"#) == "no_usage")
    }

    @Test func chatCompletionsNames() {
        let line = #"{"id":"chatcmpl-1","object":"chat.completion","created":1795857302,"model":"gpt-4o","#
            + #""usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"#
            + #""prompt_tokens_details":{"cached_tokens":3},"completion_tokens_details":{"reasoning_tokens":4}}}"#
        #expect(outcome(line) == "record in=19 out=10 total=29 cached=3 reasoning=4 time=1795857302")
    }
}

@Suite struct ResponsesShapeTests {
    @Test func responsesBody() {
        let decoded = decode(openRouterResponse, modelKeyStatus)
        #expect(decoded.outcome == responsesRecord + " time=1764321302")
        #expect(decoded.values == [#""openai/gpt-4.1""#, nil, #""completed""#])
    }

    @Test func responsesBodyWithKeepAliveWhitespace() {
        #expect(outcome("   \t " + openRouterResponse) == responsesRecord + " time=1764321302")
    }

    @Test(arguments: ["response.completed", "response.incomplete", "response.failed"])
    func terminalStreamEventsCarryUsage(_ type: String) {
        let line = #"{"type":""# + type + #"","sequence_number":42,"response":"# + openRouterResponse + "}"
        let decoded = decode(line, modelKeyStatus)
        #expect(decoded.outcome == responsesRecord + " time=1764321302")
        #expect(decoded.values == [#""openai/gpt-4.1""#, nil, #""completed""#])
    }

    @Test(arguments: [
        #"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","sequence_number":5}"#,
        #"{"type":"response.created","response":{"id":"resp_1","object":"response","status":"in_progress","usage":null}}"#,
        #"{"type":"response.in_progress","response":{"id":"resp_1","usage":null}}"#,
        // Only terminal events count, even if another event carries a usage object.
        #"{"type":"response.in_progress","response":{"usage":{"input_tokens":1,"output_tokens":1}}}"#,
        #"{"type":"response.output_text.done","usage":{"input_tokens":1,"output_tokens":1}}"#,
        // A terminal event without usage.
        #"{"type":"response.completed","response":{"id":"resp_1","usage":null}}"#,
        #"{"type":"response.completed","response":{"id":"resp_1"}}"#,
        #"{"type":"response.completed","response":null}"#,
        #"{"type":"response.completed"}"#,
    ])
    func otherStreamEventsHaveNoUsage(_ line: String) {
        #expect(outcome(line) == "no_usage")
    }

    @Test func aTerminalEventWithMalformedUsage() {
        #expect(outcome(#"{"type":"response.completed","response":{"usage":"x"}}"#) == "bad_usage: response.usage is not an object")
        #expect(outcome(#"{"type":"response.failed","response":{"usage":{"input_tokens":1}}}"#)
            == "bad_usage: response.usage.output_tokens is missing")
    }
}

@Suite struct GatewayWrapperTests {
    @Test(arguments: ["response", "body", "data"])
    func aWrapperAroundABody(_ container: String) {
        let line = #"{"timestamp":"2026-11-28T09:15:02Z","api_key":"sk-or-v1-abc","# + "\"\(container)\":" + openRouterResponse + "}"
        let decoded = decode(line, modelKeyStatus)
        // The wrapper's time wins over the body's created_at.
        #expect(decoded.outcome == responsesRecord + " time=1795857302")
        #expect(decoded.values == [#""openai/gpt-4.1""#, #""sk-or-v1-abc""#, #""completed""#])
    }

    @Test(arguments: ["response", "body", "data"])
    func aWrapperAroundAStreamEvent(_ container: String) {
        let event = #"{"type":"response.completed","sequence_number":42,"response":"# + openRouterResponse + "}"
        let line = #"{"ts":1795857302123,"api_key":"k","# + "\"\(container)\":" + event + "}"
        let decoded = decode(line, modelKeyStatus)
        #expect(decoded.outcome == responsesRecord + " time=1795857302")
        #expect(decoded.values == [#""openai/gpt-4.1""#, #""k""#, #""completed""#])
    }

    @Test func aWrapperAroundANonTerminalEvent() {
        #expect(outcome(#"{"ts":1795857302,"data":{"type":"response.output_text.delta","delta":"x"}}"#) == "no_usage")
    }

    @Test func containersAreSearchedResponseThenBodyThenData() {
        let u1 = #"{"usage":{"input_tokens":1,"output_tokens":1}}"#
        let u2 = #"{"usage":{"input_tokens":2,"output_tokens":2}}"#
        let u3 = #"{"usage":{"input_tokens":3,"output_tokens":3}}"#
        #expect(outcome(#"{"data":"# + u3 + #","body":"# + u2 + #","response":"# + u1 + "}") == "record in=1 out=1 total=2 [missing_timestamp]")
        #expect(outcome(#"{"data":"# + u3 + #","body":"# + u2 + "}") == "record in=2 out=2 total=4 [missing_timestamp]")
        #expect(outcome(#"{"data":"# + u3 + "}") == "record in=3 out=3 total=6 [missing_timestamp]")
    }

    @Test func usageIsCountedOnceEvenWhenTheLineCarriesItTwice() {
        // The top level wins over a nested copy.
        #expect(outcome(#"{"usage":{"input_tokens":5,"output_tokens":5},"response":{"usage":{"input_tokens":9,"output_tokens":9}}}"#)
            == "record in=5 out=5 total=10 [missing_timestamp]")
    }

    @Test func twoContainersDeep() {
        #expect(outcome(#"{"data":{"body":{"usage":{"input_tokens":1,"output_tokens":2}}}}"#) == "record in=1 out=2 total=3 [missing_timestamp]")
        #expect(outcome(#"{"data":{"response":{"type":"response.completed","response":{"usage":{"input_tokens":1,"output_tokens":2}}}}}"#)
            == "record in=1 out=2 total=3 [missing_timestamp]")
    }

    @Test func aContainerThatIsNotAnObjectIsSkipped() {
        #expect(outcome(#"{"response":"ok","body":[1],"data":{"usage":{"input_tokens":1,"output_tokens":2}}}"#)
            == "record in=1 out=2 total=3 [missing_timestamp]")
    }

    @Test func valuesComeFromTheLevelsOnTheWayToTheUsage() {
        // Model and status innermost first, key outermost first.
        let line = #"{"model":"outer","api_key":"outer-key","status":200,"#
            + #""response":{"model":"inner","api_key":"inner-key","status":"completed","usage":{"input_tokens":1,"output_tokens":2}}}"#
        #expect(decode(line, modelKeyStatus).values == [#""inner""#, #""outer-key""#, #""completed""#])
        // Absent or null inside: the outer value.
        let fallback = #"{"model":"outer","status":200,"response":{"model":null,"api_key":"inner-key","usage":{"input_tokens":1,"output_tokens":2}}}"#
        #expect(decode(fallback, modelKeyStatus).values == [#""outer""#, #""inner-key""#, "200"])
        // A sibling container without the usage is not on the way.
        let sibling = #"{"data":{"model":"sibling"},"body":{"usage":{"input_tokens":1,"output_tokens":2}}}"#
        #expect(decode(sibling, modelKeyStatus).values == [nil, nil, nil])
    }

    /// Regression (found by these tests): a non-terminal stream event in one container left its
    /// level on the search path, so a body in a later container took the event's model and time.
    @Test func anEventInOneContainerDoesNotLendItsFieldsToABodyInAnother() {
        let line = #"{"response":{"type":"response.created","model":"wrong","created_at":1764321302},"#
            + #""body":{"usage":{"input_tokens":10,"output_tokens":5}}}"#
        let decoded = decode(line, modelKeyStatus)
        #expect(decoded.outcome == smallRecord + " [missing_timestamp]")
        #expect(decoded.values == [nil, nil, nil])
        let terminal = #"{"response":{"type":"response.completed","model":"wrong","created_at":1764321302,"response":{"usage":null}},"#
            + #""body":{"usage":{"input_tokens":10,"output_tokens":5}}}"#
        #expect(decode(terminal, modelKeyStatus).outcome == smallRecord + " [missing_timestamp]")
        #expect(decode(terminal, modelKeyStatus).values == [nil, nil, nil])
    }
}

@Suite struct TimePrecedenceTests {
    let usage = #""usage":{"input_tokens":10,"output_tokens":5}"#

    @Test func theWrapperTimeWinsOverTheBodyTime() {
        #expect(outcome(#"{"timestamp":"2026-11-28T09:15:02Z","response":{"created_at":1764321302,"# + usage + "}}")
            == smallRecord + " time=1795857302")
        // Outermost level first, whatever the key: the wrapper's created_at beats the body's timestamp.
        #expect(outcome(#"{"created_at":1764321302,"response":{"timestamp":"2026-11-28T09:15:02Z","# + usage + "}}")
            == smallRecord + " time=1764321302")
    }

    @Test func keysAreTriedInOrderTimestampTsTime() {
        #expect(outcome(#"{"time":"2026-11-28T09:15:02+05:30","ts":1764321302,"timestamp":"2026-11-28T09:15:02-0800","# + usage + "}")
            == smallRecord + " time=1795886102")
        #expect(outcome(#"{"time":"2026-11-28T09:15:02+05:30","ts":1764321302,"# + usage + "}") == smallRecord + " time=1764321302")
        #expect(outcome(#"{"time":"2026-11-28T09:15:02+05:30","# + usage + "}") == smallRecord + " time=1795837502")
    }

    @Test func anUnreadableTimeFallsThroughToTheNextOne() {
        #expect(outcome(#"{"ts":"garbage","time":"2026-11-28T09:15:02-0800","# + usage + "}") == smallRecord + " time=1795886102")
        #expect(outcome(#"{"timestamp":"garbage","response":{"created_at":1764321302,"# + usage + "}}") == smallRecord + " time=1764321302")
    }

    @Test(arguments: [
        (#""timestamp":"2026-11-28T09:15:02Z""#, "time=1795857302"),
        (#""timestamp":"2026-11-28T09:15:02.847+05:30""#, "time=1795837502"),
        (#""timestamp":"2026-11-28T09:15:02-0800""#, "time=1795886102"),
        (#""startTime":"2026-11-28 09:15:02.847371""#, "time=1795857302"),
        (#""ts":1795857302"#, "time=1795857302"),
        (#""ts":1795857302123"#, "time=1795857302"),
        (#""ts":1795857302123456"#, "time=1795857302"),
        (#""ts":1795857302123456789"#, "time=1795857302"),
        (#""ts":1795857302.5"#, "time=1795857302"),
        (#""request_created_at":"2026-11-28T09:15:02Z""#, "time=1795857302"),
        (#""created":1795857302"#, "time=1795857302"),
        (#""createTime":"2026-11-28T09:15:02.123456Z""#, "time=1795857302"),
        (#""timestamp":"garbage""#, "[invalid_timestamp]"),
        (#""timestamp":true"#, "[invalid_timestamp]"),
        (#""timestamp":-5"#, "[invalid_timestamp]"),
        (#""timestamp":"2026-02-30T00:00:00Z""#, "[invalid_timestamp]"),
        (#""timestamp":null"#, "[missing_timestamp]"),
        (#""when":"2026-11-28T09:15:02Z""#, "[missing_timestamp]"),
    ])
    func timeForms(_ timeField: String, _ expected: String) {
        #expect(outcome("{" + timeField + "," + usage + "}") == smallRecord + " " + expected)
    }

    @Test func theStreamEventTimeIsTheResponseCreatedAt() {
        #expect(outcome(#"{"type":"response.completed","response":{"created_at":1764321302,"# + usage + "}}")
            == smallRecord + " time=1764321302")
    }
}

/// The layout's column numbers are literals (read per line, they must not be lazy globals):
/// each must still be where the key lists before it end.
@Suite struct UsageLayoutColumnTests {
    @Test func levelColumnsFollowTheirKeyLists() {
        typealias Column = UsageLayout.LevelColumn
        #expect(Column.timeKeys == Column.containers + UsageLayout.containerKeys.count)
        #expect(Column.model == Column.timeKeys + UsageLayout.timeKeys.count)
        #expect(Column.key == Column.model + UsageLayout.modelPaths.count)
        #expect(Column.user == Column.key + UsageLayout.keyPaths.count)
        #expect(Column.provider == Column.user + UsageLayout.userPaths.count)
        #expect(Column.status == Column.provider + UsageLayout.providerPaths.count)
        #expect(Column.id == Column.status + UsageLayout.statusPaths.count)
        #expect(Column.latencyMS == Column.id + UsageLayout.idPaths.count)
        #expect(Column.endTime == Column.latencyMS + 1)
        #expect(UsageLayout.timeKeys[Column.startTime - Column.timeKeys] == "startTime")
        #expect(Column.width == Column.endTime + 2)
        #expect(Column.object == Column.width - 1)
    }

    @Test func usageColumnsFollowTheirNameLists() {
        typealias Column = UsageLayout.UsageColumn
        #expect(Column.output == Column.input + UsageLayout.inputNames.count)
        #expect(Column.total == Column.output + UsageLayout.outputNames.count)
        #expect(Column.cost == Column.total + UsageLayout.totalNames.count)
        #expect(Column.inputDetails == Column.cost + UsageLayout.flatCostNames.count)
        #expect(Column.cached == Column.inputDetails + UsageLayout.inputDetailsNames.count)
        #expect(Column.cacheWrite == Column.cached + UsageLayout.cachedNames.count * UsageLayout.inputDetailsNames.count)
        #expect(Column.outputDetails == Column.cacheWrite + UsageLayout.cacheWriteNames.count * UsageLayout.inputDetailsNames.count)
        #expect(Column.reasoning == Column.outputDetails + UsageLayout.outputDetailsNames.count)
        #expect(Column.cacheRead == Column.reasoning + UsageLayout.reasoningNames.count * UsageLayout.outputDetailsNames.count)
        #expect(Column.width == Column.gemini + UsageLayout.geminiNames.count)
        // `details(usage:column:names:)` tries three spellings of each details object.
        #expect(UsageLayout.inputDetailsNames.count == 3 && UsageLayout.outputDetailsNames.count == 3)
    }
}
