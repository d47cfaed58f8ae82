import LineFraming
import TallyPrimitives
import UsageAggregation
import UsageDecoding

/// What one decoding thread made of one ``LineBatch``: counts, the first samples, and a group
/// table keyed by the thread's own string ids.
struct BatchResult {
    /// Lines in the batch, by outcome.
    var tally = LineTally()
    /// First bad lines of the batch: line number within the batch (1-based) and message.
    var badSamples: [LineSample] = []
    /// First lines with each warning: line number within the batch and the warning's name.
    var warningSamples: [LineSample] = []
}

/// A line worth quoting in the report, numbered within its batch until the file's line
/// numbers are known.
struct LineSample: Sendable {
    var line: Int
    var text: String
}

/// Stages 3 and 4 for one thread: decodes the lines of a batch and sums the records into a
/// group table. Allocates nothing per line once its tables have grown.
final class BatchDecoder {
    /// Samples kept per batch (and per file, and per run).
    static let sampleLimit = 20
    /// Samples of one warning kind kept per batch (and per file).
    static let warningSampleLimit = 3

    let decoder: UsageDecoder
    let keys: GroupKeyBuilder
    /// Groups of the current batch, by this thread's string ids.
    @exclusivity(unchecked) var table: GroupTable
    /// Copies of deduplicated records in the current batch (thread-local string ids).
    @exclusivity(unchecked) var dedupCopies: DedupBatch
    /// Deduplicate every record with a request id (`--dedup`), not only those that must be.
    let dedupAll: Bool
    /// The instants kept (`--since`/`--until`).
    let window: TimeWindow
    let maxLineBytes: Int
    /// Set when a sum left its 128-bit range (which no real log can do).
    @exclusivity(unchecked) var overflowed = false
    /// `--prices`: prices each record as soon as it is decoded, so that deduplication copies
    /// carry their cost and the copy finally counted is priced at its own time.
    let pricer: RecordPricer?
    /// Index of the model among the decoder's values (with `--prices`).
    let modelIndex: Int

    /// `decoding`: the run's plan, built from `configuration.decoderConfiguration` once for
    /// every thread.
    init(configuration: SummarizeConfiguration, decoding: DecodingPlan) {
        let plan = configuration.groupingPlan
        decoder = UsageDecoder(plan: decoding)
        keys = GroupKeyBuilder(plan: plan)
        table = GroupTable(width: plan.columns.count, statistics: configuration.stats)
        dedupCopies = DedupBatch(width: plan.columns.count)
        dedupAll = configuration.dedup
        window = configuration.window
        maxLineBytes = configuration.maxLineBytes
        pricer = configuration.prices.map(RecordPricer.init(table:))
        modelIndex = decoder.configuration.valueFields.firstIndex(of: .model) ?? -1
    }

    /// Decodes every line of `batch` from the input named `fileName`; the records go to
    /// ``table`` (emptied by the caller once merged).
    func decode(_ batch: LineBatch, fileName: String) -> BatchResult {
        var result = BatchResult()
        var warningSampleCounts = [Int](repeating: 0, count: LineWarnings.all.count)
        let fileID = keys.id(of: fileName)
        var lineNumber = 0

        func noteWarnings(_ warnings: LineWarnings) {
            guard !warnings.isEmpty else { return }
            result.tally.countWarnings(warnings)
            for (index, entry) in LineWarnings.all.enumerated()
            where warnings.contains(entry.warning) && warningSampleCounts[index] < Self.warningSampleLimit {
                warningSampleCounts[index] += 1
                result.warningSamples.append(LineSample(line: lineNumber, text: entry.name))
            }
        }
        func noteBad(_ bad: BadLine) {
            result.tally.countBad(bad.reason)
            if result.badSamples.count < Self.sampleLimit {
                result.badSamples.append(LineSample(line: lineNumber, text: "\(bad.reason.rawValue): \(bad.message)"))
            }
        }

        /// Counts a decoded record: kept for deduplication, filtered out, or added.
        func count(_ record: UsageRecord, line bytes: UnsafeRawBufferPointer) {
            // Warnings describe the line, so they count whether or not its record is kept.
            noteWarnings(record.warnings)
            if let key = record.dedupKey, dedupAll || record.alwaysDeduplicated {
                // Decided at the end, also whether it is filtered out: by the earliest time of
                // all its copies.
                result.tally.records += 1
                let cells = keys.cells(for: record, decoder: decoder, line: bytes, fileID: fileID)
                if keys.truncated { noteWarnings(.valueTruncated) }
                dedupCopies.append(key: key, record: record, cells: cells)
            } else if !window.contains(record.time) {
                result.tally.filteredOut += 1
            } else {
                result.tally.records += 1
                let cells = keys.cells(for: record, decoder: decoder, line: bytes, fileID: fileID)
                if keys.truncated { noteWarnings(.valueTruncated) }
                if !table.add(record, cells: cells) { overflowed = true }
            }
        }

        // A loop, not `forEachLine`: a closure would box the variables above, and every use
        // of them would be checked for exclusive access at run time.
        var record = UsageRecord()  // written by the decoder for each line
        var lines = batch.lines(maxLineBytes: maxLineBytes)
        while let line = lines.next() {
            lineNumber += 1
            switch line {
            case .blank:
                result.tally.blankLines += 1
            case .tooLong(let byteCount):
                noteBad(BadLine(reason: .lineTooLong, detail: .tooLong(byteCount: byteCount, limit: maxLineBytes)))
            case .text(let bytes):
                switch decoder.decode(bytes, into: &record) {
                case .record:
                    if let pricer {
                        pricer.price(&record, model: decoder.value(modelIndex), in: decoder.valueBytes(modelIndex, line: bytes))
                    }
                    count(record, line: bytes)
                case .noUsage(let warnings):
                    result.tally.noUsage += 1
                    noteWarnings(warnings)
                case .bad(let bad):
                    noteBad(bad)
                }
            }
        }
        result.tally.linesRead = lineNumber
        return result
    }
}
