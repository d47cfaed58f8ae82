import LogInput
import Synchronization
import TallyPrimitives
import UsageAggregation

/// Merges the decoding threads' batch results into per-input partials and, once an input is
/// finished and verified, into the run's totals. Thread-safe: one short lock per batch.
///
/// An input's records wait in its own partial table until stage 1 has said whether the input
/// is verified: a failed input's partial is dropped (or, with `--salvage`, kept and flagged),
/// so unverified data never reaches the totals. Every merge is an exact sum, so the totals do
/// not depend on which thread decoded which batch or in which order batches finished.
final class RunCollector: Sendable {
    private let state: Mutex<State>
    /// Group columns holding string ids (the others hold time buckets).
    private let stringColumns: [Int]
    /// How cells are made (to move a deduplicated record to its earliest copy's bucket).
    private let plan: GroupingPlan
    /// The instants kept: a deduplicated record is filtered once resolved.
    private let window: TimeWindow
    /// Whether each verified input's contribution is kept as a ``StoredPartial`` (`--state`).
    private let keepPartials: Bool
    /// Group columns holding the input's name.
    private let fileColumns: [Int]

    private struct State: ~Copyable {
        var strings = StringInterner()
        var total: GroupTable
        /// Copies of deduplicated records, resolved once every input is finished.
        let dedup: DedupStore
        var dedupError: DedupError?
        var files: [FileState]
        var overflowed = false
        let salvage: Bool
    }

    /// One input's partial until it is finished.
    private struct FileState {
        var report: FileReport
        var table: GroupTable
        /// Lines per batch, by batch sequence number (to number sampled lines).
        var batchLines: [Int] = []
        var batchesDone = 0
        var batchesExpected: Int?
        var badSamples: [(batch: Int, sample: LineSample)] = []
        var warningSamples: [(batch: Int, sample: LineSample)] = []
        var finished = false
        /// The mapping of a plain file read in place, until its batches are decoded.
        var mapping: MappedFile?
        /// With `--state`: the input's deduplication copies (run-wide ids), and once it is
        /// finished and verified, its contribution as stored.
        var copies: DedupBatch
        var partial: StoredPartial?
    }

    init(
        names: [String], plan: GroupingPlan, window: TimeWindow = .all, salvage: Bool, keepPartials: Bool = false,
        statistics: Bool = false
    ) {
        let columns = plan.columns
        let width = columns.count
        stringColumns = columns.indices.filter { !columns[$0].isTime }
        fileColumns = columns.indices.filter { columns[$0] == .file }
        self.plan = plan
        self.window = window
        self.keepPartials = keepPartials
        state = Mutex(State(
            // Deduplicated records are added to the totals one by one.
            total: GroupTable(width: width, statistics: statistics),
            dedup: DedupStore(width: width),
            files: names.map {
                FileState(
                    report: FileReport(path: $0, outcome: InputOutcome()), table: GroupTable(width: width),
                    copies: DedupBatch(width: width))
            },
            salvage: salvage))
    }

    /// Adds input `file`'s contribution from the state instead of reading it, under its current
    /// name; the input is finished at once.
    func inject(file: Int, partial: StoredPartial) {
        state.withLock { state in
            let name = state.files[file].report.path
            let fileID = UInt64(state.strings.id(of: name))
            func cells(_ stored: [StoredPartial.Cell]) -> [UInt64] {
                var cells = stored.map { cell -> UInt64 in
                    switch cell {
                    case .none: return 0
                    case .time(let start): return GroupingPlan.timeCell(start)
                    case .text(let text): return UInt64(state.strings.id(of: text))
                    }
                }
                for column in fileColumns { cells[column] = fileID }
                return cells
            }
            for row in partial.rows {
                let added = cells(row.cells).withUnsafeBufferPointer { state.files[file].table.add(row.measures, cells: $0) }
                if !added { state.overflowed = true }
            }
            if !partial.copies.isEmpty {
                var copies = DedupBatch(width: plan.columns.count)
                for copy in partial.copies {
                    cells(copy.cells).withUnsafeBufferPointer { copies.append(key: copy.key, record: copy.record, cells: $0) }
                }
                do throws(DedupError) {
                    try state.dedup.add(copies, file: file)
                } catch {
                    if state.dedupError == nil { state.dedupError = error }
                }
            }
            state.files[file].report = partial.report(path: name)
            state.files[file].partial = partial
            state.files[file].finished = true
            if !state.total.merge(taking: state.files[file].table) { state.overflowed = true }
            state.files[file].table = GroupTable(width: plan.columns.count)
        }
    }

    /// Adds one decoded batch of input `file`; `translation` maps the thread's string ids to
    /// the run's (it belongs to the calling thread and grows here).
    func absorb(
        file: Int, batch sequence: Int, result: BatchResult, table: GroupTable, dedupCopies: DedupBatch,
        strings: StringInterner, translation: inout [UInt32]
    ) {
        state.withLock { state in
            while translation.count < strings.count {
                let localID = UInt32(translation.count + 1)
                translation.append(strings.withBytes(localID) { state.strings.id(of: $0) })
            }
            let map = translation
            let merged = state.files[file].table.merge(table) { cells in
                for column in stringColumns where cells[column] != 0 {
                    cells[column] = UInt64(map[Int(cells[column]) - 1])
                }
            }
            if !merged { state.overflowed = true }
            if !dedupCopies.isEmpty {
                var copies = dedupCopies
                let width = copies.width
                for copy in 0..<copies.count {
                    for column in stringColumns where copies.cells[copy * width + column] != 0 {
                        copies.cells[copy * width + column] = UInt64(map[Int(copies.cells[copy * width + column]) - 1])
                    }
                }
                do throws(DedupError) {
                    try state.dedup.add(copies, file: file)
                } catch {
                    if state.dedupError == nil { state.dedupError = error }
                }
                if keepPartials {
                    for copy in 0..<copies.count {
                        copies.cells[(copy * width)..<((copy + 1) * width)].withUnsafeBufferPointer {
                            state.files[file].copies.append(key: copies.keys[copy], record: copies.records[copy], cells: $0)
                        }
                    }
                }
            }

            state.files[file].report.tally += result.tally
            let known = state.files[file].batchLines.count
            if known <= sequence {
                state.files[file].batchLines.append(contentsOf: repeatElement(0, count: sequence + 1 - known))
            }
            state.files[file].batchLines[sequence] = result.tally.linesRead
            state.files[file].badSamples += result.badSamples.map { (sequence, $0) }
            state.files[file].warningSamples += result.warningSamples.map { (sequence, $0) }
            state.files[file].batchesDone += 1
            finishIfComplete(file, &state)
        }
    }

    /// Records the end of input `file`: stage 1's outcome, how many batches it sent, and the
    /// bytes of a last line cut off by damage.
    func end(file: Int, outcome: InputOutcome, batches: Int, fragmentBytes: Int, mapping: MappedFile?) {
        state.withLock { state in
            state.files[file].report.outcome = outcome
            state.files[file].mapping = mapping
            state.files[file].report.fragmentBytes = fragmentBytes
            state.files[file].batchesExpected = batches
            finishIfComplete(file, &state)
        }
    }

    /// The run's table, string ids, per-input reports and whether a sum overflowed, after
    /// deduplication: one winner per request id joins the totals, and every other copy moves
    /// from its input's records to its duplicates dropped. A winner whose (earliest) time is
    /// outside the window moves from its input's records to its filtered out instead.
    func finish() throws(DedupError) -> (
        table: GroupTable, strings: StringInterner, files: [FileReport], partials: [StoredPartial?], overflowed: Bool
    ) {
        try state.withLock { state throws(DedupError) in
            precondition(state.files.allSatisfy(\.finished), "an input was not finished")
            if let error = state.dedupError { throw error }
            if state.dedup.count > 0 {
                let files = state.files.map { $0.report.outcome.failure == nil || $0.report.salvaged }
                let strings = state.strings
                let stringColumns = self.stringColumns
                let resolution = try state.dedup.resolve(counted: { files[$0] }) { first, second in
                    // Full ties: the group values decide, by their text (ids depend on timing).
                    for column in stringColumns where first.cells[column] != second.cells[column] {
                        let a = first.cells[column] == 0 ? "" : strings.string(UInt32(first.cells[column]))
                        let b = second.cells[column] == 0 ? "" : strings.string(UInt32(second.cells[column]))
                        return a.utf8.lexicographicallyPrecedes(b.utf8)
                    }
                    return false
                }
                for winner in resolution.winners {
                    // Filtered by its earliest time (the one that decides its bucket).
                    guard window.contains(winner.record.time) else {
                        state.files[winner.file].report.tally.records -= 1
                        state.files[winner.file].report.tally.filteredOut += 1
                        continue
                    }
                    var cells = winner.cells
                    plan.setTimeCells(&cells, seconds: winner.record.time)
                    let added = cells.withUnsafeBufferPointer { state.total.add(winner.record, cells: $0) }
                    if !added { state.overflowed = true }
                }
                for (file, dropped) in resolution.dropped {
                    state.files[file].report.tally.records -= dropped
                    state.files[file].report.tally.duplicatesDropped += dropped
                }
            }
            // The table moves out, so that the summary can take its measures over without a copy.
            let total = state.total
            state.total = GroupTable(width: total.width)
            return (total, state.strings, state.files.map(\.report), state.files.map(\.partial), state.overflowed)
        }
    }

    // MARK: - Internals

    private func finishIfComplete(_ index: Int, _ state: inout State) {
        guard let expected = state.files[index].batchesExpected, state.files[index].batchesDone == expected,
            !state.files[index].finished
        else { return }
        var file = state.files[index]
        file.finished = true
        // A mapped file that shrank while its pages were read gave zeros for the lost bytes.
        if let damage = file.mapping?.damageOffset {
            file.report.outcome.failure = InputFailure(
                kind: .readError, offset: damage,
                detail: "the file was truncated while it was read (it ended at byte \(damage))")
        }
        file.mapping = nil

        // Number sampled lines within the file.
        var firstLine: [Int] = []
        var running = 0
        for count in file.batchLines {
            firstLine.append(running)
            running += count
        }
        func render(_ samples: [(batch: Int, sample: LineSample)], limit: Int) -> [String] {
            samples.map { (firstLine[$0.batch] + $0.sample.line, $0.sample.text) }
                .sorted { $0.0 < $1.0 }
                .prefix(limit)
                .map { "\(file.report.path):\($0.0): \($0.1)" }
        }
        file.report.badLineSamples = render(file.badSamples, limit: BatchDecoder.sampleLimit)
        file.report.warningSamples = render(file.warningSamples, limit: BatchDecoder.sampleLimit)
        file.badSamples = []
        file.warningSamples = []

        if file.report.outcome.failure != nil {
            var complete = file.report.tally
            file.report.salvageable = complete
            if state.salvage {
                file.report.salvaged = true
            } else {
                complete = complete.allFailed
                file.table.removeAll()
            }
            if file.report.fragmentBytes > 0 {
                complete.linesRead += 1
                complete.failedFileLines += 1
            }
            file.report.tally = complete
        }
        if keepPartials, file.report.outcome.failure == nil {
            file.partial = storedPartial(of: file, strings: state.strings)
        }
        file.copies = DedupBatch(width: file.table.width)
        let finishedTable = file.table
        file.table = GroupTable(width: finishedTable.width)
        if !state.total.merge(taking: finishedTable) { state.overflowed = true }
        state.files[index] = file
    }

    /// A verified input's contribution with string values, for the state.
    private func storedPartial(of file: FileState, strings: StringInterner) -> StoredPartial {
        let width = file.table.width
        func cells(_ ids: ArraySlice<UInt64>) -> [StoredPartial.Cell] {
            ids.enumerated().map { column, cell -> StoredPartial.Cell in
                if cell == 0 || fileColumns.contains(column) { return .none }
                if plan.columns[column].isTime { return .time(GroupingPlan.bucketStart(ofCell: cell)) }
                return .text(strings.string(UInt32(cell)))
            }
        }
        let prefix = file.report.path + ":"
        func strip(_ samples: [String]) -> [String] {
            samples.map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : $0 }
        }
        return StoredPartial(
            outcome: file.report.outcome, tally: file.report.tally, salvageable: file.report.salvageable,
            salvaged: file.report.salvaged, fragmentBytes: file.report.fragmentBytes,
            badLineSamples: strip(file.report.badLineSamples), warningSamples: strip(file.report.warningSamples),
            rows: (0..<file.table.count).map { StoredPartial.Row(cells: cells(file.table.key($0)), measures: file.table.measures[$0]) },
            copies: (0..<file.copies.count).map {
                StoredPartial.Copy(
                    key: file.copies.keys[$0], record: file.copies.records[$0],
                    cells: cells(file.copies.cells[($0 * width)..<(($0 + 1) * width)]))
            })
    }
}
