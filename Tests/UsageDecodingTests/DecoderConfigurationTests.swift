import Testing

@testable import UsageDecoding

// `--field` overrides and custom fields (PRODUCT.md: "Every field can be overridden with a
// JSON Pointer").

func pointer(_ text: String) -> JSONPointer { try! JSONPointer(parsing: text) }

@Suite struct DecoderConfigurationTests {
    let usage = #""usage":{"input_tokens":10,"output_tokens":5}"#

    @Test func keyOverride() {
        let configuration = DecoderConfiguration(overrides: [.key: pointer("/metadata/key_hash")], valueFields: [.key])
        #expect(decode(#"{"api_key":"outer","metadata":{"key_hash":"h1"},"# + usage + "}", configuration).values == [#""h1""#])
        // No fallback to the default location.
        #expect(decode(#"{"api_key":"outer","# + usage + "}", configuration).values == [nil])
        #expect(decode(#"{"api_key":"outer","metadata":{"key_hash":null},"# + usage + "}", configuration).values == [nil])
        // Without the override: the outermost api_key.
        #expect(decode(#"{"api_key":"outer","metadata":{"key_hash":"h1"},"# + usage + "}",
                       DecoderConfiguration(valueFields: [.key])).values == [#""outer""#])
    }

    @Test func timeOverride() {
        let configuration = DecoderConfiguration(overrides: [.time: pointer("/ts_custom")])
        #expect(outcome(#"{"timestamp":"2026-11-28T09:15:02Z","ts_custom":1764321302,"# + usage + "}", configuration)
            == smallRecord + " time=1764321302")
        // The default keys are not consulted any more.
        #expect(outcome(#"{"timestamp":"2026-11-28T09:15:02Z","# + usage + "}", configuration) == smallRecord + " [missing_timestamp]")
        #expect(outcome(#"{"ts_custom":null,"# + usage + "}", configuration) == smallRecord + " [missing_timestamp]")
        #expect(outcome(#"{"ts_custom":"soon","timestamp":1795857302,"# + usage + "}", configuration) == smallRecord + " [invalid_timestamp]")
        let nested = DecoderConfiguration(overrides: [.time: pointer("/meta/when/0")])
        #expect(outcome(#"{"meta":{"when":["2026-11-28T09:15:02Z"]},"# + usage + "}", nested) == smallRecord + " time=1795857302")
    }

    @Test func usageOverride() {
        let configuration = DecoderConfiguration(overrides: [.usage: pointer("/data/usage")])
        #expect(outcome(#"{"usage":{"input_tokens":1,"output_tokens":1},"data":{"usage":{"input_tokens":7,"output_tokens":8}}}"#, configuration)
            == "record in=7 out=8 total=15 [missing_timestamp]")
        #expect(outcome(#"{"data":{"usage":{"inputTokens":3,"outputTokens":4,"inputTokensDetails":{"cachedTokens":1}}}}"#, configuration)
            == "record in=3 out=4 total=7 cached=1 [missing_timestamp]")
        // Absent or null: no usage, even though the default location has one.
        #expect(outcome(#"{"usage":{"input_tokens":1,"output_tokens":1}}"#, configuration) == "no_usage")
        #expect(outcome(#"{"data":{"usage":null}}"#, configuration) == "no_usage")
        #expect(outcome(#"{"data":{"usage":"x"}}"#, configuration) == "bad_usage: data.usage is not an object")
        // An explicit location is taken at its word: an object without counts is malformed usage.
        #expect(outcome(#"{"data":{"usage":{"include":true}}}"#, configuration) == "bad_usage: data.usage.input_tokens is missing")
        // A flat record: the usage is the whole line.
        let root = DecoderConfiguration(overrides: [.usage: pointer("")])
        #expect(outcome(#"{"input_tokens":4,"output_tokens":6,"model":"m"}"#, root) == "record in=4 out=6 total=10 [missing_timestamp]")
    }

    /// Regression, issue 2: with `--field usage=/data/usage` the time, model and status were
    /// looked up at the top level only; the object holding the usage is a level of its own.
    @Test func usageOverrideReadsTheBodyAroundIt() {
        let configuration = DecoderConfiguration(overrides: [.usage: pointer("/data/usage")], valueFields: [.model, .status])
        let inner = #"{"model":"outer","data":{"created_at":1795737600,"model":"inner","status":"done","usage":{"input_tokens":7,"output_tokens":8}}}"#
        let decoded = decode(inner, configuration)
        // 1795737600 = 2026-11-27T00:00:00Z (Python datetime); the body's model, not the line's.
        #expect(decoded.outcome == "record in=7 out=8 total=15 time=1795737600")
        #expect(decoded.values == [#""inner""#, #""done""#])
        // The line's own timestamp still wins over the body's created_at (outermost first).
        let wrapped = #"{"timestamp":"2026-11-28T09:15:02Z","data":{"created_at":1795737600,"usage":{"input_tokens":7,"output_tokens":8}}}"#
        #expect(outcome(wrapped, configuration) == "record in=7 out=8 total=15 time=1795857302")
        // A pointer whose parent is not an object: only the top level is searched.
        let odd = DecoderConfiguration(overrides: [.usage: pointer("/list/0")], valueFields: [.model])
        let listed = decode(#"{"model":"top","list":[{"input_tokens":1,"output_tokens":2}]}"#, odd)
        #expect(listed.outcome == "record in=1 out=2 total=3 [missing_timestamp]")
        #expect(listed.values == [#""top""#])
    }

    @Test func modelAndStatusOverrides() {
        let configuration = DecoderConfiguration(
            overrides: [.model: pointer("/meta/model_name"), .status: pointer("/http/code")], valueFields: [.model, .status])
        let decoded = decode(#"{"model":"default","meta":{"model_name":"custom"},"http":{"code":429},"# + usage + "}", configuration)
        #expect(decoded.values == [#""custom""#, "429"])
    }

    @Test func customFields() {
        let configuration = DecoderConfiguration(
            customFields: ["team": pointer("/a~1b/c~0d"), "first_tag": pointer("/tags/0"), "port": pointer("/meta/port")],
            valueFields: [.custom("team"), .model, .custom("first_tag"), .custom("port"), .custom("undefined")])
        let line = #"{"a/b":{"c~d":"team-x"},"tags":["prod","eu"],"meta":{"port":8080},"model":"m","# + usage + "}"
        let decoded = decode(line, configuration)
        #expect(decoded.outcome == smallRecord + " [missing_timestamp]")
        #expect(decoded.values == [#""team-x""#, #""m""#, #""prod""#, "8080", nil])
        // The unescaped tokens are keys: "a~1b" or "a/b/c" in the line are other keys.
        let other = #"{"a~1b":{"c~0d":"no"},"a":{"b":{"c~d":"no"}},"tags":[],"# + usage + "}"
        #expect(decode(other, configuration).values == [nil, nil, nil, nil, nil])
    }

    @Test func overridesAndCustomFieldsAreReadFromTheWholeLineNotJustTheBody() {
        let configuration = DecoderConfiguration(
            overrides: [.key: pointer("/response/metadata/key")], customFields: ["user": pointer("/user")],
            valueFields: [.key, .custom("user")])
        let line = #"{"user":"u1","response":{"metadata":{"key":"k1"},"# + usage + "}}"
        #expect(decode(line, configuration).values == [#""k1""#, #""u1""#])
    }
}
