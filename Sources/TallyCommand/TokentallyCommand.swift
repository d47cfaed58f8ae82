import ArgumentParser
import TallyPipeline

/// `tokentally`: the root command.
///
/// Exit codes (docs/cli.md): 0 all inputs ok and no bad lines beyond `--max-bad-lines`;
/// 2 outputs written, but an input failed or was flagged, or too many bad lines; 1 fatal,
/// nothing written; 64 usage error; 75 another run holds the state lock; 130/143 stopped by
/// SIGINT/SIGTERM, nothing written (`ExitCodes`).
public struct TokentallyCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tokentally",
        abstract: "Summarise LLM request logs (JSON Lines, gzip or plain) into usage CSV.",
        version: RunReport.toolVersion,
        subcommands: [Summarize.self, Inspect.self, Merge.self, Schema.self]
    )

    public init() {}
}
