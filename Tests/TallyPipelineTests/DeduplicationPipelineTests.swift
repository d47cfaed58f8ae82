import Foundation
import TallyPipeline
import TestSupport
import Testing

/// `--dedup` across inputs: one record per request id, the copy with the largest output at the
/// earliest time of all copies; the other copies are `duplicates_dropped` where they were read,
/// and the output does not depend on operand order or threads.
@Suite struct DeduplicationPipelineTests {
    /// `r1` three times: output 5 at 23:59 on the 28th, 50 at 00:01 and 20 at 00:00:30 on the
    /// 29th → one record, output 50, input 10, on the 28th (its earliest copy). `r2` twice,
    /// identical. `r3` once. One line without an id is always counted.
    static let first = [
        #"{"id":"r1","timestamp":"2026-11-28T23:59:00Z","model":"m","usage":{"input_tokens":10,"output_tokens":5}}"#,
        #"{"id":"r1","timestamp":"2026-11-29T00:01:00Z","model":"m","usage":{"input_tokens":10,"output_tokens":50}}"#,
        #"{"id":"r2","timestamp":"2026-11-29T10:00:00Z","model":"m","usage":{"input_tokens":1,"output_tokens":1}}"#,
        #"{"timestamp":"2026-11-29T11:00:00Z","model":"m","usage":{"input_tokens":100,"output_tokens":100}}"#,
    ].joined(separator: "\n") + "\n"
    static let second = [
        #"{"id":"r1","timestamp":"2026-11-29T00:00:30Z","model":"m","usage":{"input_tokens":10,"output_tokens":20}}"#,
        #"{"id":"r2","timestamp":"2026-11-29T10:00:00Z","model":"m","usage":{"input_tokens":1,"output_tokens":1}}"#,
        #"{"id":"r3","timestamp":"2026-11-29T12:00:00Z","model":"m","usage":{"input_tokens":2,"output_tokens":3}}"#,
    ].joined(separator: "\n") + "\n"

    @Test func oneRecordPerRequestWhateverTheOrderAndThreads() throws {
        let scratch = try TemporaryDirectory()
        let a = try scratch.write("a.jsonl", Self.first)
        let b = try scratch.write("b.jsonl", Self.second)
        // Hand-summed: the 28th: r1 (10 in, 50 out). The 29th: r2 (1, 1), the id-less line
        // (100, 100), r3 (2, 3) → 3 requests, 103 in, 104 out.
        let expected = header("day,model") + "2026-11-28,m,1,10,0,0,50,0,60,\n" + "2026-11-29,m,3,103,0,0,104,0,207,\n"
        for inputs in [[a, b], [b, a]] {
            for threads in [1, 2] {
                let run = try runPipeline(inputs, threads: threads, dedup: true)
                #expect(run.csv == expected, "\(inputs) threads \(threads)")
                // r1's winner (output 50) is a's second line; r2's identical copies go to the
                // earlier input, a. So a drops r1's first copy, and b drops its r1 and r2.
                let files = run.report.files.map { Terms($0.tally) }
                #expect(files == [Terms(linesRead: 4, records: 3, duplicates: 1), Terms(linesRead: 3, records: 1, duplicates: 2)])
                #expect(Terms(run.report.totals) == Terms(linesRead: 7, records: 4, duplicates: 3))
                #expect(run.report.totals.isBalanced)
            }
        }
        // Without --dedup every line counts.
        let plain = try runPipeline([a, b])
        #expect(plain.csv == header("day,model") + "2026-11-28,m,1,10,0,0,5,0,15,\n" + "2026-11-29,m,6,124,0,0,175,0,299,\n")
    }

    @Test func copiesInAFailedInputDoNotCount() throws {
        let scratch = try TemporaryDirectory()
        let good = try scratch.write("a.jsonl", Self.second)
        // A truncated gzip input holding r1 with output 999: it fails, so r1 keeps b's copy.
        let damaged = #"{"id":"r1","timestamp":"2026-11-27T00:00:00Z","model":"m","usage":{"input_tokens":1,"output_tokens":999}}"# + "\n"
        let whole = storedGzip(Array((damaged + damaged).utf8))
        let cut = try scratch.write("b.jsonl.gz", Array(whole[0..<(whole.count - 20)]))
        let run = try runPipeline([good, cut], dedup: true)
        #expect(run.csv == header("day,model") + "2026-11-29,m,3,13,0,0,24,0,37,\n")
        #expect(run.report.files[1].status == .failed)
        #expect(Terms(run.report.totals) == Terms(linesRead: 5, records: 3, failedFileLines: 2))
    }
}
