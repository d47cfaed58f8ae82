import ArgumentParser
import SummaryOutput
import TallyPipeline
import UsageAggregation

/// `tokentally schema`: the CSVW schema sidecar for the given options, without reading logs.
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the schema sidecar (W3C CSVW JSON) of a summary, without reading logs.",
        discussion: """
            Prints what summarize -o FILE writes next to FILE as FILE-metadata.json: every \
            column's name, datatype, unit and description for these --by and --field options, \
            the dialect of --format csv or tsv (and --csv-dialect), and the schema version \
            (docs/schema.md).
            """
    )

    @OptionGroup var shaping: ShapingOptions

    @Option(help: ArgumentHelp("csv (default) or tsv: the format whose sidecar to print.", valueName: "csv|tsv"))
    var format: SummaryFormat = .csv

    @Option(help: ArgumentHelp(
        "With csv: rfc4180 (default) or excel-eu.", valueName: "rfc4180|excel-eu"))
    var csvDialect: CSVDialect?

    @Option(help: ArgumentHelp(
        "The summary file's name, written as the sidecar's url (default: usage.csv, or usage.tsv).", valueName: "name"))
    var url: String?

    func resolve() throws -> (columns: [GroupColumn], optional: OptionalMeasures, format: OutputFormat, url: String) {
        var configuration = SummarizeConfiguration(inputs: [])
        try shaping.apply(to: &configuration)
        guard format.hasSidecar else {
            throw ValidationError("--format \(format.rawValue) has no sidecar: CSVW describes csv and tsv (docs/schema.md)")
        }
        if let csvDialect, format != .csv {
            throw ValidationError("--csv-dialect \(csvDialect.rawValue) applies to --format csv only, not \(format.rawValue)")
        }
        return (configuration.columns, configuration.optionalMeasures, OutputFormat(format, dialect: csvDialect ?? .rfc4180), url ?? "usage.\(format.rawValue)")
    }

    func validate() throws {
        _ = try resolve()
    }

    func run() throws {
        let (columns, optional, format, url) = try resolve()
        printOutput(SchemaSidecar.json(columns: columns, optional: optional, format: format, url: url))
    }
}
