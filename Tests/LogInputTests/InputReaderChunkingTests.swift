import LogInput
import Testing

/// Stage 1 must not depend on how its input arrives or how its output is taken: every fixture
/// read at many raw chunk sizes, into sinks offering many buffer sizes, gives the same bytes and
/// the same verdict as one large read.
@Suite struct InputReaderChunkingTests {
    /// Raw bytes per `read`: 1 byte at a time up to whole blocks.
    static let chunkSizes = [1, 2, 3, 7, 64, 4096, 1 << 16]
    /// Bytes the sink offers per `writableBuffer()`.
    static let sinkBufferSizes = [1, 5, 64 << 10]

    @Test(arguments: FixtureCase.all, chunkSizes)
    func sameResultAtEveryChunkSize(_ fixture: FixtureCase, chunkSize: Int) {
        let bytes = Fixtures.bytes(fixture.name)
        let reference = readInMemory(bytes, namedGzip: fixture.namedGzip)
        for sinkBufferSize in Self.sinkBufferSizes {
            let (outcome, received) = readInMemory(
                bytes, namedGzip: fixture.namedGzip, chunkSize: chunkSize, sinkBufferSize: sinkBufferSize)
            #expect(firstDifference(received, reference.output) == nil, "chunk \(chunkSize), sink \(sinkBufferSize)")
            #expect(outcome.ignoringBytesRead == reference.outcome.ignoringBytesRead, "chunk \(chunkSize), sink \(sinkBufferSize)")
            // Read to its end, unless stage 1 stopped at damage or at trailing junk (not read).
            let stoppedEarly = outcome.failure.map { $0.kind != .truncated }
                ?? outcome.flags.contains { $0.flag == .trailingJunk }
            if !stoppedEarly {
                #expect(outcome.bytesRead == fixture.size)
            } else {
                #expect(outcome.bytesRead <= fixture.size)
            }
        }
        // And the reference itself is right.
        fixture.check(reference.outcome, reference.output)
    }

    /// Regression (issue 2): at the end of a cut file zlib can still hold output for bytes it
    /// has already consumed (a match it had no room to copy). Stage 1 used to call the member
    /// truncated without taking that output, so with a 5-byte sink buffer it salvaged 77840
    /// bytes of `truncated-bgzip.jsonl.gz` instead of the 77886 that Python's zlib decodes.
    @Test(arguments: [1, 5, 64, 64 << 10])
    func cutFileYieldsAllDecodableBytesWhateverTheSinkBuffer(sinkBufferSize: Int) {
        let (outcome, received) = readInMemory(
            Fixtures.bytes("truncated-bgzip.jsonl.gz"), namedGzip: true, chunkSize: 64, sinkBufferSize: sinkBufferSize)
        #expect(outcome.failure?.kind == .truncated)
        #expect(outcome.failure?.offset == 7000)
        #expect(firstDifference(received, Array(Fixtures.big.prefix(77886))) == nil)
    }
}
