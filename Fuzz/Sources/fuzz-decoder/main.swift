import FuzzSupport
import UsageAggregation
import UsageDecoding

/// Any bytes as one line: the decoder must give an outcome (never trap), a record must have
/// consistent counts, and its group key, `lastMatch` and `--stats` distributions must be
/// computable. Latency is read (as with `--stats`): a record has a latency or, at most, an
/// `invalid_latency` warning. And the scanner's fast paths (checking a line as UTF-8 first,
/// skipping unplanned containers) must change nothing: the result, the error offset and every
/// planned value are the same without them. A record written over the previous line's
/// (`decode(_:into:)`, as the batch decoder does) equals a fresh one.
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
    let exact = JSONScanner(plan: capture, maxDepth: 64, fastPaths: [])
    let variants: [JSONScanner.FastPaths] = [.prevalidation, .containerSkipping, .all]
    let fastScanners = variants.map { JSONScanner(plan: capture, maxDepth: 64, fastPaths: $0) }
    // Written line after line, as the batch decoder does: a field left over from an earlier
    // line would make it differ from a fresh decode.
    var reused = UsageRecord()
    return runFuzzer(argc: argc, argv: argv) { line in
        let reference = exact.scan(line)
        for (variant, fast) in zip(variants, fastScanners) {
            let result = fast.scan(line)
            if result != reference { fatalError("fast paths \(variant.rawValue): scan \(result), exact scan \(reference)") }
            for node in capture.nodeIDs where fast.value(node) != exact.value(node) {
                fatalError("fast paths \(variant.rawValue), node \(node): \(String(describing: fast.value(node))), exact \(String(describing: exact.value(node)))")
            }
        }
        let inPlace = decoder.decode(line, into: &reused)
        let outcome = decoder.decode(line)
        switch (inPlace, outcome) {
        case (.record, .record(let fresh)) where fresh == reused: break
        case (.noUsage(let a), .noUsage(let b)) where a == b: break
        case (.bad(let a), .bad(let b)) where a == b: break
        default: fatalError("decode(_:into:) \(inPlace) \(reused), decode(_:) \(outcome)")
        }
        guard case .record(let record) = outcome else { return }
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
