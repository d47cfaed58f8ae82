import Foundation
import FuzzSupport
import UsageAggregation

/// Any bytes as a group's stored measures (a `--state` partial's rows, `--stats` distributions
/// included): decoding gives measures or an error, never a trap; what decodes can be read
/// (every percentile) and merged, and stores and reads back as the same measures.
@_cdecl("fuzz_measures_main")
func fuzzMeasuresMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc: argc, argv: argv) { input in
        guard let measures = try? JSONDecoder().decode(Measures.self, from: Data(input)) else { return }
        if let stats = measures.stats {
            for distribution in [stats.totalTokens, stats.latencyMS] {
                for percentile in [1, 50, 95, 99, 100] {
                    let value = distribution.value(atPercentile: percentile)
                    if distribution.count > 0, let value, value < distribution.minimum || value > distribution.maximum {
                        fatalError("p\(percentile) \(value) outside [\(distribution.minimum), \(distribution.maximum)]")
                    }
                }
            }
        }
        var merged = measures
        _ = merged.merge(measures)
        guard let stored = try? JSONEncoder().encode(measures) else { fatalError("decoded measures do not encode") }
        guard let back = try? JSONDecoder().decode(Measures.self, from: stored), back == measures else {
            fatalError("measures do not read back as stored: \(String(decoding: stored, as: UTF8.self))")
        }
    }
}
