import FuzzSupport
import UsageAggregation
import UsageDecoding

/// Any bytes as one line: the decoder must give an outcome (never trap), a record must have
/// consistent counts, and its group key, `lastMatch` and `--stats` distributions must be
/// computable. Latency is read (as with `--stats`): a record has a latency or, at most, an
/// `invalid_latency` warning. And checking a line as UTF-8 first (the scanner's AVX2 path)
/// must change nothing: the result, the error offset and every planned value are the same
/// without it.
@_cdecl("fuzz_decoder_main")
func fuzzDecoderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let plan = GroupingPlan(columns: [.time(.day), .model, .key, .user, .provider, .status, .custom("team")])
    let configuration = DecoderConfiguration(
        customFields: ["team": JSONPointer(tokens: ["metadata", "team"])], valueFields: plan.valueFields, maxDepth: 64,
        readsLatency: true)
    let decoder = UsageDecoder(configuration: configuration)
    let keys = GroupKeyBuilder(plan: plan)
    let paths = [["model"], ["usage"], ["usage", "input_tokens"], ["response", "usage", "output_tokens"], ["metadata", "team"],
                 ["messages"], ["input"], ["error", "message"], ["type"]]
    let capture = CapturePlan(paths: paths)
    let prevalidating = JSONScanner(plan: capture, maxDepth: 64, prevalidatesUTF8: true)
    let exact = JSONScanner(plan: capture, maxDepth: 64, prevalidatesUTF8: false)
    return runFuzzer(argc: argc, argv: argv) { line in
        let fast = prevalidating.scan(line)
        let reference = exact.scan(line)
        if fast != reference { fatalError("prevalidating scan \(fast), exact scan \(reference)") }
        for node in capture.nodeIDs where prevalidating.value(node) != exact.value(node) {
            fatalError("node \(node): prevalidating \(String(describing: prevalidating.value(node))), exact \(String(describing: exact.value(node)))")
        }
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
