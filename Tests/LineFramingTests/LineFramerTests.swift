@testable import LineFraming
import Testing

/// Stage 2 against ``FramingOracle``: the same streams pushed at many chunk sizes, batch sizes
/// and line limits must frame exactly like the whole stream split on `\n`.
@Suite struct LineFramerTests {
    /// Bytes per `commit`; `Int.max` takes all the space the framer offers.
    static let chunkSizes = [1, 2, 3, 7, 64, 4096, Int.max]
    static let batchSizes = [1, 5, 64, 1 << 20]
    static let lineLimits = [1, 7, 100, LineFramer.defaultMaxLineBytes]

    struct Input {
        var name: String
        var bytes: [UInt8]
    }

    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static func repeated(_ byte: Character, _ count: Int) -> [UInt8] {
        Array(repeating: byte.asciiValue!, count: max(0, count))
    }

    /// After a stream that did not end cleanly the bytes after the last newline are measured,
    /// never emitted.
    ///
    /// Regression (issue 2): `finish(cleanEnd: false)` counted every byte still in the buffer as
    /// the fragment, so the whole lines before it (here `one` and `two`, 13 bytes in all) were
    /// lost from the salvage and from the line count.
    @Test(arguments: [1, 7, 4096])
    func uncleanEndReportsTheFragment(chunkSize: Int) {
        let input = Array("one\ntwo\nthree".utf8)
        let run = runFramer(input, chunkSize: chunkSize, batchBytes: 1 << 20, maxLineBytes: 100, cleanEnd: false)
        #expect(run.framed == Framed(lines: [.text(Array("one".utf8)), .text(Array("two".utf8))], fragmentBytes: 5))
        let clean = runFramer(input, chunkSize: chunkSize, batchBytes: 1 << 20, maxLineBytes: 100, cleanEnd: true)
        #expect(clean.framed.lines.last == .text(Array("three".utf8)))
        #expect(clean.framed.fragmentBytes == 0)
    }

    @Test func finishWithNothingEmitsNothing() {
        for cleanEnd in [true, false] {
            let run = runFramer([], chunkSize: 1, batchBytes: 64, maxLineBytes: 100, cleanEnd: cleanEnd)
            #expect(run.batches.isEmpty)
            #expect(run.framed == Framed(lines: [], fragmentBytes: 0))
        }
    }
}
