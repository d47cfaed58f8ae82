import FuzzSupport
import UsageAggregation
import UsageDecoding

/// Any bytes as one line: the decoder must give an outcome (never trap), a record must have
/// consistent counts, and its group key, `lastMatch` and `--stats` distributions must be
/// computable. Latency is read (as with `--stats`): a record has a latency or, at most, an
/// `invalid_latency` warning.
@_cdecl("fuzz_decoder_main")
func fuzzDecoderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let plan = GroupingPlan(columns: [.time(.day), .model, .key, .user, .provider, .status, .custom("team")])
    let configuration = DecoderConfiguration(
        customFields: ["team": JSONPointer(tokens: ["metadata", "team"])], valueFields: plan.valueFields, maxDepth: 64,
        readsLatency: true)
    let decoder = UsageDecoder(configuration: configuration)
    let keys = GroupKeyBuilder(plan: plan)
    return runFuzzer(argc: argc, argv: argv) { line in
        guard case .record(let record) = decoder.decode(line) else { return }
        var sum = record.inputTokens
        if sum.add(record.outputTokens), record.totalTokens != sum, !record.warnings.contains(.totalMismatch) {
            fatalError("total \(record.totalTokens) is not input + output \(sum) and no total_mismatch warning")
        }
        if record.latencyMS != nil && record.warnings.contains(.invalidLatency) {
            fatalError("a latency and an invalid_latency warning")
        }
        var stats = GroupStats()
        stats.record(record)
        stats.merge(stats)
        _ = stats.totalTokens.value(atPercentile: 99)
        _ = keys.cells(for: record, decoder: decoder, line: line, fileID: 0)
        guard decoder.lastMatch(line: line) != nil else { fatalError("a record without a match") }
    }
}
