import ArgumentParser
import TallyPipeline

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `tokentally merge`: several hosts' `--state` directories into one summary.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Sum the --state directories of several hosts into one summary, each log once.",
        discussion: """
            Reads no log: only what each state directory remembers (docs/state.md). A log seen by \
            two hosts (the same fingerprint) counts once. Every state must have been made with the \
            options given here (--by, --tz, --since, --until, --field, --dedup, --salvage, \
            --max-line-bytes, --prices with the same file content, --stats); a state made with others is refused.

            Exit codes: 0 written; 1 fatal, nothing written; 64 usage error; 75 a state is held by \
            a running tokentally (see --wait).
            """
    )

    @Argument(help: ArgumentHelp("State directories (summarize --state DIR).", valueName: "state-dir"))
    var states: [String] = []

    @OptionGroup var shaping: ShapingOptions

    @OptionGroup var outputOptions: OutputOptions

    @OptionGroup var partitioning: PartitionOptions

    @Option(help: ArgumentHelp("Wait up to this many seconds for a run holding a state (default: exit 75 at once).", valueName: "seconds"))
    var wait: Double?

    func resolve() throws -> SummarizeConfiguration {
        guard !states.isEmpty else { throw ValidationError("no state directory given") }
        var configuration = SummarizeConfiguration(inputs: [])
        try shaping.apply(to: &configuration)
        if let wait {
            guard wait >= 0, wait <= 86_400 * 7 else { throw ValidationError("--wait must be between 0 and 604800 seconds") }
            configuration.stateWait = .milliseconds(Int64(wait * 1000))
        }
        try outputOptions.apply(to: &configuration)
        try partitioning.apply(to: &configuration)
        return configuration
    }

    func validate() throws {
        _ = try resolve()
    }

    func run() throws {
        let configuration = try resolve()
        let report: RunReport
        do {
            report = try SummarizePipeline.merge(states: states, configuration)
        } catch .locked(let error) {
            printError("tokentally: \(error)")
            throw ExitCode(error.exitCode)
        } catch {
            printError("tokentally: \(error)")
            throw ExitCode(ExitCodes.fatal)
        }
        outputOptions.tell(report)
    }
}
