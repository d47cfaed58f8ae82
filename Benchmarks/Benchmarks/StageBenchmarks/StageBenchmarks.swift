// Per-stage micro-benchmarks of tokentally: inflate, framing, decoding, aggregation, on the
// same 32 MiB of generated log (see Corpus.swift). Run from Benchmarks/:
//
//   swift package --disable-sandbox benchmark --target StageBenchmarks
//
// Rates are custom metrics measured around the work of each iteration: MB/s (10⁶ bytes of
// decompressed text per second), lines/s, records/s. Malloc counts come from
// package-benchmark's malloc interposer; the decoder, key builder and tables are made once per
// benchmark, so the count per iteration divided by the corpus's lines is the mallocs per line.

import Benchmark
import LineFraming
import LogInput
import UsageAggregation
import UsageDecoding

/// Rates, bigger is better, not scaled by iterations.
enum Rate {
    static let megabytesPerSecond = BenchmarkMetric.custom("MB/s", polarity: .prefersLarger, useScalingFactor: false)
    static let linesPerSecond = BenchmarkMetric.custom("lines/s", polarity: .prefersLarger, useScalingFactor: false)
    static let recordsPerSecond = BenchmarkMetric.custom("records/s", polarity: .prefersLarger, useScalingFactor: false)
}

/// Runs `work` between the benchmark's start and stop of measurement, and records the rates
/// of what it processed: `bytes` as MB/s, and each `(metric, count)` per second.
func measure(_ benchmark: Benchmark, bytes: Int?, _ counts: [(BenchmarkMetric, Int)], _ work: () -> Void) {
    let clock = ContinuousClock()
    benchmark.startMeasurement()
    let start = clock.now
    work()
    let elapsed = clock.now - start
    benchmark.stopMeasurement()
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    guard seconds > 0 else { return }
    if let bytes { benchmark.measurement(Rate.megabytesPerSecond, Int(Double(bytes) / seconds / 1e6)) }
    for (metric, count) in counts { benchmark.measurement(metric, Int(Double(count) / seconds)) }
}

/// A stage-1 sink that throws the bytes away: what inflating costs, without framing.
struct DiscardingSink: DecompressedSink {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 64)
    var total = 0

    func writableBuffer() -> UnsafeMutableRawBufferPointer { buffer }
    mutating func commit(_ count: Int) { total += count }
}

/// The state of stages 3 and 4 for one thread, made once per benchmark (as the pipeline
/// makes it once per decoding thread), for the default `--by day,model`.
final class DecodingThread {
    let plan = GroupingPlan(columns: [.time(.day), .model])
    let decoder: UsageDecoder
    let keys: GroupKeyBuilder
    var table: GroupTable
    var lines = 0

    init() {
        decoder = UsageDecoder(configuration: DecoderConfiguration(valueFields: plan.valueFields))
        keys = GroupKeyBuilder(plan: plan)
        table = GroupTable(width: plan.columns.count)
    }
}

/// Records in the corpus (every line decoded once).
let corpusRecords: Int = {
    let thread = DecodingThread()
    var records = 0
    Corpus.plain.withUnsafeBytes { plain in
        for range in Corpus.lines {
            if case .record = thread.decoder.decode(UnsafeRawBufferPointer(rebasing: plain[range])) { records += 1 }
        }
    }
    return records
}()

let benchmarks: @Sendable () -> Void = {
    func configuration(_ extra: [BenchmarkMetric]) -> Benchmark.Configuration {
        .init(
            metrics: [.wallClock, .cpuTotal, .mallocCountTotal] + extra,
            warmupIterations: 1, maxDuration: .seconds(5), maxIterations: 20)
    }

    // What measuring costs by itself (the clock, the custom metrics): subtract its mallocs
    // from the others' to get what the stage allocates.
    Benchmark("0 baseline: measuring nothing", configuration: configuration([Rate.megabytesPerSecond])) { benchmark in
        measure(benchmark, bytes: 0, []) {}
    }

    // Stage 1: inflate gzip -6 with zlib, into a sink that discards.
    Benchmark(
        "1 inflate: InputReader.read, gzip -6 → discarding sink",
        configuration: configuration([Rate.megabytesPerSecond])
    ) { benchmark in
        let compressed = Corpus.gzip
        var sink = DiscardingSink()
        measure(benchmark, bytes: Corpus.plain.count, []) {
            var source = MemoryByteSource(compressed, chunkSize: InputReader.readBlockSize)
            let outcome = InputReader.read(&source, namedGzip: true, into: &sink)
            precondition(outcome.failure == nil && sink.total == Corpus.plain.count)
        }
    }

    // Stage 1 on plain text: the copy path, for comparison.
    Benchmark(
        "1 read plain: InputReader.read, plain → discarding sink",
        configuration: configuration([Rate.megabytesPerSecond])
    ) { benchmark in
        let plain = Corpus.plain
        var sink = DiscardingSink()
        measure(benchmark, bytes: plain.count, []) {
            var source = MemoryByteSource(plain, chunkSize: InputReader.readBlockSize)
            _ = InputReader.read(&source, namedGzip: false, into: &sink)
        }
    }

    // Stage 2: cut the stream into batches and walk their lines, as a decoding thread does.
    Benchmark(
        "2 framing: LineFramer + LineBatch.forEachLine",
        configuration: configuration([Rate.megabytesPerSecond, Rate.linesPerSecond])
    ) { benchmark in
        let plain = Corpus.plain
        final class Counter { var lines = 0 }
        let counter = Counter()
        measure(benchmark, bytes: plain.count, [(Rate.linesPerSecond, Corpus.lines.count)]) {
            var framer = LineFramer { batch in
                batch.forEachLine(maxLineBytes: LineFramer.defaultMaxLineBytes) { _ in counter.lines += 1 }
            }
            var source = MemoryByteSource(plain, chunkSize: InputReader.readBlockSize)
            let outcome = InputReader.read(&source, namedGzip: false, into: &framer)
            _ = framer.finish(cleanEnd: outcome.failure == nil)
        }
        precondition(counter.lines == Corpus.lines.count)
    }

    // Stage 3: decode every line (validate the JSON, find and read the usage).
    let decodeOnly = DecodingThread()
    Benchmark(
        "3 decode: UsageDecoder.decode",
        configuration: configuration([Rate.megabytesPerSecond, Rate.linesPerSecond, Rate.recordsPerSecond])
    ) { benchmark in
        let decoder = decodeOnly.decoder
        var records = 0
        Corpus.plain.withUnsafeBytes { plain in
            let lines = Corpus.lines
            measure(benchmark, bytes: plain.count, [(Rate.linesPerSecond, lines.count), (Rate.recordsPerSecond, corpusRecords)]) {
                for range in lines {
                    if case .record = decoder.decode(UnsafeRawBufferPointer(rebasing: plain[range])) { records += 1 }
                }
            }
        }
        precondition(records == corpusRecords)
    }

    // Stage 4 alone: add decoded records to a group table, keys computed beforehand.
    Benchmark(
        "4 aggregate: GroupTable.add (keys precomputed)",
        configuration: configuration([Rate.recordsPerSecond]),
        closure: { benchmark, state in
            let (records, cells, width) = state
            var table = GroupTable(width: width)
            cells.withUnsafeBufferPointer { cells in
                func addAll() {
                    for (index, record) in records.enumerated() {
                        _ = table.add(record, cells: UnsafeBufferPointer(rebasing: cells[(index * width)..<((index + 1) * width)]))
                    }
                }
                addAll()  // grows the table, so the measured pass adds to existing groups
                measure(benchmark, bytes: nil, [(Rate.recordsPerSecond, records.count)]) { addAll() }
            }
            blackHole(table.count)
        },
        setup: { () -> ([UsageRecord], [UInt64], Int) in
            let thread = DecodingThread()
            var records: [UsageRecord] = []
            var cells: [UInt64] = []
            Corpus.plain.withUnsafeBytes { plain in
                for range in Corpus.lines {
                    let line = UnsafeRawBufferPointer(rebasing: plain[range])
                    if case .record(let record) = thread.decoder.decode(line) {
                        records.append(record)
                        cells.append(contentsOf: thread.keys.cells(for: record, decoder: thread.decoder, line: line, fileID: 0))
                    }
                }
            }
            return (records, cells, thread.plan.columns.count)
        }
    )

    // Stages 3 + 4 as one decoding thread runs them: decode, build the group key (interning
    // the model by its bytes), add to the table.
    let both = DecodingThread()
    Benchmark(
        "3+4 decode + aggregate: UsageDecoder + GroupKeyBuilder + GroupTable.add",
        configuration: configuration([Rate.megabytesPerSecond, Rate.linesPerSecond, Rate.recordsPerSecond])
    ) { benchmark in
        Corpus.plain.withUnsafeBytes { plain in
            let lines = Corpus.lines
            measure(benchmark, bytes: plain.count, [(Rate.linesPerSecond, lines.count), (Rate.recordsPerSecond, corpusRecords)]) {
                for range in lines {
                    let line = UnsafeRawBufferPointer(rebasing: plain[range])
                    if case .record(let record) = both.decoder.decode(line) {
                        let cells = both.keys.cells(for: record, decoder: both.decoder, line: line, fileID: 0)
                        _ = both.table.add(record, cells: cells)
                    }
                }
            }
        }
        blackHole(both.table.count)
    }
}
