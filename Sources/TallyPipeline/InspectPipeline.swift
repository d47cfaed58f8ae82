import LineFraming
import LogInput
import TallyPrimitives
import UsageDecoding

/// Everything an `inspect` run needs, resolved from the command line before any input is read.
public struct InspectConfiguration: Sendable {
    /// The sample `inspect` reads when not told otherwise: the first 10 000 lines.
    public static let defaultSampleLines = 10_000

    /// Files, directories, or `-` for standard input.
    public var inputs: [String]
    /// Lines read at most, over all inputs in the order discovered (`--lines`); nil reads
    /// everything (`--all`).
    public var sampleLines: Int? = InspectConfiguration.defaultSampleLines
    /// `--field` overrides and custom dimensions, exactly as `summarize` takes them.
    public var overrides: [BuiltinField: JSONPointer] = [:]
    public var customFields: [String: JSONPointer] = [:]
    /// The library that inflates gzip (`--inflate`).
    public var inflate: InflateBackend = .automatic
    /// Longest line decoded (`--max-line-bytes`).
    public var maxLineBytes: Int = LineFramer.defaultMaxLineBytes
    /// Deepest nesting of objects and arrays accepted.
    public var maxDepth: Int = JSONScanner.defaultMaxDepth

    public init(inputs: [String]) {
        self.inputs = inputs
    }

    /// The grouping values every record is asked for: the built-in ones, then custom fields by name.
    var valueFields: [ValueField] {
        [.model, .key, .user, .provider, .status] + customFields.keys.sorted().map { ValueField.custom($0) }
    }
}

/// `tokentally inspect`: reads a sample of the inputs, sequentially, and describes it.
///
/// ```
/// inputs ─► 1 read & inflate ─► 2 frame lines ─► 3 decode + lastMatch ─► Inspection ─► InspectReport
///           (InputReader)        (LineFramer)      (UsageDecoder)          (+ Foundation, for what
///                                                                           the decoder did not find)
/// ```
///
/// Not a hot path: one thread, one input after the other, small batches so that reading stops
/// soon after the sample is complete. Nothing is deduplicated, filtered or summed.
public enum InspectPipeline {
    /// Why an inspection could not be made (exit 1).
    public enum Failure: Error, CustomStringConvertible {
        /// An operand that does not exist or cannot be read.
        case input(InputDiscoveryError)
        /// The operands name no log at all (an empty directory).
        case noInputs
        /// Every input failed before giving a single line.
        case nothingRead([String])

        public var description: String {
            switch self {
            case .input(let error): return error.description
            case .noInputs: return "no log files found (directories are searched for *.jsonl, *.ndjson, *.json, optionally .gz)"
            case .nothingRead(let problems):
                return "no input could be read: " + problems.joined(separator: "; ")
            }
        }
    }

    /// Bytes per line batch: small, so that reading stops soon after the sample is full.
    static let batchBytes = 64 << 10

    /// Reads the sample and returns what it holds.
    public static func run(_ configuration: InspectConfiguration) throws(Failure) -> InspectReport {
        let inputs: [InputFile]
        do {
            inputs = try InputDiscovery.discover(configuration.inputs)
        } catch {
            throw .input(error)
        }
        guard !inputs.isEmpty else { throw .noInputs }

        let inspection = Inspection(configuration)
        var readable = 0
        for input in inputs {
            if inspection.isFull {
                inspection.files.append(InspectReport.InputSummary(path: input.displayName, lines: 0, status: "not_read", problem: nil))
                continue
            }
            let (lines, problem, stopped) = read(input, configuration, into: inspection)
            if problem == nil || lines > 0 { readable += 1 }
            inspection.files.append(InspectReport.InputSummary(
                path: input.displayName, lines: lines, status: problem != nil ? "failed" : stopped ? "partly_read" : "ok",
                problem: problem))
        }
        guard readable > 0 else {
            throw .nothingRead(inspection.files.compactMap { $0.problem.map { "\($0)" } })
        }
        return inspection.finish(inputs: inputs.count)
    }

    /// Stages 1–3 for one input, until it ends or the sample is full: the lines it gave, and
    /// the problem line when it failed (`path: failed: detail`, as `summarize` reports it).
    private static func read(
        _ input: InputFile, _ configuration: InspectConfiguration, into inspection: Inspection
    ) -> (lines: Int, problem: String?, stopped: Bool) {
        let before = inspection.lines
        inspection.startFile(input.displayName)
        let base: FileByteSource
        do {
            base = try input.open()
        } catch {
            return (0, "\(input.displayName): failed: cannot open: \(error.message)", false)
        }
        var source = SampleSource(base: base, inspection: inspection)
        var framer = LineFramer(batchBytes: batchBytes, maxLineBytes: configuration.maxLineBytes) { batch in
            inspection.take(batch)
        }
        let outcome = InputReader.read(&source, namedGzip: input.isNamedGzip, backend: configuration.inflate, into: &framer)
        let ending = framer.finish(cleanEnd: outcome.failure == nil || source.stopped)
        let stoppedEarly = source.stopped || inspection.linesLeftInFile || (inspection.isFull && ending.fragmentBytes > 0)
        let lines = inspection.lines - before
        // Reading stopped on purpose: a gzip stream cut there is not damage.
        guard !stoppedEarly, let failure = outcome.failure else { return (lines, nil, stoppedEarly) }
        var problem = "\(input.displayName): failed: \(failure.detail)"
        if lines > 0 { problem += "; its \(lines) complete lines before the damage are in the sample" }
        return (lines, problem, false)
    }
}

/// Reads from an input until the sample is full, then reports the end of input.
private struct SampleSource: ByteSource {
    let base: FileByteSource
    let inspection: Inspection
    /// True once bytes were left unread because the sample was full.
    private(set) var stopped = false

    init(base: FileByteSource, inspection: Inspection) {
        self.base = base
        self.inspection = inspection
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ByteSourceError) -> Int {
        let count = try base.read(into: buffer)
        // Once the sample is full, the bytes read are dropped: only whether more were there matters.
        if inspection.isFull {
            if count > 0 { stopped = true }
            return 0
        }
        return count
    }

    var canRewind: Bool { base.canRewind }

    mutating func rewind(to offset: Int64) -> Bool {
        inspection.isFull ? false : base.rewind(to: offset)
    }
}
