// tokentally-inflate FILE.gz zlib|isal — stage 1 alone: reads and inflates FILE (every gzip
// member verified) into a sink that discards, and prints one line:
//
//     inflate-stage1 backend=isal in_bytes=168364398 out_bytes=1073742979 seconds=1.234
//
// `Benchmarks/inflate-stage1.sh` runs it interleaved with `gzip -dc` and `igzip -dc`.

import LogInput

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Offers the same buffer every time and forgets what is committed, so stage 2 costs
/// nothing: 1 MiB + 128 KiB, the most the line framer offers.
final class DiscardingSink: DecompressedSink {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: (1 << 20) + (128 << 10), alignment: 64)
    private(set) var committed: Int64 = 0
    deinit { buffer.deallocate() }
    func writableBuffer() -> UnsafeMutableRawBufferPointer { buffer }
    func commit(_ count: Int) { committed += Int64(count) }
}

func fail(_ message: String) -> Never {
    fputs("tokentally-inflate: \(message)\n", stderr)
    exit(64)
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let backend = InflateBackend(rawValue: arguments[2]) else {
    fail("usage: tokentally-inflate FILE.gz zlib|isal")
}
guard backend.isAvailable else { fail("\(backend) is not available: \(InflateBackend.isalUnavailableReason ?? "")") }
var source: FileByteSource
do {
    source = try FileByteSource(path: arguments[1])
} catch {
    fail("\(arguments[1]): \(error.message)")
}
var sink = DiscardingSink()
let clock = ContinuousClock()
let start = clock.now
let outcome = InputReader.read(&source, namedGzip: true, backend: backend, into: &sink)
let elapsed = clock.now - start
guard outcome.status == .ok, sink.committed == outcome.bytesDecompressed else {
    fail("\(arguments[1]): \(outcome.status) \(outcome.failure?.detail ?? "")")
}
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("inflate-stage1 backend=\(backend) in_bytes=\(outcome.bytesRead) out_bytes=\(outcome.bytesDecompressed) seconds=\(seconds)")
