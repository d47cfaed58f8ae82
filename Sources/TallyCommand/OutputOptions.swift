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

/// The options that decide the summary's bytes — its format and CSV dialect — shared by
/// `summarize`, `merge` and `schema`.
struct OutputOptions: ParsableArguments {
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

    /// Resolves the options into `configuration` (its `outputPath` already set).
    func apply(to configuration: inout SummarizeConfiguration) throws {
        let resolved = try resolve(outputPath: configuration.outputPath)
        configuration.format = resolved.format
        configuration.dialect = resolved.dialect
    }
}

extension SummaryFormat: ExpressibleByArgument {}
extension CSVDialect: ExpressibleByArgument {}
