import Foundation
import TallyPipeline
import TestSupport
import Testing

/// Claude Code transcripts: each message is written once per content block, with the same
/// `message.id` and `requestId` and a growing `output_tokens`. Without any flag, each message
/// counts once — the last (largest) usage, at the first copy's time — whatever the order of
/// lines, files and threads.
@Suite struct ClaudeCodePipelineTests {
    static func assistant(_ message: String, _ request: String?, _ time: String, output: Int, input: Int, read: Int, write: Int) -> String {
        let requestField = request.map { #""requestId":"\#($0)","# } ?? ""
        return #"{"type":"assistant","sessionId":"s","uuid":"u-\#(message)-\#(output)",\#(requestField)"timestamp":"\#(time)","message":{"id":"\#(message)","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"…"}],"stop_reason":null,"usage":{"input_tokens":\#(input),"cache_creation_input_tokens":\#(write),"cache_read_input_tokens":\#(read),"output_tokens":\#(output),"service_tier":"standard"}}}"#
    }

    /// Message A: 3 copies (output 10, 150, 299) from 23:59:58 on the 28th to 00:00:04 on the
    /// 29th; input 4 + read 1000 + write 100 = 1104. Message B: 5 copies (5 … 120) on the 29th,
    /// input 10. Message C: 2 copies (7, 9) without `requestId`, input 3. A user line and a
    /// `<synthetic>` notice carry no usage.
    static let lines = [
        assistant("msg_A", "req_A", "2026-11-28T23:59:58.100Z", output: 10, input: 4, read: 1000, write: 100),
        assistant("msg_A", "req_A", "2026-11-29T00:00:01.000Z", output: 150, input: 4, read: 1000, write: 100),
        assistant("msg_A", "req_A", "2026-11-29T00:00:04.000Z", output: 299, input: 4, read: 1000, write: 100),
        assistant("msg_B", "req_B", "2026-11-29T10:00:00.000Z", output: 5, input: 10, read: 0, write: 0),
        assistant("msg_B", "req_B", "2026-11-29T10:00:01.000Z", output: 20, input: 10, read: 0, write: 0),
        assistant("msg_B", "req_B", "2026-11-29T10:00:02.000Z", output: 40, input: 10, read: 0, write: 0),
        assistant("msg_B", "req_B", "2026-11-29T10:00:03.000Z", output: 80, input: 10, read: 0, write: 0),
        assistant("msg_B", "req_B", "2026-11-29T10:00:04.000Z", output: 120, input: 10, read: 0, write: 0),
        assistant("msg_C", nil, "2026-11-29T11:00:00.000Z", output: 7, input: 3, read: 0, write: 0),
        assistant("msg_C", nil, "2026-11-29T11:00:02.000Z", output: 9, input: 3, read: 0, write: 0),
        #"{"type":"user","timestamp":"2026-11-29T09:59:59.000Z","message":{"role":"user","content":"go on"}}"#,
        #"{"type":"assistant","timestamp":"2026-11-29T12:00:00.000Z","isApiErrorMessage":true,"message":{"id":"x","model":"<synthetic>","usage":{"input_tokens":0,"output_tokens":0}}}"#,
    ]

    /// By hand: the 28th holds A (1 request, input 1104, cached 1000, write 100, output 299,
    /// total 1403); the 29th B and C (2 requests, input 13, output 129, total 142).
    static let expected = header("day,model")
        + "2026-11-28,claude-sonnet-4-5,1,1104,1000,100,299,0,1403,\n"
        + "2026-11-29,claude-sonnet-4-5,2,13,0,0,129,0,142,\n"

    @Test func eachMessageOnceWithItsLastUsageAtItsFirstTime() throws {
        let scratch = try TemporaryDirectory()
        // Copies spread over two session files (a resumed session repeats history), shuffled.
        var generator = SplitMix64(seed: 7)
        for round in 0..<4 {
            let shuffled = Self.lines.shuffled(using: &generator)
            let a = try scratch.write("a-\(round).jsonl", shuffled[..<5].joined(separator: "\n") + "\n")
            let b = try scratch.write("b-\(round).jsonl", shuffled[5...].joined(separator: "\n") + "\n")
            for threads in [1, 2] {
                let run = try runPipeline([a, b], threads: threads)
                #expect(run.csv == Self.expected, "round \(round), threads \(threads)")
                #expect(Terms(run.report.totals) == Terms(linesRead: 12, records: 3, noUsage: 2, duplicates: 7))
                #expect(run.report.totals.isBalanced)
            }
        }
    }

    /// `--dedup` changes nothing for Claude Code lines (they always are).
    @Test func dedupFlagGivesTheSame() throws {
        let scratch = try TemporaryDirectory()
        let file = try scratch.write("s.jsonl", Self.lines.joined(separator: "\n") + "\n")
        #expect(try runPipeline([file], dedup: true).csv == Self.expected)
        #expect(try runPipeline([file]).csv == Self.expected)
    }
}
