import Foundation
import LogInput
import TestSupport
import Testing

@testable import LineFraming

/// Stage 2 on a mapped plain file: the same inputs as ``LineFramerTests``, written to a file,
/// mapped and framed in place, must give exactly the oracle's lines (a file always ends
/// cleanly), and every batch but the last must end with `\n`.
@Suite struct MappedFramingTests {
    /// Frames `bytes` through a mapped file; nil when the file cannot be mapped (empty).
    static func frameMapped(_ bytes: [UInt8], batchBytes: Int, maxLineBytes: Int) throws -> (lines: [Line], batches: [LineBatch])? {
        let directory = try TemporaryDirectory()
        let path = try directory.write("log.jsonl", bytes)
        let handle = try FileByteSource(path: path)
        guard let file = MappedFile(descriptor: handle.descriptor) else { return nil }
        var batches: [LineBatch] = []
        MappedFraming.frame(file, batchBytes: batchBytes, maxLineBytes: maxLineBytes) { batches.append($0) }
        var lines: [Line] = []
        for batch in batches {
            batch.forEachLine(maxLineBytes: maxLineBytes) { line in
                switch line {
                case .text(let text): lines.append(.text(Array(text)))
                case .blank: lines.append(.blank)
                case .tooLong(let count): lines.append(.tooLong(count))
                }
            }
        }
        return (lines, batches)
    }

    @Test(arguments: LineFramerTests.batchSizes)
    func framesLikeTheOracle(batchBytes: Int) throws {
        for limit in LineFramerTests.lineLimits {
            let testLimit = min(limit, 200)
            for input in LineFramerTests.edgeCases(limit: testLimit) + LineFramerTests.generated(limit: testLimit) {
                let context = "\(input.name), batch \(batchBytes), limit \(limit)"
                let expected = FramingOracle.frame(input.bytes, cleanEnd: true, maxLineBytes: limit)
                guard let run = try Self.frameMapped(input.bytes, batchBytes: batchBytes, maxLineBytes: limit) else {
                    #expect(input.bytes.isEmpty, "\(context): not mapped")
                    continue
                }
                #expect(firstDifference(Framed(lines: run.lines, fragmentBytes: 0), expected) == nil, "\(context)")
                for (index, batch) in run.batches.enumerated().dropLast() {
                    #expect(batch.bytes.last == 0x0A, "\(context): batch \(index) ends mid-line")
                }
            }
        }
    }

    /// A line far over the limit never enters a batch: it is measured by scanning ahead and
    /// reported as dropped, so no batch is larger than a batch plus one line within the limit.
    @Test func tooLongLineIsDroppedNotBatched() throws {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 300_000)
        let bytes = Array("{\"a\":1}\n".utf8) + long + Array("\r\n{\"b\":2}\n".utf8) + long
        let run = try #require(try Self.frameMapped(bytes, batchBytes: 1000, maxLineBytes: 5000))
        #expect(run.lines == [.text(Array("{\"a\":1}".utf8)), .tooLong(300_000), .text(Array("{\"b\":2}".utf8)), .tooLong(300_000)])
        #expect(run.batches.allSatisfy { $0.byteCount <= 1000 + 5002 })
    }
}
