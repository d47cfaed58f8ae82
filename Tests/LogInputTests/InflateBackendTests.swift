import LogInput
import TestSupport
import Testing

/// zlib and ISA-L give the same result on damaged gzip, not only on the committed corpus
/// (docs/architecture.md, "Inflate backends"): both backends read the same cut and bit-flipped
/// copies of real fixtures, at several chunk and sink sizes, and must agree on every byte and
/// every field of the outcome. zlib's side is the reference, checked against hand-worked
/// expectations in `InputReaderTests`.
@Suite struct InflateBackendTests {
    /// Fixtures with several deflate blocks (pigz), several members (BGZF, cat) or one small
    /// member (gzip -9), as bases for the damage.
    static let bases = ["pigz.jsonl.gz", "bgzip.jsonl.gz", "gzip-9.jsonl.gz", "two-members.jsonl.gz", "pigz-i.jsonl.gz"]

    /// One damaged copy of a base fixture.
    struct Damage: Sendable, CustomTestStringConvertible {
        enum Kind: Sendable { case cut, flip, overwrite }
        var base: String
        var kind: Kind
        var offset: Int
        /// The bit flipped, or the byte written.
        var value: UInt8
        var chunkSize: Int
        var sinkBufferSize: Int

        var testDescription: String { "\(base) \(kind)@\(offset) value \(value), chunk \(chunkSize), sink \(sinkBufferSize)" }

        func apply(to bytes: [UInt8]) -> [UInt8] {
            var copy = bytes
            switch kind {
            case .cut: return Array(bytes[0..<offset])
            case .flip: copy[offset] ^= 1 << (value % 8)
            case .overwrite: copy[offset] = value
            }
            return copy
        }

        /// `count` damages per base, the same on every run (SplitMix64, seed 3).
        static func generate(count: Int) -> [Damage] {
            var random = SplitMix64(seed: 3)
            var damages: [Damage] = []
            for base in bases {
                let size = Fixtures.bytes(base).count
                for index in 0..<count {
                    let kind: Kind = [.cut, .flip, .overwrite][index % 3]
                    // Past the 10-byte header: the header is framed in Swift for both.
                    let offset = kind == .cut ? Int.random(in: 11..<size, using: &random) : Int.random(in: 10..<size, using: &random)
                    damages.append(Damage(
                        base: base, kind: kind, offset: offset, value: UInt8.random(in: 0...255, using: &random),
                        chunkSize: [1, 7, 4096, 1 << 16][Int.random(in: 0..<4, using: &random)],
                        sinkBufferSize: [5, 64 << 10][Int.random(in: 0..<2, using: &random)]))
                }
            }
            return damages
        }
    }

    static let damages = Damage.generate(count: 60)

    @Test(arguments: damages)
    func isalAgreesWithZlibOnDamagedInput(_ damage: Damage) throws {
        try InflateBackend.isal.requireAvailable()
        let bytes = damage.apply(to: Fixtures.bytes(damage.base))
        let zlib = readInMemory(
            bytes, namedGzip: true, backend: .zlib, chunkSize: damage.chunkSize, sinkBufferSize: damage.sinkBufferSize)
        let isal = readInMemory(
            bytes, namedGzip: true, backend: .isal, chunkSize: damage.chunkSize, sinkBufferSize: damage.sinkBufferSize)
        #expect(isal.outcome.ignoringBytesRead == zlib.outcome.ignoringBytesRead)
        #expect(firstDifference(isal.output, zlib.output) == nil)
    }

    /// The damages really are damage: most of them fail the input (a check on the generator,
    /// so the test above cannot pass by comparing intact files).
    @Test func mostDamagesFailTheInput() {
        let failed = Self.damages.filter { damage in
            readInMemory(damage.apply(to: Fixtures.bytes(damage.base)), namedGzip: true).outcome.status == .failed
        }
        #expect(failed.count * 10 >= Self.damages.count * 9, "\(failed.count) of \(Self.damages.count) failed")
    }

    /// From a source that cannot go back (a pipe), a cut member keeps ISA-L's own reading:
    /// ISA-L decodes its last literals in groups of up to three, so it can stop up to 2 bytes
    /// short of zlib. The verdict, offsets and member count are still zlib's.
    @Test(arguments: Damage.generate(count: 30).filter { $0.kind == .cut })
    func fromAPipeACutMemberDiffersByAtMostTwoTrailingBytes(_ damage: Damage) throws {
        try InflateBackend.isal.requireAvailable()
        let bytes = damage.apply(to: Fixtures.bytes(damage.base))
        let zlib = readInMemory(bytes, namedGzip: true, backend: .zlib, chunkSize: damage.chunkSize, canRewind: false)
        let isal = readInMemory(bytes, namedGzip: true, backend: .isal, chunkSize: damage.chunkSize, canRewind: false)
        var outcome = isal.outcome.ignoringBytesRead
        outcome.bytesDecompressed = zlib.outcome.bytesDecompressed
        #expect(outcome == zlib.outcome.ignoringBytesRead)
        #expect(zlib.output.starts(with: isal.output))
        #expect((0...2).contains(zlib.output.count - isal.output.count))
    }

    /// The same file, from a source that can go back, gives zlib's 29919 bytes with ISA-L (the
    /// count Python's zlib decodes from `head -c 3000 bgzip.jsonl.gz`), at every chunk size;
    /// this is the corpus file where ISA-L alone stops a byte short at large chunks.
    @Test(arguments: [1, 7, 64, 4096, 1 << 16])
    func aRewindableCutFileGetsZlibsBytesWithISAL(chunkSize: Int) throws {
        try InflateBackend.isal.requireAvailable()
        let (outcome, received) = readInMemory(
            Fixtures.bytes("truncated-bgzip-first-block.jsonl.gz"), namedGzip: true, backend: .isal, chunkSize: chunkSize)
        #expect(outcome.failure == InputFailure(
            kind: .truncated, offset: 3000, detail: "ends inside gzip member 1 (which starts at byte 0) at byte 3000"))
        #expect(firstDifference(received, Array(Fixtures.big.prefix(29919))) == nil)
    }

    // MARK: - Choosing a backend

    @Test func choicesResolve() throws {
        #expect(try InflateChoice.zlib.resolve() == .zlib)
        #expect(try InflateChoice.auto.resolve() == (InflateBackend.isal.isAvailable ? .isal : .zlib))
        if InflateBackend.isal.isAvailable {
            #expect(try InflateChoice.isal.resolve() == .isal)
            #expect(InflateBackend.isalUnavailableReason == nil)
        } else {
            #expect(throws: InflateBackendUnavailable.self) { try InflateChoice.isal.resolve() }
        }
        #expect(InflateBackend.zlib.isAvailable)
    }

    @Test func unavailableMessageSaysHowToInstall() {
        let error = InflateBackendUnavailable(reason: "libisal.so.2: cannot open shared object file: No such file or directory")
        #expect(error.description == "--inflate isal: ISA-L is not available (libisal.so.2: cannot open shared object file: "
            + "No such file or directory); install it (Debian/Ubuntu: apt-get install libisal2, or libisal-dev to build "
            + "with it) or use --inflate auto or zlib")
    }

    /// Asking for ISA-L where it does not load reads with zlib, with the same result.
    @Test func isalFallsBackToZlibWhenUnavailable() throws {
        guard !InflateBackend.isal.isAvailable else {
            try Test.cancel("ISA-L is available here; the fallback is for machines without it")
        }
        let (outcome, received) = readInMemory(Fixtures.bytes("pigz.jsonl.gz"), namedGzip: true, backend: .isal)
        #expect(outcome.status == .ok)
        #expect(received == Fixtures.big)
    }
}
