import LineFraming
import Testing

/// `LineBatch.forEachLine` on batches built by hand.
@Suite struct LineBatchTests {
    func batch(_ text: String, dropped: [Int] = []) -> LineBatch {
        let bytes = Array(text.utf8)
        let storage = ByteStorage(capacity: max(bytes.count, 1))
        bytes.withUnsafeBytes { storage.base.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return LineBatch(storage: storage, byteCount: bytes.count, droppedLineLengths: dropped)
    }

    func lines(_ batch: LineBatch, maxLineBytes: Int) -> [Line] {
        var lines: [Line] = []
        batch.forEachLine(maxLineBytes: maxLineBytes) { line in
            switch line {
            case .text(let bytes): lines.append(.text(Array(bytes)))
            case .blank: lines.append(.blank)
            case .tooLong(let count): lines.append(.tooLong(count))
            }
        }
        return lines
    }

    func text(_ string: String) -> Line { .text(Array(string.utf8)) }

    @Test func droppedLinesComeFirstThenEachLine() {
        let lines = lines(batch("a\r\n\n \t\nbcdef\r\nxyz", dropped: [10, 20]), maxLineBytes: 4)
        #expect(lines == [.tooLong(10), .tooLong(20), text("a"), .blank, .blank, .tooLong(5), text("xyz")])
    }

    @Test func oneCarriageReturnIsStripped() {
        #expect(lines(batch("a\r\r\n\r\nb\r"), maxLineBytes: 10) == [text("a\r"), .blank, text("b")])
    }

    /// The limit counts the line without its `\r\n`: a 4-byte line with CRLF fits a limit of 4.
    @Test func limitExcludesTheTerminator() {
        #expect(lines(batch("abcd\r\nabcde\n"), maxLineBytes: 4) == [text("abcd"), .tooLong(5)])
    }

    @Test func batchWithOnlyDroppedLines() {
        #expect(lines(batch("", dropped: [7]), maxLineBytes: 4) == [.tooLong(7)])
    }

    @Test func blankMeansOnlySpacesAndTabs() {
        #expect(lines(batch(" \n\t\t\n \u{0B}\n\u{0C}\n"), maxLineBytes: 10) == [.blank, .blank, text(" \u{0B}"), text("\u{0C}")])
    }
}
