import ArgumentParser
import LogInput
import TallyPipeline
import TallyPrimitives
import UsageAggregation
import UsageDecoding

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `tokentally summarize`: logs in, usage summary out.
struct Summarize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sum tokens, requests and cost by day, model, key or any field.",
        discussion: """
            Reads files, directories (recursively: *.jsonl, *.ndjson, *.json, each optionally .gz) \
            or - (standard input), and writes one row per group: CSV (default), TSV, JSON Lines, \
            or an aligned table on a terminal (--format).

            Exit codes: 0 all inputs ok; 2 outputs written, but an input failed or was flagged, or \
            bad lines exceed --max-bad-lines; 1 fatal, nothing written; 64 usage error; \
            130 (SIGINT, Ctrl-C) or 143 (SIGTERM) stopped between batches, nothing written, \
            previous outputs untouched.

            On a terminal, a progress line on standard error shows files and bytes read, speed, \
            records, elapsed time and ETA (--progress).
            """
    )

    @Argument(help: ArgumentHelp("Log files, directories, or - for standard input.", valueName: "input"))
    var inputs: [String] = []

    @OptionGroup var shaping: ShapingOptions

    @OptionGroup var outputOptions: OutputOptions

    @OptionGroup var partitioning: PartitionOptions

    @Option(help: ArgumentHelp("Decoding threads (default: one per core, less one per core inflating with ISA-L).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp(
        "Inflate gzip with zlib, isal (Intel ISA-L, faster), or auto: ISA-L when installed, else zlib. Same results with each.",
        valueName: "zlib|isal|auto"))
    var inflate: InflateChoice = .auto

    @Option(help: ArgumentHelp(
        "Remember what each input contributed in DIR: the next run reads only new or changed inputs, and inputs that are gone keep their contribution (docs/state.md).",
        valueName: "dir"))
    var state: String?

    @Flag(help: "With --state: drop the contribution of inputs that are gone.")
    var forgetMissing = false

    @Option(help: ArgumentHelp(
        "With --state: wait up to this many seconds for another run on the same state to finish (default: exit 75 at once).",
        valueName: "seconds"))
    var wait: Double?

    @Option(help: ArgumentHelp("Exit with 2 when there are more bad lines than this.", valueName: "n"))
    var maxBadLines: Int = 0

    @Option(help: ArgumentHelp(
        "Show a progress line on standard error: auto (only on a terminal, not with --quiet), always, or never.",
        valueName: "auto|always|never"))
    var progress: ProgressMeter.Mode = .auto

    /// The resolved configuration; throws `ValidationError` (exit 64) for bad flags.
    func resolve() throws -> SummarizeConfiguration {
        guard !inputs.isEmpty else {
            throw ValidationError("no input given: name files or directories, or - for standard input")
        }
        var configuration = SummarizeConfiguration(inputs: inputs)
        try shaping.apply(to: &configuration)
        if let threads {
            guard (1...1024).contains(threads) else { throw ValidationError("--threads must be between 1 and 1024") }
            configuration.threads = threads
        }
        guard maxBadLines >= 0 else { throw ValidationError("--max-bad-lines must be 0 or more") }
        configuration.maxBadLines = maxBadLines
        do {
            configuration.inflate = try inflate.resolve()
        } catch {
            throw ValidationError(error.description)
        }
        if let state {
            guard !inputs.contains("-") else {
                throw ValidationError("--state cannot remember standard input: name files or directories")
            }
            configuration.statePath = state
            if let wait {
                guard wait >= 0, wait <= 86_400 * 7 else { throw ValidationError("--wait must be between 0 and 604800 seconds") }
                configuration.stateWait = .milliseconds(Int64(wait * 1000))
            }
        } else if forgetMissing || wait != nil {
            throw ValidationError("\(forgetMissing ? "--forget-missing" : "--wait") needs --state")
        }
        configuration.forgetMissing = forgetMissing
        try outputOptions.apply(to: &configuration)
        try partitioning.apply(to: &configuration)
        if ProgressMeter.isShown(progress, quiet: outputOptions.quiet) { configuration.progress = ProgressMeter() }
        return configuration
    }

    func validate() throws {
        _ = try resolve()
    }

    func run() throws {
        var configuration = try resolve()
        configuration.stop = StopRequest.trapping()
        let report: RunReport
        do {
            report = try SummarizePipeline.run(configuration)
        } catch .interrupted(let signal) {
            printError("tokentally: \(SummarizePipeline.Failure.interrupted(signal: signal))")
            throw ExitCode(ExitCodes.interrupted(by: signal))
        } catch .locked(let error) {
            printError("tokentally: \(error)")
            throw ExitCode(error.exitCode)
        } catch {
            printError("tokentally: \(error)")
            throw ExitCode(1)
        }
        outputOptions.tell(report)
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

/// Writes `text` to standard output, all of it.
func printOutput(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

extension InflateChoice: ExpressibleByArgument {}
extension ProgressMeter.Mode: ExpressibleByArgument {}
