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

    /// Regression (issue 2): after a long line had grown the buffer, one commit could hold the
    /// end of that line and more of the next than a fresh batch buffer holds; the framer copied
    /// that partial line into a buffer of `batchBytes` + slack bytes, past its end.
    @Test func longPartialLineAfterACutFitsTheNextBuffer() {
        let first = Self.repeated("a", 600_000), second = Self.repeated("b", 800_000)
        let input = first + [0x0A] + second + [0x0A] + Array("c".utf8)
        for batchBytes in [64, 1 << 10] {
            let run = runFramer(input, chunkSize: Int.max, batchBytes: batchBytes, maxLineBytes: 1 << 20, cleanEnd: true)
            #expect(run.framed.lines == [.text(first), .text(second), .text(Array("c".utf8))])
        }
    }

    /// Regression (issue 2): the length of a skipped too-long line counted its `\r` when the
    /// `\r` and the `\n` came in different commits (21 bytes instead of 20 here), and when a
    /// too-long last line ended in `\r` without `\n`.
    @Test func skippedLineLengthExcludesACarriageReturnFromAnEarlierCommit() {
        let input = Self.repeated("z", 20) + Array("\r\nok\n".utf8)
        for chunkSize in [1, 13, 21] {  // 21: the \r ends the first commit, the \n starts the second
            let run = runFramer(input, chunkSize: chunkSize, batchBytes: 5, maxLineBytes: 10, cleanEnd: true)
            #expect(run.framed.lines == [.tooLong(20), .text(Array("ok".utf8))], "chunk \(chunkSize)")
        }
        let last = Array("ok\n".utf8) + Self.repeated("z", 20) + Array("\r".utf8)
        let run = runFramer(last, chunkSize: 4096, batchBytes: 5, maxLineBytes: 10, cleanEnd: true)
        #expect(run.framed.lines == [.text(Array("ok".utf8)), .tooLong(20)])
        let cut = runFramer(last, chunkSize: 4096, batchBytes: 5, maxLineBytes: 10, cleanEnd: false)
        #expect(cut.framed == Framed(lines: [.text(Array("ok".utf8))], fragmentBytes: 21))
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
