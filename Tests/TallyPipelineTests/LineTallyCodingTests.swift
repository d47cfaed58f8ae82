import Foundation
import Testing
import UsageDecoding

@testable import TallyPipeline

/// Tallies are stored in `--state` partials. A state written before a warning kind existed
/// (`invalid_latency` came with `--stats`) holds fewer counts: they read as 0, and adding such a
/// tally to a current one must not trap.
@Suite struct LineTallyCodingTests {
    static func stored(warnings: [Int], badLines: [Int] = [0, 0, 1, 0, 0, 2]) -> Data {
        Data("""
            {"linesRead":12,"records":6,"noUsage":2,"blankLines":1,"badLinesByReason":\(badLines),\
            "filteredOut":0,"duplicatesDropped":0,"failedFileLines":0,"warnings":\(warnings)}
            """.utf8)
    }

    @Test func aTallyStoredBeforeANewWarningReadsItAsZero() throws {
        let old = try JSONDecoder().decode(LineTally.self, from: Self.stored(warnings: [0, 3, 0, 0, 0, 0, 0, 0]))
        #expect(old.warnings.count == LineWarnings.all.count)
        #expect(old.warnings == [0, 3, 0, 0, 0, 0, 0, 0, 0])
        #expect(old.isBalanced)
        var current = LineTally()
        current.countWarnings(.invalidLatency)
        current += old
        #expect(current.warnings == [0, 3, 0, 0, 0, 0, 0, 0, 1])
        // Round trip of a current tally.
        let back = try JSONDecoder().decode(LineTally.self, from: JSONEncoder().encode(current))
        #expect(back == current)
    }

    @Test func moreCountsThanKnownAreRefused() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LineTally.self, from: Self.stored(warnings: Array(repeating: 0, count: 12)))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LineTally.self, from: Self.stored(warnings: [0], badLines: Array(repeating: 0, count: 9)))
        }
    }
}
