import ArgumentParser
import SummaryOutput
import TallyPipeline

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the summary and the run report go, the summary's format and CSV dialect, and what
/// standard error says: shared by `summarize` and `merge`.
struct OutputOptions: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp("Write the summary here (atomically) instead of standard output; csv and tsv get a schema sidecar FILE-metadata.json; with --partition-by, the dataset's directory.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Write the run report (JSON) here.", valueName: "file"))
    var report: String?

    @Flag(name: [.short, .long], help: "Print nothing on standard error except fatal errors.")
    var quiet = false

    @Option(help: ArgumentHelp(
        "csv, tsv, jsonl (one JSON object per row) or table (aligned, for people). Default: table when standard output is a terminal and there is no -o FILE, else csv.",
        valueName: "csv|tsv|jsonl|table"))
    var format: SummaryFormat?

    @Option(help: ArgumentHelp(
        "With csv: rfc4180 (default), or excel-eu for spreadsheets in a European locale (; between cells, decimal comma, UTF-8 BOM).",
        valueName: "rfc4180|excel-eu"))
    var csvDialect: CSVDialect?

    /// The format and dialect for a summary written to `outputPath` (nil: standard output);
    /// throws `ValidationError` (exit 64) for a dialect with a format other than csv.
    func resolve(outputPath: String?) throws -> OutputFormat {
        let chosen = format ?? (csvDialect == nil && outputPath == nil && isatty(STDOUT_FILENO) == 1 ? .table : .csv)
        if let csvDialect, chosen != .csv {
            throw ValidationError("--csv-dialect \(csvDialect.rawValue) applies to --format csv only, not \(chosen.rawValue)")
        }
        return OutputFormat(chosen, dialect: csvDialect ?? .rfc4180)
    }

    /// Resolves the options into `configuration`.
    func apply(to configuration: inout SummarizeConfiguration) throws {
        configuration.outputPath = output == "-" ? nil : output
        configuration.reportPath = report
        let resolved = try resolve(outputPath: configuration.outputPath)
        configuration.format = resolved.format
        configuration.dialect = resolved.dialect
    }

    /// Says how the run went on standard error: on a terminal always, otherwise (cron) only
    /// when something is wrong; never with `--quiet`.
    func tell(_ report: RunReport) {
        guard !quiet && (isatty(STDERR_FILENO) == 1 || report.exitCode != 0) else { return }
        for line in report.problemLines { printError(line) }
        printError(report.summaryLine)
    }
}

extension SummaryFormat: ExpressibleByArgument {}
extension CSVDialect: ExpressibleByArgument {}
