import TestSupport
import Foundation
import Testing

/// `tokentally inspect` through the built binary: the JSON over `samples/` and small logs
/// written here, the text's sections, flags and exit codes. Expected figures are worked out
/// by hand from `samples/README.md` (records before deduplication: inspect does not deduplicate).
@Suite struct InspectCLITests {
    /// Runs `inspect --json ARGS…` and parses its output with Foundation.
    func inspectJSON(_ arguments: [String], in directory: URL = packageRoot) throws -> [String: Any] {
        let result = try tokentally(["inspect", "--json"] + arguments, in: directory)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(object as? [String: Any])
    }

    /// `[(shape, wrapper or "", count)]` of a report, in its order.
    func shapes(_ report: [String: Any]) -> [String] {
        (report["shapes"] as? [[String: Any]] ?? []).map {
            "\($0["shape"] as? String ?? "?") \($0["wrapper"] as? String ?? "-") \($0["count"] as? Int ?? -1)"
        }
    }

    func pointers(_ report: [String: Any], _ field: String) -> [String: Int] {
        let fields = report["fields"] as? [String: Any]
        return (fields?[field] as? [String: Any])?["pointers"] as? [String: Int] ?? [:]
    }

    func nonZeroBad(_ report: [String: Any]) -> [String: Int] {
        (report["bad"] as? [String: Int] ?? [:]).filter { $0.value > 0 }
    }

    // MARK: - samples/

    /// Per sample file: lines, records (before deduplication), no usage, blank, bad, and the shapes.
    static let sampleFiles: [(path: String, lines: Int, records: Int, noUsage: Int, blank: Int, bad: [String: Int], shapes: [String])] = [
        ("samples/anthropic-messages-2026-11-27.jsonl", 16, 8, 8, 0, [:], ["anthropic_messages /response 8"]),
        ("samples/chat-completions-2026-11-26.jsonl", 15, 10, 4, 1, [:], ["chat_completions - 10"]),
        // 4 records + 8 duplicates, 4 + 5: every copy is a record here.
        ("samples/claude-code/0e9ceb15-4426-443f-a010-6036246033f8.jsonl", 19, 12, 7, 0, [:], ["claude_code - 12"]),
        ("samples/claude-code/5816ee9e-13cd-4a51-a994-43fbaf3d6114.jsonl", 15, 9, 6, 0, [:], ["claude_code - 9"]),
        // 10 bodies under response (one bad), 9 under body, 9 under data, a completed event under data.
        ("samples/gateway/gateway-2026-11-29.jsonl.gz", 31, 28, 1, 1, ["bad_usage": 1],
         ["responses_body /body 9", "responses_body /data 9", "responses_body /response 9", "responses_stream_event /data 1"]),
        ("samples/gemini-2026-11-28.jsonl", 8, 8, 0, 0, [:], ["gemini /body 5", "gemini - 3"]),
        ("samples/litellm-2026-11-29.jsonl", 9, 9, 0, 0, [:], ["flat_counts - 9"]),
        ("samples/mixed-2026-11-30.jsonl.gz", 15, 13, 2, 0, [:], [
            "chat_completions - 2", "flat_counts - 2", "usage_object - 2", "anthropic_messages /response 1", "claude_code - 1",
            "gemini - 1", "gemini /body 1", "responses_body - 1", "responses_body /body 1", "responses_stream_event - 1",
        ]),
        ("samples/openrouter-sdk-camelcase-2026-11-27.jsonl", 17, 15, 1, 1, [:], ["usage_object - 15"]),
        ("samples/openrouter-usage-2026-11-26.jsonl", 35, 30, 2, 2, ["invalid_json": 1], ["usage_object - 30"]),
        ("samples/responses-bodies-2026-11-27.jsonl", 19, 17, 1, 0, ["bad_usage": 1], ["responses_body - 17"]),
        ("samples/responses-stream-2026-11-28.jsonl.gz", 42, 6, 35, 1, [:], ["responses_stream_event - 6"]),
    ]

    @Test("each sample file: its tally and its shapes with counts", arguments: 0..<sampleFiles.count)
    func sampleFile(_ index: Int) throws {
        let expected = Self.sampleFiles[index]
        let report = try inspectJSON([expected.path])
        #expect(report["lines"] as? Int == expected.lines)
        #expect(report["records"] as? Int == expected.records)
        #expect(report["no_usage"] as? Int == expected.noUsage)
        #expect(report["blank"] as? Int == expected.blank)
        #expect(nonZeroBad(report) == expected.bad)
        #expect(report["complete"] as? Bool == true)
        // Same counts: any order; different counts: largest first.
        let shapes = shapes(report)
        #expect(shapes.sorted() == expected.shapes.sorted())
        let counts = shapes.map { Int($0.split(separator: " ").last!)! }
        #expect(counts == counts.sorted(by: >))
        #expect(report["suggested_flags"] as? [Any] != nil)
        #expect((report["suggested_flags"] as? [Any])?.isEmpty == true)
    }

    @Test("the whole samples/ directory: totals before deduplication, bad lines with file:line, no usage by type")
    func samplesDirectory() throws {
        let report = try inspectJSON(["samples"])
        // samples/README.md: 241 lines, 152 records + 13 duplicates, 67 no usage, 6 blank, 3 bad.
        #expect(report["lines"] as? Int == 241)
        #expect(report["records"] as? Int == 165)
        #expect(report["no_usage"] as? Int == 67)
        #expect(report["blank"] as? Int == 6)
        #expect(nonZeroBad(report) == ["invalid_json": 1, "bad_usage": 2])
        #expect(report["sample_limit"] as? Int == 10_000)
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.count == 12)
        #expect(files.allSatisfy { $0["status"] as? String == "ok" })
        #expect(files.map { $0["lines"] as? Int ?? -1 }.reduce(0, +) == 241)
        let bad = try #require(report["bad_lines"] as? [[String: Any]])
        #expect(bad.map { "\($0["file"]!):\($0["line"]!): \($0["reason"]!)" } == [
            "samples/gateway/gateway-2026-11-29.jsonl.gz:22: bad_usage",
            "samples/openrouter-usage-2026-11-26.jsonl:25: invalid_json",
            "samples/responses-bodies-2026-11-27.jsonl:12: bad_usage",
        ])
        #expect(bad.first?["message"] as? String == "response.usage.output_tokens is negative")
        let types = try #require(report["no_usage_types"] as? [String: Int])
        #expect(types.values.reduce(0, +) == 67)
        // Claude Code: user ×8 (4 per file), system ×2, summary, snapshot, the <synthetic> assistant line.
        #expect(types["user"] == 8)
        #expect(types["system"] == 2)
        #expect(types["summary"] == 1)
        #expect(types["file-history-snapshot"] == 1)
        #expect(types["assistant"] == 1)
        // Responses stream: 35 events without usage in the stream file, one wrapped delta (no type at the top).
        #expect(types["response.output_text.delta"] == 14)
        // Fields over every shape: usage found on every record, Claude Code ids as a pair.
        let fields = try #require(report["fields"] as? [String: Any])
        #expect((fields["usage"] as? [String: Any])?["found"] as? Int == 165)
        #expect(pointers(report, "id")["/message/id + /requestId"] == 22)
        #expect(pointers(report, "usage")["/message/usage"] == 22)
        let time = try #require(fields["time"] as? [String: Any])
        // The openrouter line without any time is the one record without.
        #expect(time["found"] as? Int == 164)
        #expect(time["min"] as? String == "2026-11-26T07:48:38Z")
        #expect((report["suggested_flags"] as? [Any])?.isEmpty == true)
    }

    @Test("LiteLLM payloads and spend logs: the pointer of every field, and sample values")
    func liteLLMPointers() throws {
        let report = try inspectJSON(["samples/litellm-2026-11-29.jsonl"])
        #expect(pointers(report, "usage") == ["": 9])
        #expect(pointers(report, "usage_details") == ["/response/usage": 4])
        #expect(pointers(report, "time") == ["/startTime": 9])
        #expect(pointers(report, "model") == ["/model": 9])
        #expect(pointers(report, "key") == ["/metadata/user_api_key_hash": 5, "/api_key": 4])
        #expect(pointers(report, "user") == ["/end_user": 4, "/user": 3, "/metadata/user_api_key_user_id": 1])
        #expect(pointers(report, "provider") == ["/custom_llm_provider": 9])
        #expect(pointers(report, "status") == ["/status": 9])
        #expect(pointers(report, "id") == ["/id": 5, "/request_id": 4])
        #expect(pointers(report, "cost") == ["/response_cost": 5, "/spend": 4])
        let fields = try #require(report["fields"] as? [String: Any])
        let status = try #require((fields["status"] as? [String: Any])?["samples"] as? [[String: Any]])
        #expect(status.map { "\($0["value"]!) \($0["count"]!)" } == ["success 7", "failure 2"])
        let time = try #require(fields["time"] as? [String: Any])
        #expect(time["min"] as? String == "2026-11-29T07:45:12Z")
        #expect(time["max"] as? String == "2026-11-29T23:59:59Z")
        // The key flags carry their JSON order: counts first.
        let result = try tokentally(["inspect", "--json", "samples/litellm-2026-11-29.jsonl"], in: packageRoot)
        #expect(result.stdout.contains("\"pointers\": {\n        \"/metadata/user_api_key_hash\": 5,\n        \"/api_key\": 4\n      }"))
    }

    @Test("a provider taken from the model id's prefix is the text before the slash")
    func providerFromModel() throws {
        let report = try inspectJSON(["samples/openrouter-usage-2026-11-26.jsonl"])
        #expect(pointers(report, "provider") == ["/model (prefix)": 30])
        let fields = try #require(report["fields"] as? [String: Any])
        let samples = try #require((fields["provider"] as? [String: Any])?["samples"] as? [[String: Any]])
        #expect(samples.allSatisfy { !($0["value"] as? String ?? "/").contains("/") })
        #expect(samples.contains { $0["value"] as? String == "openai" })
    }

    // MARK: - The sample's size

    @Test("--lines 5 stops after 5 lines: the first input is partly read, the others not at all")
    func linesLimit() throws {
        let report = try inspectJSON(["samples", "--lines", "5"])
        #expect(report["lines"] as? Int == 5)
        #expect(report["records"] as? Int == 5)
        #expect(report["complete"] as? Bool == false)
        #expect(report["sample_limit"] as? Int == 5)
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.map { $0["status"] as? String ?? "" } == ["partly_read"] + Array(repeating: "not_read", count: 11))
        #expect(files.first?["lines"] as? Int == 5)
        #expect(shapes(report) == ["anthropic_messages /response 5"])
    }

    @Test("the default sample is 10 000 lines; --all reads everything, also through gzip")
    func defaultSampleAndAll() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = (0..<10_003).map { usageLine(input: $0, output: 1) }.joined(separator: "\n") + "\n"
        try scratch.write("big.jsonl", log)
        let sampled = try inspectJSON(["big.jsonl"], in: scratch.url)
        #expect(sampled["lines"] as? Int == 10_000)
        #expect(sampled["complete"] as? Bool == false)
        let all = try inspectJSON(["big.jsonl", "--all"], in: scratch.url)
        #expect(all["lines"] as? Int == 10_003)
        #expect(all["records"] as? Int == 10_003)
        #expect(all["complete"] as? Bool == true)
        #expect(all["sample_limit"] is NSNull)

        try scratch.write("big.jsonl.gz", storedGzip(Array(log.utf8)))
        let gzip = try inspectJSON(["big.jsonl.gz", "--lines", "10003"], in: scratch.url)
        #expect(gzip["lines"] as? Int == 10_003)
        #expect(gzip["complete"] as? Bool == true)
        let cut = try inspectJSON(["big.jsonl.gz", "--lines", "7"], in: scratch.url)
        #expect(cut["lines"] as? Int == 7)
        // Stopping inside a gzip stream on purpose is not damage.
        let files = try #require(cut["files"] as? [[String: Any]])
        #expect(files.first?["status"] as? String == "partly_read")
        #expect(files.first?["problem"] is NSNull)
    }

    // MARK: - Bad lines and damaged inputs

    @Test("bad lines are listed with file and line number; the counts cover every reason")
    func badLines() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("a.jsonl", [
            usageLine(input: 1, output: 1),
            "{\"usage\":{\"input_tokens\":\"3\",\"output_tokens\":1}}",
            "",
            "[1,2]",
            "{\"x\":",
        ].joined(separator: "\n") + "\n")
        let report = try inspectJSON(["a.jsonl"], in: scratch.url)
        #expect(report["lines"] as? Int == 5)
        #expect(report["records"] as? Int == 1)
        #expect(report["blank"] as? Int == 1)
        #expect(nonZeroBad(report) == ["bad_usage": 1, "not_object": 1, "invalid_json": 1])
        let bad = try #require(report["bad_lines"] as? [[String: Any]])
        #expect(bad.map { "\($0["file"]!):\($0["line"]!): \($0["reason"]!): \($0["message"]!)" } == [
            "a.jsonl:2: bad_usage: usage.input_tokens is a string, not a number",
            "a.jsonl:4: not_object: the line is JSON but not an object (it is an array)",
            "a.jsonl:5: invalid_json: the line ends inside a JSON value at byte 6",
        ])
    }

    @Test("a damaged input is reported with its byte offset and the next one is read; exit 0")
    func damagedInput() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let gzip = storedGzip(Array((usageLine(input: 1, output: 1) + "\n").utf8))
        try scratch.write("a-cut.jsonl.gz", Array(gzip.prefix(gzip.count - 4)))
        try scratch.write("b.jsonl", usageLine(input: 2, output: 2) + "\n")
        let result = try tokentally(["inspect", "--json", "a-cut.jsonl.gz", "b.jsonl"], in: scratch.url)
        #expect(result.status == 0)
        #expect(result.stderrLines.count == 1)
        #expect(result.stderrLines.first?.hasPrefix("tokentally: a-cut.jsonl.gz: failed: ") == true)
        #expect(result.stderrLines.first?.contains("at byte \(gzip.count - 4)") == true)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.map { $0["status"] as? String ?? "" } == ["failed", "ok"])
        #expect((files[0]["problem"] as? String)?.hasPrefix("a-cut.jsonl.gz: failed: ") == true)
        #expect(files[1]["lines"] as? Int == 1)
    }

    @Test("exit 1 when no input can be read at all; exit 64 for usage errors")
    func exitCodes() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("a.jsonl.gz", "not gzip\n")
        try scratch.directory("empty")
        let failed = try tokentally(["inspect", "a.jsonl.gz"], in: scratch.url)
        #expect(failed.status == 1)
        #expect(failed.stdout == "")
        #expect(failed.stderrLines.last?.hasPrefix("tokentally: no input could be read: a.jsonl.gz: failed: not gzip") == true)
        #expect(try tokentally(["inspect", "missing.jsonl"], in: scratch.url).status == 1)
        #expect(try tokentally(["inspect", "empty"], in: scratch.url).status == 1)
        #expect(try tokentally(["inspect"], in: scratch.url).status == 64)
        #expect(try tokentally(["inspect", "a.jsonl.gz", "--field", "team"], in: scratch.url).status == 64)
        #expect(try tokentally(["inspect", "a.jsonl.gz", "--field", "time=ts"], in: scratch.url).status == 64)
        #expect(try tokentally(["inspect", "a.jsonl.gz", "--lines", "0"], in: scratch.url).status == 64)
    }

    // MARK: - Suggested flags

    @Test("Langfuse-like usageDetails: usage=/usageDetails is suggested, saying which names tokentally expects")
    func langfuseSuggestion() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("langfuse.jsonl", [
            "{\"startTime\":\"2026-11-28T10:00:00Z\",\"model\":\"gpt-4o\",\"usageDetails\":{\"input\":10,\"output\":5}}",
            "{\"startTime\":\"2026-11-28T10:01:00Z\",\"model\":\"gpt-4o-mini\",\"usageDetails\":{\"input\":12,\"output\":7,\"total\":19}}",
            "{\"type\":\"health\",\"ok\":true}",
        ].joined(separator: "\n") + "\n")
        let report = try inspectJSON(["langfuse.jsonl"], in: scratch.url)
        #expect(report["records"] as? Int == 0)
        #expect(report["no_usage_types"] as? [String: Int] == ["(no type)": 2, "health": 1])
        let flags = try #require(report["suggested_flags"] as? [[String: Any]])
        // startTime and model are where tokentally looks anyway: nothing to propose for them.
        #expect(flags.map { $0["flag"] as? String ?? "" } == ["--field usage=/usageDetails"])
        #expect(flags.first?["lines"] as? Int == 2)
        #expect(flags.first?["pointer"] as? String == "/usageDetails")
        let reason = try #require(flags.first?["reason"] as? String)
        #expect(reason.contains("input_tokens or prompt_tokens"))
        #expect(reason.contains("output_tokens or completion_tokens"))
        #expect(reason.contains("0 become records, 2 bad_usage"))
    }

    @Test("OpenRouter-style tokens_prompt/tokens_completion at the top: usage= (the line itself), names flagged")
    func flatCountsWithOtherNames() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("or.jsonl", "{\"created_at\":\"2026-11-28T10:00:00Z\",\"model\":\"x\",\"tokens_prompt\":10,\"tokens_completion\":5}\n")
        let report = try inspectJSON(["or.jsonl"], in: scratch.url)
        let flags = try #require(report["suggested_flags"] as? [[String: Any]])
        #expect(flags.map { "\($0["flag"]!) \($0["lines"]!)" } == ["--field usage= 1"])
        let reason = try #require(flags.first?["reason"] as? String)
        #expect(reason.hasPrefix("looks like token counts (tokens_completion, tokens_prompt), but a usage object needs tokentally's names"))
        #expect(reason.hasSuffix("tried on the 1 sampled line without usage: 0 become records, 1 bad_usage"))
    }

    @Test("usage where tokentally does not look: usage, time, model and key flags, each with its line count")
    func unrecognisedLog() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let log = [
            "{\"at\":\"2026-11-28T10:00:00Z\",\"llm\":{\"model_name\":\"gpt-4o\",\"apiKey\":\"k1\"},\"result\":{\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}}",
            "{\"at\":\"2026-11-28T10:00:05Z\",\"llm\":{\"model_name\":\"gpt-4o\",\"apiKey\":\"k2\"},\"result\":{\"usage\":{\"input_tokens\":11,\"output_tokens\":6}}}",
            "{\"at\":1795938312,\"llm\":{\"model_name\":\"o3\"},\"result\":{\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}",
            // A stream event: no usage on purpose, never a suggestion.
            "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}",
        ].joined(separator: "\n") + "\n"
        try scratch.write("app.jsonl", log)
        let report = try inspectJSON(["app.jsonl"], in: scratch.url)
        let flags = try #require(report["suggested_flags"] as? [[String: Any]])
        #expect(flags.map { "\($0["flag"]!) \($0["lines"]!)" } == [
            "--field usage=/result/usage 3",
            "--field time=/at 3",
            "--field model=/llm/model_name 3",
            "--field key=/llm/apiKey 2",
        ])
        #expect((flags.first?["reason"] as? String)?.contains("3 become records") == true)

        // Passing the flags makes them records with every field: nothing left to propose.
        let fixed = try inspectJSON([
            "app.jsonl", "--field", "usage=/result/usage", "--field", "time=/at", "--field", "model=/llm/model_name",
            "--field", "key=/llm/apiKey",
        ], in: scratch.url)
        #expect(fixed["records"] as? Int == 3)
        #expect(fixed["no_usage"] as? Int == 1)
        #expect(shapes(fixed) == ["field_pointer - 3"])
        #expect(pointers(fixed, "usage") == ["/result/usage": 3])
        #expect(pointers(fixed, "time") == ["/at": 3])
        #expect(pointers(fixed, "model") == ["/llm/model_name": 3])
        #expect(pointers(fixed, "key") == ["/llm/apiKey": 2])
        #expect((fixed["suggested_flags"] as? [Any])?.isEmpty == true)
    }

    @Test("records without a time: time=/when is suggested; with a time on most records, nothing")
    func missingTime() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try scratch.write("when.jsonl", [
            "{\"usage\":{\"input_tokens\":10,\"output_tokens\":5},\"when\":1795938312,\"model\":\"x\",\"tokens_in\":1795938312}",
            "{\"usage\":{\"input_tokens\":10,\"output_tokens\":5},\"when\":\"2026-11-28 10:00:00\",\"model\":\"x\"}",
        ].joined(separator: "\n") + "\n")
        let report = try inspectJSON(["when.jsonl"], in: scratch.url)
        let flags = try #require(report["suggested_flags"] as? [[String: Any]])
        // tokens_in holds an epoch-sized number too, but its name says it is a count. No key anywhere: nothing for key.
        #expect(flags.map { "\($0["flag"]!) \($0["lines"]!)" } == ["--field time=/when 2"])
        #expect((flags.first?["reason"] as? String)?.contains("2 of 2 records have no time") == true)

        let fixed = try inspectJSON(["when.jsonl", "--field", "time=/when"], in: scratch.url)
        #expect(pointers(fixed, "time") == ["/when": 2])
        #expect((fixed["suggested_flags"] as? [Any])?.isEmpty == true)
    }

    @Test("a custom --field is honoured: its pointer, how often it was found, its values")
    func customField() throws {
        let report = try inspectJSON(["samples/litellm-2026-11-29.jsonl", "--field", "team=/metadata/user_api_key_team_id"])
        // The payloads' metadata object and the spend logs' JSON-encoded metadata string alike.
        #expect(pointers(report, "team") == ["/metadata/user_api_key_team_id": 9])
        let fields = try #require(report["fields"] as? [String: Any])
        let samples = try #require((fields["team"] as? [String: Any])?["samples"] as? [[String: Any]])
        #expect(samples.map { "\($0["value"]!) \($0["count"]!)" } == ["team-a 5", "team-b 4"])
        // And the order of the keys: built-in fields, then custom ones.
        let result = try tokentally(["inspect", "--json", "samples/litellm-2026-11-29.jsonl", "--field", "team=/x"], in: packageRoot)
        let keys = ["\"usage\": {", "\"time\": {", "\"model\": {", "\"cost\": {", "\"team\": {"]
        let positions = keys.compactMap { result.stdout.range(of: $0)?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted())
    }

    // MARK: - Text output

    @Test("the text output has every section, and - reads standard input")
    func textOutput() throws {
        let result = try tokentally(
            ["inspect", "-"], in: packageRoot, stdinPath: packageRoot.appendingPathComponent("samples/litellm-2026-11-29.jsonl").path)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "9 lines sampled (all lines of 1 input): 9 records, 0 without usage, 0 bad, 0 blank")
        for title in ["Inputs", "Shapes", "Fields (of 9 records)", "Without usage (by type)", "Bad lines", "Suggested flags"] {
            #expect(lines.contains(title), "no section \(title)")
        }
        #expect(lines.contains { $0.hasPrefix("  flat counts (LiteLLM, Helicone)") && $0.hasSuffix("usage at / (the line) (details from /response/usage)") })
        #expect(lines.contains { $0.hasPrefix("  time ") && $0.contains(" 9  /startTime (9) ") && $0.hasSuffix("  2026-11-29T07:45:12Z … 2026-11-29T23:59:59Z") })
        #expect(lines.contains { $0.hasPrefix("  -") && $0.hasSuffix("9 lines  ok") })
    }
}
