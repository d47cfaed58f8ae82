@testable import LineFraming
import TestSupport
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

    /// Hand-written edge cases, some sized around the line limit `limit`.
    static func edgeCases(limit: Int) -> [Input] {
        func s(_ text: String) -> [UInt8] { Array(text.utf8) }
        var cases: [Input] = [
            Input(name: "empty", bytes: []),
            Input(name: "newline", bytes: s("\n")),
            Input(name: "one byte", bytes: s("a")),
            Input(name: "one line", bytes: s("a\n")),
            Input(name: "CRLF", bytes: s("a\r\n")),
            Input(name: "CR at the end", bytes: s("a\r")),
            Input(name: "CR alone", bytes: s("\r")),
            Input(name: "empty CRLF lines", bytes: s("\r\n\r\n")),
            Input(name: "empty line between", bytes: s("a\n\nb\n")),
            Input(name: "blank lines", bytes: s(" \t \n\t\n x \n\r\n  ")),
            Input(name: "two CRs", bytes: s("a\r\r\nb\r\r")),
            Input(name: "CR inside", bytes: s("a\rb\nc\r\rd")),
            Input(name: "JSON lines", bytes: s("{\"a\":1}\n{\"b\":2}\r\n{\"c\":3}")),
            Input(name: "not UTF-8 and NUL", bytes: [0x00, 0xFF, 0x0D, 0x41, 0x0A, 0xC3, 0x0A, 0x00]),
            Input(name: "BOM then lines", bytes: bom + s("a\nb")),
            Input(name: "BOM alone", bytes: bom),
            Input(name: "BOM newline", bytes: bom + s("\n")),
            Input(name: "BOM blank", bytes: bom + s("\r\n x")),
            Input(name: "BOM later is kept", bytes: s("a\n") + bom + s("b\n")),
            Input(name: "second BOM is kept", bytes: bom + bom + s("a\n")),
            Input(name: "half a BOM", bytes: [0xEF, 0xBB] + s("x\n")),
            Input(name: "half a BOM alone", bytes: [0xEF, 0xBB]),
            Input(name: "spaces beyond the limit", bytes: repeated(" ", limit + 5) + s("\n")),
        ]
        // Lines just below, at and just above the limit, ended by \n, \r\n or the stream's end.
        for length in [limit - 1, limit, limit + 1, limit + 2] where length >= 0 {
            for terminator in ["\n", "\r\n", "\r", ""] {
                var bytes = s("head\n") + repeated("y", length) + s(terminator)
                if terminator.hasSuffix("\n") { bytes += s("tail\n") }
                cases.append(Input(name: "\(length)-byte line + \(terminator.debugDescription)", bytes: bytes))
            }
        }
        // Several too-long lines in a row, one ended by \r\n, then a short last line.
        var run: [UInt8] = []
        for extra in 1...5 { run += repeated("z", limit + extra) + s(extra == 3 ? "\r\n" : "\n") }
        cases.append(Input(name: "too-long lines in a row", bytes: run + s("end")))
        cases.append(Input(name: "too long with CRLF", bytes: repeated("z", 3 * limit + 10) + s("\r\nok\n")))
        cases.append(Input(name: "too long, last", bytes: s("ok\n") + repeated("z", 3 * limit + 10)))
        cases.append(Input(name: "too long, last, CR", bytes: s("ok\n") + repeated("z", 3 * limit + 10) + s("\r")))
        cases.append(Input(name: "too long, BOM", bytes: bom + repeated("z", 3 * limit + 10) + s("\nok\n")))
        // A line far longer than the smaller batch sizes.
        cases.append(Input(name: "5000-byte line", bytes: s("a\n") + repeated("b", 5000) + s("\nc\n")))
        return cases
    }

    /// Random streams from the pieces logs are made of (deterministic: seeded).
    static func generated(limit: Int, count: Int = 24) -> [Input] {
        let alphabet: [UInt8] = Array("ab{}\":01 \t\r".utf8) + [0xFF, 0x00, 0xE2, 0x82, 0xAC]
        var inputs: [Input] = []
        for seed in 0..<count {
            var random = SplitMix64(seed: UInt64(seed) &* 7919)
            var bytes: [UInt8] = Bool.random(using: &random) && seed % 3 == 0 ? bom : []
            let target = Int.random(in: 0...1500, using: &random)
            func text() -> [UInt8] {
                let longest = Int.random(in: 0..<10, using: &random) == 0 ? 3 * limit + 20 : min(2 * limit + 3, 120)
                let length = Int.random(in: 0...min(longest, 4000), using: &random)
                return (0..<length).map { _ in alphabet.randomElement(using: &random)! }
            }
            while bytes.count < target {
                switch Int.random(in: 0..<10, using: &random) {
                case 0: bytes += Array("\n".utf8)
                case 1: bytes += (0..<Int.random(in: 1...4, using: &random)).map { _ in [0x20, 0x09].randomElement(using: &random)! } + [0x0A]
                default:
                    bytes += text()
                    bytes += [[0x0A], [0x0A], [0x0D, 0x0A], [0x0D, 0x0D, 0x0A]].randomElement(using: &random)!
                }
            }
            if Bool.random(using: &random) { bytes += text() }
            inputs.append(Input(name: "generated #\(seed)", bytes: bytes))
        }
        return inputs
    }

    /// Checks one run against the oracle and the batch rules.
    func check(
        _ input: Input, chunkSize: Int, batchBytes: Int, maxLineBytes: Int, cleanEnd: Bool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let context = "\(input.name), chunk \(chunkSize), batch \(batchBytes), limit \(maxLineBytes), clean \(cleanEnd)"
        let run = runFramer(input.bytes, chunkSize: chunkSize, batchBytes: batchBytes, maxLineBytes: maxLineBytes, cleanEnd: cleanEnd)
        let expected = FramingOracle.frame(input.bytes, cleanEnd: cleanEnd, maxLineBytes: maxLineBytes)
        let difference = firstDifference(run.framed, expected)
        #expect(difference == nil, "\(context)", sourceLocation: sourceLocation)
        for (index, batch) in run.batches.enumerated() {
            let isLast = index == run.batches.count - 1
            #expect(batch.byteCount > 0 || batch.dropped > 0, "\(context): batch \(index) is empty", sourceLocation: sourceLocation)
            if !isLast || !cleanEnd {
                #expect(batch.byteCount == 0 || batch.endsWithNewline, "\(context): batch \(index) ends mid-line", sourceLocation: sourceLocation)
            }
            if !isLast {
                #expect(batch.byteCount > 0, "\(context): batch \(index) has no bytes", sourceLocation: sourceLocation)
            }
        }
    }

    @Test(arguments: chunkSizes, batchSizes)
    func framesLikeTheOracle(chunkSize: Int, batchBytes: Int) {
        for limit in Self.lineLimits {
            let testLimit = min(limit, 200)  // edge-case sizes for the default limit stay small
            for input in Self.edgeCases(limit: testLimit) + Self.generated(limit: testLimit) {
                for cleanEnd in [true, false] {
                    check(input, chunkSize: chunkSize, batchBytes: batchBytes, maxLineBytes: limit, cleanEnd: cleanEnd)
                }
            }
        }
    }

    // MARK: - Long lines

    /// A kept line longer than the batch and than the framer's slack: the buffer grows and the
    /// line leaves whole.
    @Test(arguments: chunkSizes)
    func lineMuchLongerThanTheBatchIsKeptWhole(chunkSize: Int) {
        let long = Self.repeated("q", 300_000)
        let input = Input(name: "300 kB line", bytes: Array("a\n".utf8) + long + Array("\r\nb\n".utf8))
        for batchBytes in [1, 64, 1 << 20] {
            check(input, chunkSize: chunkSize, batchBytes: batchBytes, maxLineBytes: 1 << 20, cleanEnd: true)
        }
        let run = runFramer(input.bytes, chunkSize: chunkSize, batchBytes: 64, maxLineBytes: 1 << 20, cleanEnd: true)
        #expect(run.framed.lines == [.text(Array("a".utf8)), .text(long), .text(Array("b".utf8))])
    }

    /// A line over the limit is skipped as it streams past: the framer never offers a buffer
    /// big enough to hold it.
    @Test(arguments: [7, 64, 4096, Int.max])
    func tooLongLineIsDroppedWithoutBufferingIt(chunkSize: Int) {
        let lineLength = 4 << 20
        let input = Array("a\n".utf8) + Self.repeated("z", lineLength) + Array("\r\nb\n".utf8)
        for (batchBytes, maxLineBytes) in [(64, 1000), (1 << 20, 1000), (64, 300_000)] {
            let run = runFramer(input, chunkSize: chunkSize, batchBytes: batchBytes, maxLineBytes: maxLineBytes, cleanEnd: true)
            #expect(run.framed.lines == [.text(Array("a".utf8)), .tooLong(lineLength), .text(Array("b".utf8))])
            let bound = max(batchBytes, maxLineBytes + 2) + 2 * LineFramer.slackBytes
            #expect(run.largestOffer <= bound, "offered \(run.largestOffer) bytes for a \(lineLength)-byte line")
        }
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
