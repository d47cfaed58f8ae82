import LineFraming
import LogInput
import SummaryOutput
import TallyPrimitives
import UsageAggregation
import UsageDecoding

/// Everything a `summarize` run needs, resolved from the command line before any stage runs.
public struct SummarizeConfiguration: Sendable {
    /// Files, directories, or `-` for standard input.
    public var inputs: [String]
    /// The group columns (`--by`), in order.
    public var columns: [GroupColumn] = [.time(.day), .model]
    /// The zone whose calendar the time columns follow (`--tz`). Never taken from `TZ`: a
    /// cron job's output must not depend on the machine's settings.
    public var zone: ZoneRules = .utc
    /// The instants kept (`--since`, `--until`); records outside it, or without a time when
    /// it is bounded, are counted as filtered out.
    public var window: TimeWindow = .all
    /// `--field` overrides and custom dimensions.
    public var overrides: [BuiltinField: JSONPointer] = [:]
    public var customFields: [String: JSONPointer] = [:]
    /// Decoding threads (`--threads`); inflating runs on threads of its own. Nil: chosen for
    /// the inputs (``automaticThreads(cores:gzipInputs:inflate:)``).
    public var threads: Int? = nil
    /// The library that inflates gzip (`--inflate`; `auto` is resolved before this point).
    /// Both give the same bytes and verdicts; ISA-L is faster.
    public var inflate: InflateBackend = .automatic
    /// Count the complete lines before the damage in failed inputs (`--salvage`).
    public var salvage: Bool = false
    /// Keep one record per request id across all inputs, for every shape (`--dedup`);
    /// Claude Code lines are deduplicated always.
    public var dedup: Bool = false
    /// `--prices`: the cost of records whose log carries none, and the `unpriced_requests` and
    /// `cache_savings_usd` columns (docs/prices.md); nil without.
    public var prices: PriceTable?
    /// `--stats`: per group, the percentiles and maximum of total tokens and of latency
    /// (docs/schema.md, *Percentiles*); latency is read only then.
    public var stats: Bool = false
    /// More bad lines than this make the exit code 2 (`--max-bad-lines`).
    public var maxBadLines: Int = 0
    /// Longest line decoded, without its terminator (`--max-line-bytes`).
    public var maxLineBytes: Int = LineFramer.defaultMaxLineBytes
    /// Deepest nesting of objects and arrays accepted.
    public var maxDepth: Int = JSONScanner.defaultMaxDepth
    /// Bytes per line batch handed to a decoding thread.
    public var batchBytes: Int = LineFramer.defaultBatchBytes
    /// The summary's path (`-o`); nil for standard output.
    public var outputPath: String?
    /// With a column, `outputPath` is a directory that gets a Hive-style dataset, one
    /// directory of rows per value of this column, which must be one of `columns`
    /// (`--partition-by`; see ``PartitionedOutput``). Not part of ``stateKey``: it changes
    /// where rows go, not what they are.
    public var partitionColumn: GroupColumn?
    /// The summary's form (`--format`): csv, tsv, jsonl or table. The command line resolves
    /// "no --format" (table on a terminal, else csv) before this point.
    public var format: SummaryFormat = .csv
    /// How CSV cells are written (`--csv-dialect`): RFC 4180, or excel-eu (`;`, decimal comma,
    /// BOM). Only with `format` csv.
    public var dialect: CSVDialect = .rfc4180
    /// The run report's path (`--report`); nil for none.
    public var reportPath: String?
    /// The state directory (`--state`): inputs already summarised are not read again, and
    /// inputs no longer present keep their contribution. Nil for a run from scratch.
    public var statePath: String?
    /// With `--state`: drop the contribution of inputs that are gone (`--forget-missing`).
    public var forgetMissing = false
    /// With `--state`: how long to wait for another run holding the state (`--wait`); nil
    /// fails at once (exit 75).
    public var stateWait: Duration?
    /// The progress line (`--progress`); nil draws none.
    public var progress: ProgressMeter?
    /// Set by SIGINT/SIGTERM: the run stops between batches and publishes nothing; nil when
    /// no signal is trapped.
    public var stop: StopRequest?

    public init(inputs: [String]) {
        self.inputs = inputs
    }

    /// The format and dialect together.
    public var outputFormat: OutputFormat { OutputFormat(format, dialect: dialect) }

    /// Where the CSVW schema sidecar goes: next to `-o FILE` for csv and tsv
    /// (`FILE-metadata.json`); nil for standard output and the other formats.
    public var sidecarPath: String? {
        outputPath.flatMap { outputFormat.sidecarPath(for: $0) }
    }

    /// The cores this process may run on.
    public static var cores: Int {
        max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// Decoding threads when `--threads` is not given: one per core, less the cores that
    /// readers keep busy inflating with ISA-L.
    ///
    /// ISA-L inflates about as fast as a thread decodes, so each reader of a `.gz` input is
    /// busy all the time; with a decoding thread on every core as well, the readers get only
    /// their share of the cores and the run waits for them (measured on 2 cores, one 1 GiB
    /// `.gz`: 1.55 s with two decoding threads, 1.35 s with one; `docs/benchmarks/`). zlib
    /// inflates at half that speed, so its readers leave the decoding threads idle anyway.
    /// Readers inflating at once: one per `.gz` input, at most half the cores.
    public static func automaticThreads(cores: Int, gzipInputs: Int, inflate: InflateBackend) -> Int {
        guard inflate == .isal, gzipInputs > 0 else { return max(1, cores) }
        let inflating = min(gzipInputs, max(1, cores / 2))
        return max(1, cores - inflating)
    }

    /// Everything that changes what an input contributes (not how fast it is read): a state
    /// made with other options cannot be reused.
    public var stateKey: String {
        var parts = [
            "by=" + columns.map(\.description).joined(separator: ","),
            "tz=" + zone.name,
            "since=" + (window.since.map(String.init) ?? ""),
            "until=" + (window.until.map(String.init) ?? ""),
            "dedup=\(dedup)", "salvage=\(salvage)", "max-line-bytes=\(maxLineBytes)", "max-depth=\(maxDepth)",
        ]
        parts += overrides.sorted { $0.key.rawValue < $1.key.rawValue }.map { "field \($0.key.rawValue)=\($0.value)" }
        parts += customFields.sorted { $0.key < $1.key }.map { "field \($0.key)=\($0.value)" }
        // The price file's content, not its name: a price that changed invalidates the partials.
        if let prices { parts.append("prices=" + String(prices.contentHash, radix: 16)) }
        // Only when on, so that states made before --stats existed stay valid without it.
        if stats { parts.append("stats=true") }
        return parts.joined(separator: " ")
    }

    /// How group cells are made from records.
    var groupingPlan: GroupingPlan {
        GroupingPlan(columns: columns, zone: zone)
    }

    /// The decoder's configuration for these columns and fields. With `--prices` the model is
    /// read even when it is not a group column: after the grouping values, so their indices
    /// stay those of ``GroupingPlan/valueFields``.
    var decoderConfiguration: DecoderConfiguration {
        var valueFields = GroupingPlan(columns: columns).valueFields
        if prices != nil && !valueFields.contains(.model) { valueFields.append(.model) }
        return DecoderConfiguration(
            overrides: overrides, customFields: customFields, valueFields: valueFields, maxDepth: maxDepth,
            readsLatency: stats)
    }

    /// The optional measure columns these options add to the output.
    public var optionalMeasures: OptionalMeasures {
        var optional: OptionalMeasures = []
        if prices != nil { optional.insert(.prices) }
        if stats { optional.insert(.stats) }
        return optional
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
