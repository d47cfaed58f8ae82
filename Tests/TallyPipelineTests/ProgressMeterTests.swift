import TestSupport
import Foundation
import Testing
import TallyPipeline

#if canImport(Glibc)
import Glibc
#endif

/// The progress line's text, and what the pipeline counts into it (issue 5, item 5).
@Suite struct ProgressMeterTests {
    @Test("the line reads files, bytes of the total, speed, records, elapsed time and ETA")
    func line() {
        let snapshot = ProgressMeter.Snapshot(
            files: 3, totalFiles: 12, bytes: 1_200_000_000, totalBytes: 4_000_000_000, records: 12_345_678,
            elapsed: .seconds(40))
        // 30 MB/s; 2.8 GB left → 93 s.
        #expect(snapshot.line == "files 3/12 · 1.2 GB/4.0 GB · 30.0 MB/s · 12,345,678 records · 0:40 elapsed · ETA 1:33")
    }

    @Test("without a total (standard input) neither the total nor the ETA is shown")
    func unknownTotal() {
        let snapshot = ProgressMeter.Snapshot(
            files: 0, totalFiles: 1, bytes: 410_000_000, totalBytes: nil, records: 999, elapsed: .seconds(1))
        #expect(snapshot.line == "files 0/1 · 410 MB · 410 MB/s · 999 records · 0:01 elapsed")
    }

    @Test("at the start the speed is 0 and the ETA unknown; when all is read the ETA is 0:00")
    func edges() {
        let start = ProgressMeter.Snapshot(files: 0, totalFiles: 2, bytes: 0, totalBytes: 2048, records: 0, elapsed: .zero)
        #expect(start.line == "files 0/2 · 0 B/2.0 kB · 0 B/s · 0 records · 0:00 elapsed · ETA -:--")
        let done = ProgressMeter.Snapshot(
            files: 2, totalFiles: 2, bytes: 2048, totalBytes: 2048, records: 1000, elapsed: .seconds(3723))
        #expect(done.line == "files 2/2 · 2.0 kB/2.0 kB · 1 B/s · 1,000 records · 1:02:03 elapsed · ETA 0:00")
    }

    @Test("a run counts every raw byte and file and record, and the line ends erased")
    func pipelineCounts() throws {
        let scratch = try TemporaryDirectory()
        let line = "{\"timestamp\":\"2026-11-28T10:00:00Z\",\"model\":\"m\",\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}\n"
        let plain = try scratch.write("a.jsonl", String(repeating: line, count: 5000))
        let gzipped = try scratch.write("b.jsonl.gz", storedGzip(Array(String(repeating: line, count: 3000).utf8)))
        let sizes = try [plain, gzipped].map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as! Int }

        let fd = open(scratch.path("progress.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        let meter = ProgressMeter(descriptor: fd)
        var configuration = SummarizeConfiguration(inputs: [scratch.path])
        configuration.batchBytes = 4096
        configuration.outputPath = scratch.path("out.csv")
        configuration.progress = meter
        let report = try SummarizePipeline.run(configuration)
        #expect(report.totals.records == 8000)

        let snapshot = meter.snapshot
        #expect(snapshot.files == 2 && snapshot.totalFiles == 2)
        #expect(snapshot.bytes == Int64(sizes.reduce(0, +)))
        #expect(snapshot.totalBytes == Int64(sizes.reduce(0, +)))
        #expect(snapshot.records == 8000)
        let drawn = try scratch.read("progress.txt")
        #expect(drawn.hasPrefix("\rfiles 0/2 · "))
        #expect(drawn.contains("\rfiles 2/2 · "))
        #expect(drawn.contains(" · 8,000 records · "))
        #expect(drawn.hasSuffix("\u{1B}[K\r\u{1B}[K"))
    }

    @Test("a stop request ends the run with .interrupted before anything is published")
    func stopBeforeWriting() throws {
        let scratch = try TemporaryDirectory()
        try scratch.write("a.jsonl", "{\"usage\":{\"input_tokens\":1,\"output_tokens\":2}}\n")
        try scratch.write("out.csv", "previous\n")
        var configuration = SummarizeConfiguration(inputs: [scratch.path("a.jsonl")])
        configuration.outputPath = scratch.path("out.csv")
        configuration.reportPath = scratch.path("report.json")
        let stop = StopRequest()
        stop.request(signal: SIGTERM)
        stop.request(signal: SIGINT)  // the first signal is the one remembered
        configuration.stop = stop
        #expect(throws: SummarizePipeline.Failure.self) { try SummarizePipeline.run(configuration) }
        do {
            _ = try SummarizePipeline.run(configuration)
        } catch .interrupted(let signal) {
            #expect(signal == SIGTERM)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(try scratch.read("out.csv") == "previous\n")
        #expect(try scratch.names() == ["a.jsonl", "out.csv"])
    }
}
