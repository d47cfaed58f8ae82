@testable import LineFraming

/// One line as framing must report it, in a form that can be compared and printed.
enum Line: Equatable, CustomStringConvertible {
    case text([UInt8])
    case blank
    case tooLong(Int)

    var description: String {
        switch self {
        case .text(let bytes) where bytes.count > 40:
            return "text(\(bytes.count) bytes: \(String(decoding: bytes.prefix(20), as: UTF8.self).debugDescription)…)"
        case .text(let bytes): return "text(\(String(decoding: bytes, as: UTF8.self).debugDescription))"
        case .blank: return "blank"
        case .tooLong(let count): return "tooLong(\(count))"
        }
    }
}

/// What framing a whole stream must give: its lines, and the unterminated bytes at its end
/// when the stream did not end cleanly.
struct Framed: Equatable {
    var lines: [Line]
    var fragmentBytes: Int
}

/// The simplest possible framing, on the whole stream at once: the reference the framer is
/// checked against.
///
/// - A UTF-8 BOM is skipped at the very start of the stream only.
/// - The stream is split on `\n`; one `\r` before it is not part of the line.
/// - The bytes after the last `\n` are a line when the stream ended cleanly (again without one
///   trailing `\r`), else a fragment that is only measured.
/// - A line longer than `maxLineBytes` is too long (with its length); a line of only spaces and
///   tabs (or nothing) is blank.
enum FramingOracle {
    static func frame(_ stream: [UInt8], cleanEnd: Bool, maxLineBytes: Int) -> Framed {
        var bytes = stream[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        var pieces = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        let last = pieces.removeLast()
        var lines = pieces.map { classify($0, maxLineBytes: maxLineBytes) }
        var fragmentBytes = 0
        if !last.isEmpty {
            if cleanEnd {
                lines.append(classify(last, maxLineBytes: maxLineBytes))
            } else {
                fragmentBytes = last.count
            }
        }
        return Framed(lines: lines, fragmentBytes: fragmentBytes)
    }

    static func classify(_ piece: ArraySlice<UInt8>, maxLineBytes: Int) -> Line {
        var line = piece
        if line.last == 0x0D { line = line.dropLast() }
        if line.count > maxLineBytes { return .tooLong(line.count) }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .blank }
        return .text(Array(line))
    }
}

/// Everything one run of the framer produced.
struct FramerRun {
    /// The lines of all batches, in order.
    var framed: Framed
    /// Each batch's byte count, whether its bytes end with `\n`, and its dropped lines.
    var batches: [(byteCount: Int, endsWithNewline: Bool, dropped: Int)]
    /// The largest writable buffer the framer offered.
    var largestOffer: Int
}

/// Pushes `stream` into a framer `chunkSize` bytes at a time (never more than offered), then
/// finishes it.
func runFramer(
    _ stream: [UInt8], chunkSize: Int, batchBytes: Int, maxLineBytes: Int, cleanEnd: Bool
) -> FramerRun {
    final class Collected { var batches: [LineBatch] = [] }
    let collected = Collected()
    var framer = LineFramer(batchBytes: batchBytes, maxLineBytes: maxLineBytes) { collected.batches.append($0) }
    var position = 0
    var largestOffer = 0
    while position < stream.count {
        let space = framer.writableBuffer()
        precondition(space.count > 0, "the framer offered no space")
        largestOffer = max(largestOffer, space.count)
        let count = min(chunkSize, space.count, stream.count - position)
        stream.withUnsafeBytes { source in
            space.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        framer.commit(count)
        position += count
    }
    let ending = framer.finish(cleanEnd: cleanEnd)

    var lines: [Line] = []
    for batch in collected.batches {
        batch.forEachLine(maxLineBytes: maxLineBytes) { line in
            switch line {
            case .text(let bytes): lines.append(.text(Array(bytes)))
            case .blank: lines.append(.blank)
            case .tooLong(let count): lines.append(.tooLong(count))
            }
        }
    }
    return FramerRun(
        framed: Framed(lines: lines, fragmentBytes: ending.fragmentBytes),
        batches: collected.batches.map { ($0.byteCount, $0.bytes.last == 0x0A, $0.droppedLineLengths.count) },
        largestOffer: largestOffer)
}

/// Where two line lists first differ, or nil; short enough for a failure message.
func firstDifference(_ actual: Framed, _ expected: Framed) -> String? {
    if actual == expected { return nil }
    if actual.lines == expected.lines {
        return "fragment of \(actual.fragmentBytes) bytes instead of \(expected.fragmentBytes)"
    }
    let common = zip(actual.lines, expected.lines).prefix { $0 == $1 }.count
    let got = common < actual.lines.count ? actual.lines[common].description : "nothing"
    let wanted = common < expected.lines.count ? expected.lines[common].description : "nothing"
    return "\(actual.lines.count) lines instead of \(expected.lines.count); line \(common + 1) is \(got) instead of \(wanted)"
}

