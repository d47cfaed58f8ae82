import FuzzSupport
import LineFraming

/// Any bytes, fed to the framer in chunks whose size the first byte chooses, with a small line
/// limit: every line the framer gives is within the input, and lines + blank + too long add
/// up to the line breaks (plus a last line without one).
@_cdecl("fuzz_framer_main")
func fuzzFramerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc: argc, argv: argv) { input in
        guard let first = input.first else { return }
        let chunk = 1 + Int(first % 64)
        let maxLineBytes = 1 + Int(first / 4)
        let data = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        var lines = 0
        var textBytes = 0
        var framer = LineFramer(batchBytes: 128, maxLineBytes: maxLineBytes) { batch in
            batch.forEachLine(maxLineBytes: maxLineBytes) { line in
                lines += 1
                if case .text(let bytes) = line {
                    if bytes.count > maxLineBytes { fatalError("a line of \(bytes.count) bytes over the limit \(maxLineBytes)") }
                    textBytes += bytes.count
                }
            }
        }
        var offset = 0
        while offset < data.count {
            let buffer = framer.writableBuffer()
            let count = min(chunk, buffer.count, data.count - offset)
            buffer.baseAddress!.copyMemory(from: data.baseAddress! + offset, byteCount: count)
            framer.commit(count)
            offset += count
        }
        _ = framer.finish(cleanEnd: true)
        if textBytes > data.count { fatalError("more text than input") }
        let breaks = data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let tail = data.last.map { $0 != 0x0A } ?? false
        // A leading byte order mark of a file is dropped, not a line; otherwise one line per
        // line break, plus the last line without one.
        if lines != breaks + (tail ? 1 : 0) && !(data.starts(with: [0xEF, 0xBB, 0xBF])) {
            fatalError("\(lines) lines for \(breaks) line breaks (last line without one: \(tail))")
        }
    }
}
