import Dispatch
import FoundationEssentials
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
        case state(RunState.Failure)
        /// Another run holds the state (exit 75), or its lock file cannot be made (exit 1).
        case locked(StateLockError)
        /// SIGINT or SIGTERM stopped the run (exit 128 + the signal).
        case interrupted(signal: Int32)

        public var description: String {
            switch self {
            case .input(let error): return error.description
            case .output(let error): return error.description
            case .sumOverflow: return "a sum exceeded the 128-bit range; no output was written"
            case .deduplication(let error): return "deduplication failed: \(error)"
            case .state(let error): return error.description
            case .locked(let error): return error.description
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

        // One run at a time per state, held until this function returns.
        let lock: StateLock?
        do throws(StateLockError) {
            lock = try configuration.statePath.map { path throws(StateLockError) in
                try StateLock.acquire(directory: path, wait: configuration.stateWait)
            }
        } catch {
            throw .locked(error)
        }
        defer { lock?.release() }
        let state: RunState?
        do throws(RunState.Failure) {
            state = try configuration.statePath.map { path throws(RunState.Failure) in
                try RunState.load(directory: path, options: configuration.stateKey)
            }
        } catch {
            throw .state(error)
        }
        let plan = try InputPlan.make(inputs, state: state, forgetMissing: configuration.forgetMissing)
        let (report, partials) = try produce(plan, configuration, state: state)
        CrashPoint.afterOutputs.reach()

        // The state moves on only once the outputs are in place: a run killed before this
        // point leaves the previous state, whose next run writes the same outputs again.
        if let state {
            var entries = plan.duplicateEntries
            var newPartials: [FileFingerprint: StoredPartial] = [:]
            for (entry, partial) in zip(plan.entries, partials) {
                guard let fingerprint = entry.fingerprint, let partial else { continue }
                if entry.origin == .read {
                    // Stored only if the file did not change while it was read.
                    guard case .file(let path)? = entry.input?.location, FileFingerprint.of(path: path) == fingerprint else { continue }
                    newPartials[fingerprint] = partial
                }
                entries.append(.init(name: entry.name, fingerprint: fingerprint))
            }
            entries.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            do throws(RunState.Failure) {
                try state.commit(entries: entries, options: configuration.stateKey, newPartials: newPartials)
            } catch {
                throw .state(error)
            }
        }
        return report
    }

    /// `tokentally merge`: the summary over every input that any of the state directories
    /// `paths` remembers, each content once (the same fingerprint seen by two hosts counts
    /// once), from the stored partials alone; writes the outputs like ``run(_:)``. Every state
    /// must have been made with `configuration`'s options.
    public static func merge(states paths: [String], _ configuration: SummarizeConfiguration) throws(Failure) -> RunReport {
        var locks: [StateLock] = []
        defer { for lock in locks { lock.release() } }
        var states: [RunState] = []
        var seen = Set<String>()
        for path in paths {
            // A state named twice is one state (and its lock cannot be taken twice).
            guard seen.insert(URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path).inserted else { continue }
            guard FileManager.default.fileExists(atPath: path + "/manifest.json") else {
                throw .state(RunState.Failure(description: "\(path) is not a tokentally state directory (no manifest.json)"))
            }
            do throws(StateLockError) {
                locks.append(try StateLock.acquire(directory: path, wait: configuration.stateWait))
            } catch {
                throw .locked(error)
            }
            do throws(RunState.Failure) {
                let state = try RunState.load(directory: path, options: configuration.stateKey)
                guard state.optionsMatch else {
                    throw RunState.Failure(description:
                        "\(path) was made with other options (\(state.storedOptions ?? "?")); merge it with those options "
                        + "(this merge asks \(configuration.stateKey))")
                }
                states.append(state)
            } catch {
                throw .state(error)
            }
        }
        let plan = InputPlan.merging(states)
        return try produce(plan, configuration, state: nil).report
    }

    /// Runs stages 1–4 for `plan` and writes the outputs atomically; returns the report and
    /// each entry's partial (with `state`).
    private static func produce(
        _ plan: InputPlan, _ configuration: SummarizeConfiguration, state: RunState?
    ) throws(Failure) -> (report: RunReport, partials: [StoredPartial?]) {
        // Open the outputs first: a bad path should fail before hours of reading.
        let output: OutputFile
        let reportOutput: OutputFile?
        let dataset: PartitionedOutput?
        let sidecarOutput: OutputFile?
        do {
            dataset = try configuration.partitionColumn.map { column throws(OutputError) in
                try PartitionedOutput(directory: configuration.outputPath ?? ".", column: column)
            }
            output = try dataset != nil ? OutputFile.standardOutput()  // not written to
                : configuration.outputPath.map { path throws(OutputError) in try OutputFile.atomic(path: path) }
                ?? OutputFile.standardOutput()
            reportOutput = try configuration.reportPath.map { path throws(OutputError) in try OutputFile.atomic(path: path) }
            // A dataset's part files carry no sidecar of their own (yet): the schema is `tokentally schema`'s.
            sidecarOutput = dataset != nil ? nil
                : try configuration.sidecarPath.map { path throws(OutputError) in try OutputFile.atomic(path: path) }
        } catch {
            throw .output(error)
        }
        let outputs = [output] + [reportOutput, sidecarOutput].compactMap { $0 }
        func abandonOutputs() {
            for file in outputs { file.abandon() }
        }
        let reading = plan.entries.compactMap(\.input)
        configuration.progress?.start(totalFiles: reading.count, totalBytes: ProgressMeter.totalBytes(of: reading))
        defer { configuration.progress?.finish() }

        let (table, report, partials): (SummaryTable?, RunReport, [StoredPartial?])
        do {
            (table, report, partials) = try summarize(plan, configuration, state: state)
        } catch {
            abandonOutputs()
            throw error
        }
        guard let table else {
            abandonOutputs()
            throw .sumOverflow
        }
        if let signal = configuration.stop?.signal {
            abandonOutputs()
            throw .interrupted(signal: signal)
        }

        // Stage 5.
        CrashPoint.beforeOutputs.reach()
        do {
            if let dataset {
                try reportOutput?.write(report.json)
                try dataset.write(table, alongside: reportOutput.map { [$0] } ?? [], renamed: { index in
                    if index == 0 { CrashPoint.afterFirstPartition.reach() }
                })
                return (report, partials)
            }
            try SummaryWriter.write(table, as: configuration.outputFormat, to: output)
            try reportOutput?.write(report.json)
            if let sidecarOutput, let path = configuration.outputPath {
                let name = path.split(separator: "/").last.map(String.init) ?? path
                try sidecarOutput.write(SchemaSidecar.json(columns: table.columns, optional: table.optionalMeasures, format: configuration.outputFormat, url: name))
            }
            // All on disk before any replaces its previous file.
            try OutputFile.commit(outputs)
        } catch {
            abandonOutputs()
            throw .output(error)
        }
        return (report, partials)
    }

    /// Stages 1–4 over `inputs`: the sorted summary and the run report, or a nil table when a
    /// sum overflowed.
    static func summarize(
        _ plan: InputPlan, _ configuration: SummarizeConfiguration, state: RunState?
    ) throws(Failure) -> (SummaryTable?, RunReport, [StoredPartial?]) {
        let entries = plan.entries
        let toRead = entries.indices.filter { entries[$0].input != nil }
        let threads = max(1, configuration.threads ?? SummarizeConfiguration.automaticThreads(
            cores: SummarizeConfiguration.cores,
            gzipInputs: toRead.filter { entries[$0].input?.isNamedGzip == true }.count, inflate: configuration.inflate))
        // Two batches per thread keep every thread fed; the cap keeps memory flat for any
        // --threads (one reader cannot fill more anyway).
        let queueCapacity = min(2 * threads + 2, maxQueuedBatches)
        let queue = BoundedQueue<WorkItem>(capacity: queueCapacity)
        // One reader per decoding thread, but never more than there are inputs: several inputs
        // inflate in parallel (one input's gzip stream cannot be split).
        let readers = max(1, min(toRead.count, threads))
        // Enough buffers for every batch that can be in flight: queued, being decoded, being filled.
        let pool = ByteStoragePool(
            capacity: LineFramer.standardCapacity(batchBytes: configuration.batchBytes),
            limit: queueCapacity + threads + readers + 1)
        let collector = RunCollector(
            names: entries.map(\.name), plan: configuration.groupingPlan, window: configuration.window,
            salvage: configuration.salvage, keepPartials: state != nil, statistics: configuration.stats)
        // Inputs taken from the state join before any is read.
        for (index, entry) in entries.enumerated() where entry.input == nil {
            guard let fingerprint = entry.fingerprint, let source = entry.source ?? state else { continue }
            do throws(RunState.Failure) {
                collector.inject(file: index, partial: try source.partial(fingerprint))
            } catch {
                throw .state(error)
            }
        }

        // Stages 1–2 on reader threads of their own, taking inputs in name order.
        let cursor = InputCursor(inputs: toRead.count, readers: readers)
        let readersDone = DispatchSemaphore(value: 0)
        for number in 0..<readers {
            startThread(named: "tokentally-reader-\(number)") {
                while configuration.stop?.isRequested != true, let next = cursor.next() {
                    let index = toRead[next]
                    readInput(index, entries[index].input!, configuration, pool: pool, into: queue)
                    configuration.progress?.fileDone()
                }
                // The last reader to finish tells every decoding thread that no work is left.
                if cursor.readerFinished() {
                    for _ in 0..<threads { queue.put(.finished) }
                }
                readersDone.signal()
            }
        }

        // Stages 3–4 on the decoding threads.
        let overflowed = Mutex(false)
        let decodingPlan = DecodingPlan(configuration: configuration.decoderConfiguration)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let worker = BatchDecoder(configuration: configuration, decoding: decodingPlan)
            var translation: [UInt32] = []
            while true {
                switch queue.take() {
                case .batch(let file, let sequence, let batch):
                    if configuration.stop?.isRequested == true {
                        batch.release(to: pool)  // stopping: nothing decoded now is published
                        continue
                    }
                    let result = worker.decode(batch, fileName: entries[file].name)
                    collector.absorb(
                        file: file, batch: sequence, result: result, table: worker.table,
                        dedupCopies: worker.dedupCopies, strings: worker.keys.strings, translation: &translation)
                    worker.table.removeAll()
                    worker.dedupCopies.removeAll()
                    // Many distinct values (a key per request): keep this thread's string table
                    // small; the run's holds them all.
                    if worker.keys.strings.count > Self.threadStringLimit {
                        worker.keys.forgetStrings()
                        translation.removeAll()
                    }
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

        var finished: (table: GroupTable, strings: StringInterner, files: [FileReport], partials: [StoredPartial?], overflowed: Bool)
        do {
            finished = try collector.finish()
        } catch {
            throw .deduplication(error)
        }
        // The table moves out of the tuple: the summary takes its measures over, in place.
        var table = GroupTable(width: 0)
        swap(&table, &finished.table)
        let (_, strings, collected, partials, collectorOverflowed) = finished
        var files = collected
        for (index, entry) in entries.enumerated() { files[index].origin = entry.origin }
        files += plan.duplicates
        files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        var report = RunReport()
        report.files = files
        report.maxBadLines = configuration.maxBadLines
        for file in files { report.totals += file.tally }
        if collectorOverflowed || overflowed.withLock({ $0 }) { return (nil, report, partials) }

        var summary = SummaryTable(table: consume table, columns: configuration.columns, strings: strings)
        summary.optionalMeasures = configuration.optionalMeasures
        report.rows = summary.count
        report.cellsExceedingInt64 = SummarySchema.cellsExceedingInt64(summary).map { "row \($0.row + 1): \($0.column)" }
        return (summary, report, partials)
    }

    /// Distinct strings a decoding thread keeps ids for before it starts afresh.
    static let threadStringLimit = 1 << 16

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
        var outcome = InputReader.read(&watched, namedGzip: input.isNamedGzip, backend: configuration.inflate, into: &framer)
        // A file cut while it was read may end cleanly (between gzip members, or at a line end):
        // its size, not its content, tells.
        if let before = source.sizeAtOpen, let now = source.currentSize, now < before,
            outcome.failure == nil || outcome.failure?.kind == .truncated
        {
            outcome.failure = InputFailure(
                kind: .readError, offset: now,
                detail: "the file was truncated while it was read (from \(before) to \(now) bytes)")
        }
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
