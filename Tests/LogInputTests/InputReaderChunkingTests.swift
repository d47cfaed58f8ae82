import LogInput
import Testing

/// Stage 1 must not depend on how its input arrives, how its output is taken, or which library
/// inflates: every fixture read at many raw chunk sizes, into sinks offering many buffer sizes,
/// with zlib and with ISA-L, gives the same bytes and the same verdict as one large read.
@Suite struct InputReaderChunkingTests {
    /// Raw bytes per `read`: 1 byte at a time up to whole blocks.
    static let chunkSizes = [1, 2, 3, 7, 64, 4096, 1 << 16]
    /// Bytes the sink offers per `writableBuffer()`.
    static let sinkBufferSizes = [1, 5, 64 << 10]

    /// A backend and a raw chunk size.
    struct Reading: Sendable, CustomTestStringConvertible {
        var backend: InflateBackend
        var chunkSize: Int
        var testDescription: String { "\(backend), chunk \(chunkSize)" }

        static let all = InflateBackend.allCases.flatMap { backend in
            chunkSizes.map { Reading(backend: backend, chunkSize: $0) }
        }
    }

    @Test(arguments: FixtureCase.all, Reading.all)
    func sameResultAtEveryChunkSize(_ fixture: FixtureCase, reading: Reading) throws {
        try reading.backend.requireAvailable()
        let bytes = Fixtures.bytes(fixture.name)
        let reference = readInMemory(bytes, namedGzip: fixture.namedGzip, backend: reading.backend)
        for sinkBufferSize in Self.sinkBufferSizes {
            let (outcome, received) = readInMemory(
                bytes, namedGzip: fixture.namedGzip, backend: reading.backend, chunkSize: reading.chunkSize,
                sinkBufferSize: sinkBufferSize)
            let context = "chunk \(reading.chunkSize), sink \(sinkBufferSize)"
            #expect(firstDifference(received, reference.output) == nil, "\(context)")
            #expect(outcome.ignoringBytesRead == reference.outcome.ignoringBytesRead, "\(context)")
            // Read to its end, unless stage 1 stopped at damage or at trailing junk (not read).
            let stoppedEarly = outcome.failure.map { $0.kind != .truncated }
                ?? outcome.flags.contains { $0.flag == .trailingJunk }
            if !stoppedEarly {
                #expect(outcome.bytesRead == fixture.size, "\(context)")
            } else {
                #expect(outcome.bytesRead <= fixture.size, "\(context)")
            }
            // ISA-L gives exactly what zlib gives at the same chunk and sink sizes: bytes,
            // verdict, flags, offsets, member count (docs/architecture.md, "Inflate backends").
            if reading.backend != .zlib {
                let zlib = readInMemory(
                    bytes, namedGzip: fixture.namedGzip, backend: .zlib, chunkSize: reading.chunkSize,
                    sinkBufferSize: sinkBufferSize)
                #expect(firstDifference(received, zlib.output) == nil, "\(context): \(reading.backend) against zlib")
                #expect(outcome.ignoringBytesRead == zlib.outcome.ignoringBytesRead, "\(context): \(reading.backend) against zlib")
            }
        }
        // And the reference itself is right.
        fixture.check(reference.outcome, reference.output)
    }

    /// Regression (issue 2): at the end of a cut file zlib can still hold output for bytes it
    /// has already consumed (a match it had no room to copy). Stage 1 used to call the member
    /// truncated without taking that output, so with a 5-byte sink buffer it salvaged 77840
    /// bytes of `truncated-bgzip.jsonl.gz` instead of the 77886 that Python's zlib decodes.
    @Test(arguments: [1, 5, 64, 64 << 10], InflateBackend.allCases)
    func cutFileYieldsAllDecodableBytesWhateverTheSinkBuffer(sinkBufferSize: Int, backend: InflateBackend) throws {
        try backend.requireAvailable()
        let (outcome, received) = readInMemory(
            Fixtures.bytes("truncated-bgzip.jsonl.gz"), namedGzip: true, backend: backend, chunkSize: 64,
            sinkBufferSize: sinkBufferSize)
        #expect(outcome.failure?.kind == .truncated)
        #expect(outcome.failure?.offset == 7000)
        #expect(firstDifference(received, Array(Fixtures.big.prefix(77886))) == nil)
    }
}
