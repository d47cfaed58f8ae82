import Foundation
import LogInput
import Testing

/// Not a test but a measurement, skipped unless `TOKENTALLY_INFLATE_BENCH` names a gzip file:
/// stage 1 alone (``InputReader`` from a file into a sink that discards) with the backend
/// named by `TOKENTALLY_INFLATE_BENCH_BACKEND` (`zlib` or `isal`). It prints one line:
///
///     inflate-stage1 backend=isal in_bytes=168364398 out_bytes=1073742979 seconds=1.234
///
/// `Benchmarks/inflate-stage1.sh` builds it in release mode and runs it interleaved with
/// `gzip -dc` and `igzip -dc` (docs/benchmarks/inflate-backends.md). Nothing is asserted
/// about time: the suite has no timing assertions.
@Suite struct InflateThroughput {
    static let path = ProcessInfo.processInfo.environment["TOKENTALLY_INFLATE_BENCH"]

    /// Offers the same buffer every time and forgets what is committed: the cost of stage 2
    /// is left out. 1 MiB + 128 KiB, the most the line framer offers.
    final class DiscardingSink: DecompressedSink {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: (1 << 20) + (128 << 10), alignment: 64)
        private(set) var committed: Int64 = 0
        deinit { buffer.deallocate() }
        func writableBuffer() -> UnsafeMutableRawBufferPointer { buffer }
        func commit(_ count: Int) { committed += Int64(count) }
    }

    @Test(.enabled(if: path != nil, "set TOKENTALLY_INFLATE_BENCH to a .gz file to measure stage 1"))
    func measure() throws {
        let path = try #require(Self.path)
        let name = ProcessInfo.processInfo.environment["TOKENTALLY_INFLATE_BENCH_BACKEND"] ?? "zlib"
        let backend = try #require(InflateBackend(rawValue: name), "TOKENTALLY_INFLATE_BENCH_BACKEND is zlib or isal")
        try backend.requireAvailable()
        var source = try FileByteSource(path: path)
        var sink = DiscardingSink()
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = InputReader.read(&source, namedGzip: true, backend: backend, into: &sink)
        let elapsed = clock.now - start
        #expect(outcome.status == .ok)
        #expect(sink.committed == outcome.bytesDecompressed)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("inflate-stage1 backend=\(backend) in_bytes=\(outcome.bytesRead) out_bytes=\(outcome.bytesDecompressed) seconds=\(seconds)")
    }
}
