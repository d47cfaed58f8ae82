import FuzzSupport
import LineFraming
import LogInput

/// Any bytes as an input named `.gz`: stage 1 must give a verdict (never trap or hang), and
/// ISA-L, when installed, must give the same bytes and the same verdict as zlib (status,
/// failure kind, offset and message, flags, members, bytes decompressed).
@_cdecl("fuzz_inflate_main")
func fuzzInflateMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let backends = InflateBackend.allCases.filter(\.isAvailable)
    return runFuzzer(argc: argc, argv: argv) { input in
        var results: [(outcome: InputOutcome, text: [UInt8])] = []
        for backend in backends {
            var text: [UInt8] = []
            var framer = LineFramer(batchBytes: 4096, maxLineBytes: 1 << 20) { batch in
                batch.forEachLine(maxLineBytes: 1 << 20) { line in
                    if case .text(let bytes) = line { text += bytes }
                    text.append(0x0A)
                }
            }
            var source = MemorySource(bytes: input)
            let outcome = InputReader.read(&source, namedGzip: true, backend: backend, into: &framer)
            _ = framer.finish(cleanEnd: outcome.failure == nil)
            var compared = outcome
            // How far a failed input was read depends on the backend's read-ahead (docs/cli.md,
            // bytes_read); everything else must agree.
            if compared.failure != nil { compared.bytesRead = 0 }
            results.append((compared, text))
        }
        // Known and accepted (docs/reliability.md): ISA-L decodes some Huffman code sets that
        // zlib rejects as invalid ("invalid literal/lengths set"); when the member's CRC and
        // length then verify, ISA-L counts what zlib calls corrupt.
        if results.count == 2, results[0].outcome.failure?.kind == .corrupt, results[1].outcome.failure == nil {
            return
        }
        // And when a later member then fails: ISA-L verified more members than zlib, and
        // zlib's output is a prefix of ISA-L's (finding 5).
        if results.count == 2, results[0].outcome.failure?.kind == .corrupt,
            results[1].outcome.members > results[0].outcome.members, results[1].text.starts(with: results[0].text)
        {
            return
        }
        // The same leniency in a member that then fails for both: the same verdict, but ISA-L
        // handed on what it decoded before zlib's reading found the damage (zlib's output is a
        // prefix of ISA-L's; only --salvage sees the difference).
        if results.count == 2, let failure = results[0].outcome.failure, failure.kind == .corrupt,
            results[1].outcome.failure == failure, results[1].text.starts(with: results[0].text),
            results[1].outcome.bytesDecompressed > results[0].outcome.bytesDecompressed
        {
            var isal = results[1].outcome
            isal.bytesDecompressed = results[0].outcome.bytesDecompressed
            if isal == results[0].outcome { return }
        }
        if results.count == 2 && (results[0].outcome != results[1].outcome || results[0].text != results[1].text) {
            fatalError("zlib and ISA-L differ: \(results[0].outcome) vs \(results[1].outcome)")
        }
    }
}

/// The input's bytes, served in small reads (so member and trailer boundaries fall anywhere).
struct MemorySource: ByteSource {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ByteSourceError) -> Int {
        let count = min(buffer.count, bytes.count - offset, 1 + offset % 97)
        guard count > 0 else { return 0 }
        buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        offset += count
        return count
    }

    var canRewind: Bool { true }

    mutating func rewind(to offset: Int64) -> Bool {
        self.offset = Int(offset)
        return true
    }
}
