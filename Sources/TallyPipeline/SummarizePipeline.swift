import Dispatch
import Foundation
import Synchronization
import LineFraming
import LogInput
import SummaryOutput
import UsageAggregation
import UsageDecoding

/// The `summarize` pipeline, stage by stage:
///
/// ```
/// 1 read & inflate ─► 2 frame lines ─► 3 decode usage ─► 4 aggregate ─► 5 write
///   (LogInput)         (LineFraming)     (UsageDecoding)    (UsageAggregation) (SummaryOutput)
/// └──────── reader thread ─────────┘ └──── N decoding threads ────┘ └─ calling thread ─┘
/// ```
///
/// 1–2. One reader thread walks the inputs in name order, inflates each (verifying every gzip
///      member) straight into the line framer, and puts batches of whole lines into a bounded
///      queue, then an end-of-input marker carrying stage 1's verdict.
/// 3–4. `concurrentPerform` runs N decoding threads; each takes batches from the queue,
///      decodes them into its own group table, and merges that table into the input's partial
///      under one short lock per batch. An input's partial joins the totals only once the input
///      is verified (or `--salvage`d).
/// 5.   The totals are sorted and written atomically, with the run report.
///
/// Threads, queue length and batch size change speed, never the output: every merge is an
/// exact sum, and rows are sorted by value.
public enum SummarizePipeline {
    /// Something that stops the run before any output is written (exit 1).
    public enum Failure: Error, CustomStringConvertible {
        case input(InputDiscoveryError)
        case output(OutputError)
        case sumOverflow
        case deduplication(DedupError)
        /// SIGINT or SIGTERM stopped the run (exit 128 + the signal).
        case interrupted(signal: Int32)

        public var description: String {
            switch self {
            case .input(let error): return error.description
            case .output(let error): return error.description
            case .sumOverflow: return "a sum exceeded the 128-bit range; no output was written"
            case .deduplication(let error): return "deduplication failed: \(error)"
            case .interrupted: return "interrupted, nothing written"
            }
        }
    }

    /// Most line batches (~1 MiB each) waiting between the reader and the decoding threads.
    static let maxQueuedBatches = 32

    /// Runs the whole pipeline and writes the outputs; returns the run report.
    public static func run(_ configuration: SummarizeConfiguration) throws(Failure) -> RunReport {
        let inputs: [InputFile]
        do {
            inputs = try InputDiscovery.discover(configuration.inputs)
        } catch {
            throw .input(error)
        }

        // Open the outputs first: a bad path should fail before hours of reading.
        let output: OutputFile
        let reportOutput: OutputFile?
        do {
            output = try configuration.outputPath.map { path throws(OutputError) in try OutputFile.atomic(path: path) }
                ?? OutputFile.standardOutput()
            reportOutput = try configuration.reportPath.map { path throws(OutputError) in try OutputFile.atomic(path: path) }
        } catch {
            throw .output(error)
        }
        configuration.progress?.start(totalFiles: inputs.count, totalBytes: ProgressMeter.totalBytes(of: inputs))
        defer { configuration.progress?.finish() }

        let (table, report): (SummaryTable?, RunReport)
        do {
            (table, report) = try summarize(inputs, configuration)
        } catch {
            output.abandon()
            reportOutput?.abandon()
            throw error
        }
        guard let table else {
            output.abandon()
            reportOutput?.abandon()
            throw .sumOverflow
        }
        if let signal = configuration.stop?.signal {
            output.abandon()
            reportOutput?.abandon()
            throw .interrupted(signal: signal)
        }

        // Stage 5.
        do {
            try CSVSummaryWriter.write(table, to: output)
            try reportOutput?.write(report.json)
            // Both on disk before either replaces its previous file.
            try OutputFile.commit([output] + (reportOutput.map { [$0] } ?? []))
        } catch {
            output.abandon()
            reportOutput?.abandon()
            throw .output(error)
        }
        return report
    }

    /// Stages 1–4 over `inputs`: the sorted summary and the run report, or a nil table when a
    /// sum overflowed.
    static func summarize(_ inputs: [InputFile], _ configuration: SummarizeConfiguration) throws(Failure) -> (SummaryTable?, RunReport) {
        let threads = max(1, configuration.threads)
        // Two batches per thread keep every thread fed; the cap keeps memory flat for any
        // --threads (one reader cannot fill more anyway).
        let queueCapacity = min(2 * threads + 2, maxQueuedBatches)
        let queue = BoundedQueue<WorkItem>(capacity: queueCapacity)
        // One reader per decoding thread, but never more than there are inputs: several inputs
        // inflate in parallel (one input's gzip stream cannot be split).
        let readers = max(1, min(inputs.count, threads))
        // Enough buffers for every batch that can be in flight: queued, being decoded, being filled.
        let pool = ByteStoragePool(
            capacity: LineFramer.standardCapacity(batchBytes: configuration.batchBytes),
            limit: queueCapacity + threads + readers + 1)
        let collector = RunCollector(
            files: inputs, plan: configuration.groupingPlan, window: configuration.window, salvage: configuration.salvage)

        // Stages 1–2 on reader threads of their own, taking inputs in name order.
        let cursor = InputCursor(inputs: inputs.count, readers: readers)
        let readersDone = DispatchSemaphore(value: 0)
        for number in 0..<readers {
            let reader = Thread {
                while configuration.stop?.isRequested != true, let index = cursor.next() {
                    readInput(index, inputs[index], configuration, pool: pool, into: queue)
                    configuration.progress?.fileDone()
                }
                // The last reader to finish tells every decoding thread that no work is left.
                if cursor.readerFinished() {
                    for _ in 0..<threads { queue.put(.finished) }
                }
                readersDone.signal()
            }
            reader.name = "tokentally-reader-\(number)"
            reader.start()
        }

        // Stages 3–4 on the decoding threads.
        let overflowed = Mutex(false)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let worker = BatchDecoder(configuration: configuration)
            var translation: [UInt32] = []
            while true {
                switch queue.take() {
                case .batch(let file, let sequence, let batch):
                    if configuration.stop?.isRequested == true {
                        batch.release(to: pool)  // stopping: nothing decoded now is published
                        continue
                    }
                    let result = worker.decode(batch, fileName: inputs[file].displayName)
                    collector.absorb(
                        file: file, batch: sequence, result: result, table: worker.table,
                        dedupCopies: worker.dedupCopies, strings: worker.keys.strings, translation: &translation)
                    worker.table.removeAll()
                    worker.dedupCopies.removeAll()
                    batch.release(to: pool)
                    configuration.progress?.addRecords(result.tally.records)
                case .end(let file, let outcome, let batches, let fragmentBytes, let mapping):
                    collector.end(file: file, outcome: outcome, batches: batches, fragmentBytes: fragmentBytes, mapping: mapping)
                case .finished:
                    if worker.overflowed { overflowed.withLock { $0 = true } }
                    return
                }
            }
        }
        for _ in 0..<readers { readersDone.wait() }
        if let signal = configuration.stop?.signal { throw .interrupted(signal: signal) }

        let finished: (table: GroupTable, strings: StringInterner, files: [FileReport], overflowed: Bool)
        do {
            finished = try collector.finish()
        } catch {
            throw .deduplication(error)
        }
        let (table, strings, files, collectorOverflowed) = finished
        var report = RunReport()
        report.files = files
        report.maxBadLines = configuration.maxBadLines
        for file in files { report.totals += file.tally }
        if collectorOverflowed || overflowed.withLock({ $0 }) { return (nil, report) }

        let summary = SummaryTable(table: table, columns: configuration.columns, strings: strings)
        report.rows = summary.rows.count
        report.cellsExceedingInt64 = SummarySchema.cellsExceedingInt64(summary).map { "row \($0.row + 1): \($0.column)" }
        return (summary, report)
    }

    /// What the reader thread hands to the decoding threads.
    enum WorkItem: Sendable {
        /// Batch number `sequence` (from 0) of input `file`.
        case batch(file: Int, sequence: Int, LineBatch)
        /// Input `file` has ended after `batches` batches, with stage 1's verdict (and, for a
        /// mapped file, the mapping, checked for truncation once its batches are decoded).
        case end(file: Int, outcome: InputOutcome, batches: Int, fragmentBytes: Int, mapping: MappedFile?)
        /// No more work: one per decoding thread.
        case finished
    }

    /// Stages 1–2 for one input: reads it into line batches, then its end marker.
    private static func readInput(
        _ index: Int, _ input: InputFile, _ configuration: SummarizeConfiguration, pool: ByteStoragePool,
        into queue: BoundedQueue<WorkItem>
    ) {
        var sequence = 0
        let send = { (batch: LineBatch) in
            queue.put(.batch(file: index, sequence: sequence, batch))
            sequence += 1
        }
        var source: FileByteSource
        do {
            source = try input.open()
        } catch {
            var outcome = InputOutcome()
            outcome.failure = InputFailure(kind: .readError, offset: 0, detail: "cannot open: \(error.message)")
            queue.put(.end(file: index, outcome: outcome, batches: 0, fragmentBytes: 0, mapping: nil))
            return
        }

        // A plain file is mapped and framed in place: no copy out of the page cache.
        if let mapped = MappedFile.plainText(descriptor: source.descriptor, namedGzip: input.isNamedGzip) {
            var counted = 0
            let count = { (end: Int) in
                configuration.progress?.addBytes(end - counted)
                counted = end
            }
            MappedFraming.frame(mapped, batchBytes: configuration.batchBytes, maxLineBytes: configuration.maxLineBytes) { batch in
                if let start = mapped.bytes.baseAddress { count(batch.base - UnsafeRawPointer(start) + batch.byteCount) }
                send(batch)
            }
            count(mapped.bytes.count)
            var outcome = InputOutcome()
            outcome.bytesRead = Int64(mapped.bytes.count)
            outcome.bytesDecompressed = Int64(mapped.bytes.count)
            queue.put(.end(file: index, outcome: outcome, batches: sequence, fragmentBytes: 0, mapping: mapped))
            return
        }

        var framer = LineFramer(
            batchBytes: configuration.batchBytes, maxLineBytes: configuration.maxLineBytes, pool: pool, emit: send)
        var watched = WatchedByteSource(source, progress: configuration.progress, stop: configuration.stop)
        let outcome = InputReader.read(&watched, namedGzip: input.isNamedGzip, backend: configuration.inflate, into: &framer)
        let ending = framer.finish(cleanEnd: outcome.failure == nil)
        queue.put(.end(file: index, outcome: outcome, batches: sequence, fragmentBytes: ending.fragmentBytes, mapping: nil))
    }
}

/// Hands inputs to the reader threads in name order, and tells the last reader that it is.
final class InputCursor: Sendable {
    private let state: Mutex<(next: Int, readersLeft: Int)>
    private let count: Int

    init(inputs: Int, readers: Int) {
        count = inputs
        state = Mutex((0, readers))
    }

    /// The next input to read, or nil when all are taken.
    func next() -> Int? {
        state.withLock { state in
            guard state.next < count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }

    /// Records that a reader is done; true for the last one.
    func readerFinished() -> Bool {
        state.withLock { state in
            state.readersLeft -= 1
            return state.readersLeft == 0
        }
    }
}
