import Testing

@testable import UsageDecoding

// Every record shape of PRODUCT.md beyond the founding one, from lines with the structure of
// the providers' documented bodies (numbers our own), and the normalisation of each: one
// meaning per column whatever the source. Expected figures are worked out by hand in the
// comments. Outcome strings are explained in DecoderTestSupport.swift.

/// The configuration that extracts every built-in value field.
let allFields = DecoderConfiguration(valueFields: [.model, .key, .user, .provider, .status])

/// The built-in values of a line, as raw JSON text (nil when absent).
func fields(_ line: String, _ configuration: DecoderConfiguration = allFields) -> [String: String] {
    let decoded = decode(line, configuration)
    var result: [String: String] = [:]
    for (field, value) in zip(configuration.valueFields, decoded.values) {
        guard let value else { continue }
        switch field {
        case .model: result["model"] = value
        case .key: result["key"] = value
        case .user: result["user"] = value
        case .provider: result["provider"] = value
        case .status: result["status"] = value
        case .custom(let name): result[name] = value
        }
    }
    return result
}

/// The dedup key and whether it is always applied, for one line.
func requestID(_ line: String, _ configuration: DecoderConfiguration = DecoderConfiguration()) -> (UInt64?, Bool) {
    let decoder = UsageDecoder(configuration: configuration)
    return Array(line.utf8).withUnsafeBytes { bytes in
        guard case .record(let record) = decoder.decode(bytes) else { return (nil, false) }
        return (record.dedupKey, record.alwaysDeduplicated)
    }
}

func key(_ id: String) -> UInt64 { Array(id.utf8).withUnsafeBytes { RequestID.key($0) } }

@Suite struct ChatCompletionsShapeTests {
    static let body = #"""
        {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion","created":1795939200,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":10,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"system_fingerprint":"fp_6b68a8204b"}
        """#

    @Test func body() {
        #expect(outcome(Self.body) == "record in=1117 out=46 total=1163 cached=1024 reasoning=10 time=1795939200")
        #expect(fields(Self.body) == ["model": #""gpt-4o-2024-08-06""#])
        #expect(requestID(Self.body).0 == key("chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG"))
        #expect(requestID(Self.body).1 == false)
    }

    @Test func lastStreamChunkCarriesTheUsage() {
        let delta = #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1795939200,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}"#
        let last = #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1795939200,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":7,"total_tokens":27}}"#
        #expect(outcome(delta) == "no_usage")
        #expect(outcome(last) == "record in=20 out=7 total=27 time=1795939200")
    }

    /// OpenRouter: `cost`, `cache_write_tokens` inside `prompt_tokens` (nothing added), an
    /// upstream cost never added, `provider` at the top level.
    @Test func openRouterBody() {
        let line = #"{"id":"gen-1764000000-abc","provider":"Anthropic","model":"anthropic/claude-sonnet-4","object":"chat.completion","created":1795939200,"choices":[],"usage":{"prompt_tokens":194,"completion_tokens":2,"total_tokens":196,"cost":0.000618,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0,"cache_write_tokens":100},"cost_details":{"upstream_inference_cost":0.000618}}}"#
        #expect(outcome(line) == "record in=194 out=2 total=196 write=100 cost=0.000618 time=1795939200")
        #expect(fields(line) == ["model": #""anthropic/claude-sonnet-4""#, "provider": #""Anthropic""#])
    }
}

@Suite struct AnthropicShapeTests {
    /// input 2095 + cache read 1500 + cache write 250 = 3845 (Anthropic counts them apart).
    static let body = #"""
        {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"cache_creation_input_tokens":250,"cache_read_input_tokens":1500,"cache_creation":{"ephemeral_5m_input_tokens":250,"ephemeral_1h_input_tokens":0},"output_tokens":503,"service_tier":"standard"}}
        """#

    @Test func cacheReadsAndWritesAreAddedToInput() {
        #expect(outcome(Self.body) == "record in=3845 out=503 total=4348 cached=1500 write=250 [missing_timestamp]")
        #expect(requestID(Self.body).0 == key("msg_01XFDUDYJgAACzvnptvVoYEL"))
    }

    /// Without cache fields the body is still Anthropic by its type; nothing to add.
    @Test func withoutCacheFields() {
        let line = #"{"id":"msg_1","type":"message","model":"claude-3-5-haiku-20241022","usage":{"input_tokens":12,"output_tokens":6}}"#
        #expect(outcome(line) == "record in=12 out=6 total=18 [missing_timestamp]")
    }

    @Test func thinkingTokensAreReasoning() {
        let line = #"{"type":"message","model":"claude-opus-4-1","usage":{"input_tokens":10,"cache_read_input_tokens":0,"output_tokens":900,"output_tokens_details":{"thinking_tokens":700}}}"#
        #expect(outcome(line) == "record in=10 out=900 total=910 reasoning=700 [missing_timestamp]")
    }

    @Test func inAGatewayWrapperTheWrapperGivesTimeKeyAndUser() {
        let line = #"{"timestamp":"2026-11-27T10:00:00Z","api_key":"sk-team-a","user":"alice","response":"#
            + Self.body + "}"
        #expect(outcome(line) == "record in=3845 out=503 total=4348 cached=1500 write=250 time=1795773600")
        #expect(fields(line) == [
            "model": #""claude-sonnet-4-5-20250929""#, "key": #""sk-team-a""#, "user": #""alice""#,
        ])
    }

    @Test(arguments: [
        #"{"type":"message_start","message":{"id":"msg_1","type":"message","model":"claude-sonnet-4","usage":{"input_tokens":472,"cache_read_input_tokens":0,"output_tokens":2}}}"#,
        #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}"#,
        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}"#,
        #"{"type":"message_stop"}"#,
        #"{"type":"ping"}"#,
        #"{"timestamp":1796205600,"data":{"type":"message_delta","usage":{"input_tokens":472,"output_tokens":15}}}"#,
    ])
    func streamEventsHaveNoUsage(_ line: String) {
        #expect(outcome(line) == "no_usage")
    }

    /// The SDK writes absent cache counts as null: still Anthropic (nothing to add).
    @Test func nullCacheCounts() {
        let line = #"{"id":"msg_2","model":"claude-3-haiku","usage":{"input_tokens":12,"cache_creation_input_tokens":null,"cache_read_input_tokens":null,"output_tokens":6}}"#
        #expect(outcome(line) == "record in=12 out=6 total=18 [missing_timestamp]")
        #expect(match(line)?.shape == .anthropicMessages)
    }

    /// A usage whose counts are all null carries no usage.
    @Test func allNullCountsAreNoUsage() {
        #expect(outcome(#"{"usage":{"input_tokens":null,"output_tokens":null}}"#) == "no_usage")
        #expect(outcome(#"{"usage":{"cache_read_input_tokens":null}}"#) == "no_usage")
    }

    func match(_ line: String) -> RecordMatch? {
        let decoder = UsageDecoder(configuration: DecoderConfiguration())
        return Array(line.utf8).withUnsafeBytes { bytes in
            guard case .record = decoder.decode(bytes) else { return nil }
            return decoder.lastMatch(line: bytes)
        }
    }

    @Test func cacheCountsAreValidatedLikeAnyCount() {
        let line = #"{"type":"message","usage":{"input_tokens":1,"cache_read_input_tokens":"5","output_tokens":1}}"#
        #expect(outcome(line) == "bad_usage: usage.cache_read_input_tokens is a string, not a number")
    }
}

@Suite struct GeminiShapeTests {
    /// output = candidates 200 + thoughts 300 = 500; reasoning = thoughts.
    static let body = #"""
        {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":200,"totalTokenCount":1500,"cachedContentTokenCount":600,"thoughtsTokenCount":300,"promptTokensDetails":[{"modality":"TEXT","tokenCount":1000}]},"modelVersion":"gemini-2.5-pro","responseId":"mAitaLmkHPPlz7IPvtfUqQ4"}
        """#

    @Test func thoughtsAreAddedToOutput() {
        #expect(outcome(Self.body) == "record in=1000 out=500 total=1500 cached=600 reasoning=300 [missing_timestamp]")
        #expect(fields(Self.body) == ["model": #""gemini-2.5-pro""#])
        #expect(requestID(Self.body).0 == key("mAitaLmkHPPlz7IPvtfUqQ4"))
    }

    /// proto3 JSON leaves zero counts out.
    @Test func omittedCountsAreZero() {
        let line = #"{"usageMetadata":{"promptTokenCount":42,"candidatesTokenCount":7,"totalTokenCount":49},"modelVersion":"gemini-2.0-flash"}"#
        #expect(outcome(line) == "record in=42 out=7 total=49 [missing_timestamp]")
    }

    @Test func vertexCreateTime() {
        let line = #"{"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1,"totalTokenCount":6},"modelVersion":"gemini-2.5-flash","createTime":"2026-11-28T09:30:00.123456Z","responseId":"r1"}"#
        #expect(outcome(line) == "record in=5 out=1 total=6 time=1795858200")
    }

    @Test func aToolUsePromptMakesTheTotalDiffer() {
        let line = #"{"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1,"toolUsePromptTokenCount":4,"totalTokenCount":10}}"#
        #expect(outcome(line) == "record in=5 out=1 total=10 [total_mismatch, missing_timestamp]")
    }

    @Test func emptyUsageMetadataIsNotUsage() {
        #expect(outcome(#"{"usageMetadata":{"promptTokensDetails":[]}}"#) == "no_usage")
        #expect(outcome(#"{"usageMetadata":null}"#) == "no_usage")
        #expect(outcome(#"{"usageMetadata":[1]}"#) == "bad_usage: usageMetadata is not an object")
    }

    @Test func wrapped() {
        let line = #"{"ts":1795858200000,"key":"k-gemini","body":"# + Self.body + "}"
        #expect(outcome(line) == "record in=1000 out=500 total=1500 cached=600 reasoning=300 time=1795858200")
        #expect(fields(line) == ["model": #""gemini-2.5-pro""#, "key": #""k-gemini""#])
    }
}

@Suite struct ClaudeCodeShapeTests {
    static func line(output: Int, model: String = "claude-sonnet-4-5-20250929", requestID: String? = "req_011CV") -> String {
        let request = requestID.map { #""requestId":"\#($0)","# } ?? ""
        return #"{"parentUuid":"p1","isSidechain":false,"userType":"external","cwd":"/home/u/app","sessionId":"s-1","version":"2.0.42","gitBranch":"main","type":"assistant",\#(request)"uuid":"u-\#(output)","timestamp":"2026-11-26T14:03:05.120Z","message":{"id":"msg_01A","type":"message","role":"assistant","model":"\#(model)","content":[{"type":"text","text":"Done."}],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":4,"cache_creation_input_tokens":1200,"cache_read_input_tokens":30000,"cache_creation":{"ephemeral_5m_input_tokens":1200,"ephemeral_1h_input_tokens":0},"output_tokens":\#(output),"service_tier":"standard"}}}"#
    }

    /// input 4 + cache read 30000 + cache write 1200 = 31204.
    @Test func assistantLine() {
        #expect(outcome(Self.line(output: 10)) == "record in=31204 out=10 total=31214 cached=30000 write=1200 time=1795701785")
        #expect(fields(Self.line(output: 10)) == ["model": #""claude-sonnet-4-5-20250929""#, "provider": nil].compactMapValues { $0 })
    }

    /// Every copy of a message has the same key, made of `message.id` and `requestId`, and is
    /// always deduplicated.
    @Test func copiesShareAKeyAndAreAlwaysDeduplicated() {
        let first = requestID(Self.line(output: 10)), last = requestID(Self.line(output: 299))
        #expect(first.0 == RequestID.combine(key("msg_01A"), key("req_011CV")))
        #expect(first.0 == last.0)
        #expect(first.1 && last.1)
    }

    /// Third-party endpoints leave out `requestId`: the message id alone.
    @Test func withoutRequestID() {
        #expect(requestID(Self.line(output: 10, requestID: nil)).0 == key("msg_01A"))
    }

    @Test func syntheticMessagesAreNoUsage() {
        #expect(outcome(Self.line(output: 0, model: "<synthetic>")) == "no_usage")
    }

    @Test(arguments: [
        #"{"type":"user","message":{"role":"user","content":"fix the bug"},"timestamp":"2026-11-26T14:03:00.000Z","uuid":"u0"}"#,
        #"{"type":"summary","summary":"Bug fix","leafUuid":"u9"}"#,
        #"{"type":"file-history-snapshot","messageId":"m","snapshot":{}}"#,
        #"{"type":"system","subtype":"compact_boundary","content":"Conversation compacted","timestamp":"2026-11-26T14:03:00.000Z"}"#,
    ])
    func otherLinesHaveNoUsage(_ line: String) {
        #expect(outcome(line) == "no_usage")
    }

    /// `--dedup` does not change the key of a Claude Code line; other shapes key on their id.
    @Test func anAssistantTypeWithoutMessageIsNotClaudeCode() {
        let line = #"{"type":"assistant","id":"x1","usage":{"input_tokens":1,"output_tokens":2}}"#
        #expect(requestID(line).0 == key("x1"))
        #expect(requestID(line).1 == false)
    }
}

@Suite struct LiteLLMShapeTests {
    /// A standard logging payload: flat counts, `response_cost`, and the provider's own usage
    /// under `response` (the same counts, with details) — one record, its details from there.
    static let payload = #"""
        {"id":"chatcmpl-2b7e","trace_id":"t-1","call_type":"acompletion","stream":false,"status":"success","custom_llm_provider":"openai","startTime":1795944046.847371,"endTime":1795944048.1,"model":"gpt-4o-mini","model_group":"gpt-4o-mini","prompt_tokens":1500,"completion_tokens":300,"total_tokens":1800,"response_cost":0.000405,"end_user":"","metadata":{"user_api_key_hash":"88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b","user_api_key_alias":"ci","user_api_key_user_id":"user-7","user_api_key_team_id":"team-a"},"response":{"id":"chatcmpl-2b7e","object":"chat.completion","created":1795944046,"model":"gpt-4o-mini","usage":{"prompt_tokens":1500,"completion_tokens":300,"total_tokens":1800,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":0}}}}
        """#

    @Test func standardLoggingPayloadCountsOnce() {
        #expect(outcome(Self.payload) == "record in=1500 out=300 total=1800 cached=1024 cost=0.000405 time=1795944046")
        #expect(fields(Self.payload) == [
            "model": #""gpt-4o-mini""#, "provider": #""openai""#, "status": #""success""#,
            "key": #""88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b""#,
            "user": #""user-7""#,  // end_user is empty: the next candidate
        ])
    }

    /// A spend log row: `spend`, a naive `startTime` (UTC), `metadata` as a JSON string.
    static let spendLog = #"""
        {"request_id":"req-9f1","call_type":"acompletion","api_key":"88dc28d0f030","spend":0.0123,"total_tokens":5000,"prompt_tokens":4000,"completion_tokens":1000,"startTime":"2026-11-29 09:20:46.847371","endTime":"2026-11-29 09:20:50.000000","model":"claude-3-5-sonnet-20241022","user":"bob","custom_llm_provider":"anthropic","status":"success","metadata":"{\"user_api_key_team_id\": \"team-b\", \"usage_object\": {\"prompt_tokens\": 4000}}","request_tags":"[\"prod\"]"}
        """#

    @Test func spendLogRow() {
        #expect(outcome(Self.spendLog) == "record in=4000 out=1000 total=5000 cost=0.0123 time=1795944046")
        #expect(fields(Self.spendLog) == [
            "model": #""claude-3-5-sonnet-20241022""#, "provider": #""anthropic""#, "status": #""success""#,
            "key": #""88dc28d0f030""#, "user": #""bob""#,
        ])
        #expect(requestID(Self.spendLog).0 == key("req-9f1"))
    }

    @Test func flatCountsAreValidated() {
        #expect(outcome(#"{"prompt_tokens":5,"completion_tokens":"x"}"#) == "bad_usage: completion_tokens is a string, not a number")
        #expect(outcome(#"{"prompt_tokens":5}"#) == "bad_usage: completion_tokens is missing")
        #expect(outcome(#"{"prompt_tokens":5,"completion_tokens":1,"spend":"0.1"}"#) == "bad_usage: spend is a string, not a number")
    }

    /// `input_tokens` alone on a line is not flat usage (too common a word).
    @Test func onlyChatNamesMakeFlatCounts() {
        #expect(outcome(#"{"input_tokens":5,"output_tokens":1}"#) == "no_usage")
    }
}

@Suite struct FieldDefaultTests {
    @Test func providerFallsBackToTheModelPrefix() {
        let line = #"{"model":"anthropic/claude-sonnet-4","usage":{"input_tokens":1,"output_tokens":1}}"#
        // The span ends at the slash, which stands in for the closing quote: its content is
        // `anthropic` (GroupKeyBuilderTests check the cell).
        #expect(fields(line)["provider"] == #""anthropic/"#)
        let escaped = #"{"model":"anthropic\/claude","usage":{"input_tokens":1,"output_tokens":1}}"#
        #expect(fields(escaped)["provider"] == "\"anthropic\\")  // ends at the backslash of `\/`
        #expect(outcome(#"{"model":"gpt-4o","usage":{"input_tokens":1,"output_tokens":1}}"#, allFields).hasPrefix("record"))
        #expect(fields(#"{"model":"gpt-4o","usage":{"input_tokens":1,"output_tokens":1}}"#)["provider"] == nil)
        #expect(fields(#"{"model":"/x","usage":{"input_tokens":1,"output_tokens":1}}"#)["provider"] == nil)
    }

    @Test func keyCandidatesOutermostFirst() {
        let usage = #""usage":{"input_tokens":1,"output_tokens":1}"#
        #expect(fields(#"{"key":"k2",\#(usage)}"#)["key"] == #""k2""#)
        #expect(fields(#"{"api_key":"k1","key":"k2",\#(usage)}"#)["key"] == #""k1""#)
        #expect(fields(#"{"metadata":{"user_api_key_hash":"h"},"body":{"api_key":"inner",\#(usage)}}"#)["key"] == #""h""#)
        #expect(fields(#"{"api_key":null,"body":{"api_key":"inner",\#(usage)}}"#)["key"] == #""inner""#)
    }

    @Test func modelVersionWhenNoModel() {
        let line = #"{"model":"outer","response":{"modelVersion":"gemini-x","usageMetadata":{"promptTokenCount":1}}}"#
        #expect(fields(line)["model"] == #""gemini-x""#)  // innermost level first
    }

    @Test func overridesReplaceTheDefaults() {
        var configuration = allFields
        configuration.overrides[.user] = JSONPointer(tokens: ["metadata", "who"])
        configuration.overrides[.provider] = JSONPointer(tokens: ["p"])
        let line = #"{"user":"u","p":"px","metadata":{"who":"w"},"usage":{"input_tokens":1,"output_tokens":1}}"#
        #expect(fields(line, configuration)["user"] == #""w""#)
        #expect(fields(line, configuration)["provider"] == #""px""#)
    }

    @Test func idAndCostOverrides() {
        var configuration = DecoderConfiguration()
        configuration.overrides[.id] = JSONPointer(tokens: ["trace"])
        configuration.overrides[.cost] = JSONPointer(tokens: ["billing", "usd"])
        let line = #"{"id":"a","trace":"t","billing":{"usd":0.5},"usage":{"input_tokens":1,"output_tokens":1,"cost":9}}"#
        #expect(requestID(line, configuration).0 == key("t"))
        #expect(outcome(line, configuration) == "record in=1 out=1 total=2 cost=0.5 [missing_timestamp]")
        #expect(outcome(#"{"billing":{"usd":"x"},"usage":{"input_tokens":1,"output_tokens":1}}"#, configuration)
            == "bad_usage: billing.usd is a string, not a number")
    }

    @Test func requestIDCandidatesInnermostFirst() {
        #expect(requestID(#"{"request_id":"outer","data":{"generation_id":"g","usage":{"input_tokens":1,"output_tokens":1}}}"#).0 == key("g"))
        #expect(requestID(#"{"request_id":"r","usage":{"input_tokens":1,"output_tokens":1}}"#).0 == key("r"))
    }
}

/// A `--field` pointer that runs into a JSON-encoded string continues inside it (LiteLLM's
/// spend logs keep `metadata` as a string).
@Suite struct EmbeddedPointerTests {
    static let usage = #""usage":{"input_tokens":1,"output_tokens":1}"#

    func team(_ line: String, pointer: [String] = ["metadata", "team"]) -> String? {
        let configuration = DecoderConfiguration(customFields: ["team": JSONPointer(tokens: pointer)], valueFields: [.custom("team")])
        let decoder = UsageDecoder(configuration: configuration)
        return Array(line.utf8).withUnsafeBytes { bytes -> String? in
            guard case .record = decoder.decode(bytes), let span = decoder.value(0) else { return nil }
            return rawText(span, in: decoder.valueBytes(0, line: bytes))
        }
    }

    @Test func plainObject() {
        #expect(team(#"{"metadata":{"team":"a"},\#(Self.usage)}"#) == #""a""#)
    }

    @Test func encodedObject() {
        #expect(team(#"{"metadata":"{\"team\": \"b\", \"x\": [1]}",\#(Self.usage)}"#) == #""b""#)
        #expect(team(#"{"metadata":"{\"team\": {\"id\": 7}}",\#(Self.usage)}"#, pointer: ["metadata", "team", "id"]) == "7")
        // Escapes inside the encoded text are decoded once more by the grouping (a string's content).
        #expect(team(#"{"metadata":"{\"team\": \"caf\\u00e9\"}",\#(Self.usage)}"#) == #""caf\u00e9""#)
    }

    @Test func encodedStringDeeperInThePointer() {
        #expect(team(#"{"m":{"meta":"{\"team\":\"c\"}"},\#(Self.usage)}"#, pointer: ["m", "meta", "team"]) == #""c""#)
    }

    @Test(arguments: [
        #"{"metadata":"not json",\#(usage)}"#,
        #"{"metadata":"{\"other\":1}",\#(usage)}"#,
        #"{"metadata":"{\"team\":null}",\#(usage)}"#,
        #"{"metadata":"{\"team\":\"\"}",\#(usage)}"#,
        #"{"metadata":7,\#(usage)}"#,
        #"{"metadata":"",\#(usage)}"#,
        #"{\#(usage)}"#,
    ])
    func noValue(_ line: String) {
        #expect(team(line) == nil)
    }

    /// A decoder reused across lines forgets the previous line's embedded value.
    @Test func nothingLeaksBetweenLines() {
        let configuration = DecoderConfiguration(
            customFields: ["team": JSONPointer(tokens: ["metadata", "team"])], valueFields: [.custom("team")])
        let decoder = UsageDecoder(configuration: configuration)
        let lines = [
            #"{"metadata":"{\"team\":\"x\"}",\#(Self.usage)}"#, #"{"metadata":{"team":"y"},\#(Self.usage)}"#,
            #"{"metadata":"{}",\#(Self.usage)}"#,
        ]
        let seen = lines.map { line in
            Array(line.utf8).withUnsafeBytes { bytes -> String? in
                guard case .record = decoder.decode(bytes), let span = decoder.value(0) else { return nil }
                return rawText(span, in: decoder.valueBytes(0, line: bytes))
            }
        }
        #expect(seen == [#""x""#, #""y""#, nil])
    }

    @Test func timeAndCostOverridesToo() {
        let configuration = DecoderConfiguration(overrides: [
            .time: JSONPointer(tokens: ["meta", "at"]), .cost: JSONPointer(tokens: ["meta", "usd"]),
        ])
        let line = #"{"meta":"{\"at\":\"2026-11-29T09:20:46Z\",\"usd\":0.25}",\#(Self.usage)}"#
        #expect(outcome(line, configuration) == "record in=1 out=1 total=2 cost=0.25 time=1795944046")
    }
}

/// `lastMatch` names the shape each line was read as, and the pointers of its fields (what
/// `tokentally inspect` prints).
@Suite struct RecordMatchTests {
    func match(_ line: String, _ configuration: DecoderConfiguration = allFields) -> RecordMatch? {
        let decoder = UsageDecoder(configuration: configuration)
        return Array(line.utf8).withUnsafeBytes { bytes in
            guard case .record = decoder.decode(bytes) else { return nil }
            return decoder.lastMatch(line: bytes)
        }
    }

    @Test func shapes() {
        let usage = #""usage":{"input_tokens":1,"output_tokens":1}"#
        #expect(match(#"{"timestamp":"2026-11-26T10:00:00Z",\#(usage)}"#)?.shape == .usageObject)
        #expect(match(#"{"object":"response","created_at":1,\#(usage)}"#)?.shape == .responsesBody)
        #expect(match(#"{"type":"response.completed","response":{\#(usage)}}"#)?.shape == .responsesStreamEvent)
        #expect(match(ChatCompletionsShapeTests.body)?.shape == .chatCompletions)
        #expect(match(AnthropicShapeTests.body)?.shape == .anthropicMessages)
        #expect(match(GeminiShapeTests.body)?.shape == .gemini)
        #expect(match(ClaudeCodeShapeTests.line(output: 3))?.shape == .claudeCode)
        #expect(match(LiteLLMShapeTests.payload)?.shape == .flatCounts)
        #expect(match(#"{"x":{"u":{"input_tokens":1,"output_tokens":1}}}"#,
            DecoderConfiguration(overrides: [.usage: JSONPointer(tokens: ["x", "u"])]))?.shape == .fieldPointer)
    }

    @Test func pointersOfAWrappedStreamEvent() {
        let line = #"{"ts":1795944046000,"api_key":"k","data":{"type":"response.completed","response":{"id":"resp_1","model":"m/x","created_at":1,"status":"completed","usage":{"input_tokens":1,"output_tokens":1,"cost":0.1}}}}"#
        let found = match(line)
        #expect(found?.shape == .responsesStreamEvent)
        #expect(found?.wrapper == "/data")
        #expect(found?.pointers == [
            "usage": "/data/response/usage", "time": "/ts", "model": "/data/response/model", "key": "/api_key",
            "provider": "/data/response/model (prefix)", "status": "/data/response/status", "id": "/data/response/id",
            "cost": "/data/response/usage/cost",
        ])
    }

    @Test func pointersOfLiteLLMAndClaudeCode() {
        #expect(match(LiteLLMShapeTests.payload)?.pointers == [
            "usage": "", "usage_details": "/response/usage", "time": "/startTime", "model": "/model",
            "key": "/metadata/user_api_key_hash", "user": "/metadata/user_api_key_user_id",
            "provider": "/custom_llm_provider", "status": "/status", "id": "/id", "cost": "/response_cost",
        ])
        #expect(match(ClaudeCodeShapeTests.line(output: 3))?.pointers == [
            "usage": "/message/usage", "time": "/timestamp", "model": "/message/model",
            "id": "/message/id + /requestId",
        ])
    }

    @Test func customFieldInsideAJSONString() {
        let configuration = DecoderConfiguration(
            customFields: ["team": JSONPointer(tokens: ["metadata", "team"])], valueFields: [.custom("team")])
        #expect(match(#"{"metadata":"{\"team\":\"a\"}","usage":{"input_tokens":1,"output_tokens":1}}"#, configuration)?
            .pointers["team"] == "/metadata/team")
    }
}
