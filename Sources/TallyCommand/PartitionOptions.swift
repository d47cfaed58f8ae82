import ArgumentParser
import TallyPipeline
import UsageAggregation

/// `--partition-by COLUMN`: write `-o DIR` as a Hive-style dataset, one directory per value of
/// a `--by` column (`DIR/day=2026-11-28/part-0.csv`). Shared by `summarize` and `merge`.
struct PartitionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Write -o DIR as a Hive-style dataset, one directory per value of this --by column (DIR/day=2026-11-28/part-0.csv); only the partitions with rows in this run are replaced.",
        valueName: "column"))
    var partitionBy: String?

    /// Applies the option to a configuration whose columns and output path are set; throws
    /// `ValidationError` (exit 64) when the column is not a `--by` column or `-o DIR` is missing.
    func apply(to configuration: inout SummarizeConfiguration) throws {
        guard let partitionBy else { return }
        let name = Substring(partitionBy).trimmingWhitespace()
        guard let column = configuration.columns.first(where: { $0.description == name }) else {
            throw ValidationError(
                "--partition-by '\(partitionBy)' is not one of the --by columns ("
                    + configuration.columns.map(\.description).joined(separator: ",") + ")")
        }
        guard configuration.outputPath != nil else {
            throw ValidationError("--partition-by needs -o DIR: the directory that holds the partitions")
        }
        guard configuration.format == .csv, configuration.dialect == .rfc4180 else {
            throw ValidationError("--partition-by writes CSV part files: it cannot be combined with --format or --csv-dialect")
        }
        configuration.partitionColumn = column
    }
}
