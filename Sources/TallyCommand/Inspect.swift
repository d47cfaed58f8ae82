import ArgumentParser
import LogInput
import TallyPipeline
import UsageDecoding

/// `tokentally inspect`: what a log holds, and the flags to pass when tokentally does not
/// recognise it.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show which log shapes a sample holds, where each field comes from, and --field flags to try.",
        discussion: """
            Reads the first --lines lines (default 10000) of the inputs, in name order, or every \
            line with --all, and prints the shapes found with counts, the JSON paths each field \
            was read from with sample values, lines without usage by type, bad lines, and \
            --field flags for what was not recognised. Nothing is deduplicated or summed.

            Exit codes: 0 inspected (bad lines and failed inputs are reported, not errors); \
            1 no input could be read; 64 usage error.
            """
    )

    @Argument(help: ArgumentHelp("Log files, directories, or - for standard input.", valueName: "input"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Lines to sample, over all inputs in name order.", valueName: "n"))
    var lines: Int = InspectConfiguration.defaultSampleLines

    @Flag(help: "Read every line of every input instead of a sample.")
    var all = false

    @Flag(help: "Print one JSON object (for scripts) instead of text.")
    var json = false

    @Option(
        name: .customLong("field"),
        help: ArgumentHelp(
            "NAME=/json/pointer, as for summarize: try a built-in field's location or a custom field. Repeatable.",
            valueName: "name=pointer"))
    var fields: [String] = []

    @Option(help: ArgumentHelp(
        "Inflate gzip with zlib, isal (Intel ISA-L), or auto.", valueName: "zlib|isal|auto"))
    var inflate: InflateChoice = .auto

    @Option(help: ArgumentHelp("Longest line decoded, in bytes; longer lines are bad lines.", valueName: "bytes"))
    var maxLineBytes: Int = InspectConfiguration(inputs: []).maxLineBytes

    /// The resolved configuration; throws `ValidationError` (exit 64) for bad flags.
    func resolve() throws -> InspectConfiguration {
        guard !inputs.isEmpty else {
            throw ValidationError("no input given: name files or directories, or - for standard input")
        }
        var configuration = InspectConfiguration(inputs: inputs)
        var fieldConfiguration = SummarizeConfiguration(inputs: inputs)
        try FieldOptions.apply(fields, to: &fieldConfiguration)
        guard fieldConfiguration.overrides[.latency] == nil else {
            throw ValidationError("--field latency= is not shown by inspect: it is read only by summarize --stats")
        }
        configuration.overrides = fieldConfiguration.overrides
        configuration.customFields = fieldConfiguration.customFields
        guard lines >= 1 else { throw ValidationError("--lines must be 1 or more") }
        configuration.sampleLines = all ? nil : lines
        guard (1...(1 << 30)).contains(maxLineBytes) else {
            throw ValidationError("--max-line-bytes must be between 1 and 1073741824")
        }
        configuration.maxLineBytes = maxLineBytes
        do {
            configuration.inflate = try inflate.resolve()
        } catch {
            throw ValidationError(error.description)
        }
        return configuration
    }

    func validate() throws {
        _ = try resolve()
    }

    func run() throws {
        let configuration = try resolve()
        let report: InspectReport
        do {
            report = try InspectPipeline.run(configuration)
        } catch {
            printError("tokentally: \(error)")
            throw ExitCode(1)
        }
        for line in report.problemLines { printError(line) }
        printOutput(json ? report.json : report.text)
    }
}
