import ArgumentParser
import TallyPipeline
import UsageAggregation

/// The options that shape what each input contributes to a summary — the group columns, the
/// time zone and window, the fields, deduplication, salvage, the line limit, the prices, the statistics — shared by
/// `summarize` and `merge` (a state made with some options is merged with the same ones).
struct ShapingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Group columns, comma-separated: hour, day, week, month, model, provider, key, user, status, file, or a custom --field name.",
        valueName: "columns"))
    var by: String = "day,model"

    @Option(help: ArgumentHelp(
        "Time zone of the hour/day/week/month columns and of --since/--until: an IANA name (America/New_York), UTC, or +HH:MM. TZ is not used.",
        valueName: "zone"))
    var tz: String = "UTC"

    @Option(help: ArgumentHelp(
        "Keep records at or after this time: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (in --tz), or RFC 3339 with Z or an offset.",
        valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp(
        "Keep records before this time (same forms as --since); records without a time are left out when either is given.",
        valueName: "time"))
    var until: String?

    @Option(
        name: .customLong("field"),
        help: ArgumentHelp(
            "NAME=/json/pointer: read a built-in field (time, model, provider, key, user, status, id, usage, cost, latency) from there, or define a custom column NAME. Repeatable.",
            valueName: "name=pointer"))
    var fields: [String] = []

    @Flag(help: "Count the complete lines before the damage in failed inputs (flagged as salvaged).")
    var salvage = false

    @Flag(help: "Keep one record per request id across all inputs (the copy with the most output tokens, at its earliest time). Claude Code lines are always deduplicated.")
    var dedup = false

    @Option(help: ArgumentHelp("Longest line decoded, in bytes; longer lines are bad lines.", valueName: "bytes"))
    var maxLineBytes: Int = SummarizeConfiguration(inputs: []).maxLineBytes

    @Option(help: ArgumentHelp(
        "Price records whose log carries no cost from this CSV (model pattern, effective date, USD per million tokens; docs/prices.md), and add the columns unpriced_requests and cache_savings_usd.",
        valueName: "file"))
    var prices: String?

    @Flag(help: "Add per-group percentiles: p50/p95/p99/max of total tokens and of latency in ms (latency_ms, endTime - startTime, or --field latency=).")
    var stats = false

    /// Applies these options; throws `ValidationError` (exit 64) for bad ones.
    func apply(to configuration: inout SummarizeConfiguration) throws {
        try FieldOptions.apply(fields, to: &configuration)
        configuration.columns = try FieldOptions.columns(by, customFields: Set(configuration.customFields.keys))
        try TimeOptions.apply(tz: tz, since: since, until: until, to: &configuration)
        guard (1...(1 << 30)).contains(maxLineBytes) else {
            throw ValidationError("--max-line-bytes must be between 1 and 1073741824")
        }
        configuration.maxLineBytes = maxLineBytes
        configuration.salvage = salvage
        configuration.dedup = dedup
        configuration.stats = stats
        if configuration.overrides[.latency] != nil && !stats {
            throw ValidationError("--field latency= is read only with --stats (the latency columns)")
        }
        if let prices {
            do {
                configuration.prices = try PriceTable.load(path: prices)
            } catch {
                throw ValidationError("--prices \(error)")
            }
        }
    }
}
