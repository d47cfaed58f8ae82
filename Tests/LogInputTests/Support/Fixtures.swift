import Foundation
import LogInput
import Testing

/// The committed fixtures in `Tests/LogInputTests/Fixtures/`, made by `make-fixtures.sh`.
enum Fixtures {
    /// The fixture folder inside the test bundle.
    static let directory: URL = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("the Fixtures resource folder is missing from the test bundle")
        }
        return url
    }()

    /// The path of fixture `name`.
    static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// The bytes of fixture `name`.
    static func bytes(_ name: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(name)) else {
            fatalError("fixture \(name) cannot be read")
        }
        return [UInt8](data)
    }

    /// `small.jsonl`: 40 lines, 3337 bytes, written by the script (never by the code under test).
    static let small = bytes("small.jsonl")
    /// `big.jsonl`: 1000 lines, 85521 bytes.
    static let big = bytes("big.jsonl")
}

/// A sink that collects everything committed, offering a buffer of a fixed size.
///
/// A small buffer makes stage 1 hand over its output in many pieces (zlib stops mid-symbol,
/// mid-match and mid-stored-block); a large one in few.
final class CollectingSink: DecompressedSink {
    /// Bytes offered per ``writableBuffer()``.
    let bufferSize: Int
    /// Everything committed, in order.
    private(set) var collected: [UInt8] = []
    /// Number of ``commit(_:)`` calls with a count above 0.
    private(set) var commits = 0
    private let buffer: UnsafeMutableRawBufferPointer

    init(bufferSize: Int = 64 << 10) {
        precondition(bufferSize > 0)
        self.bufferSize = bufferSize
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
        // Garbage, so bytes committed but never written would show.
        buffer.initializeMemory(as: UInt8.self, repeating: 0xA5)
    }

    deinit { buffer.deallocate() }

    func writableBuffer() -> UnsafeMutableRawBufferPointer { buffer }

    func commit(_ count: Int) {
        precondition(count >= 0 && count <= bufferSize, "committed \(count) of \(bufferSize) bytes offered")
        guard count > 0 else { return }
        commits += 1
        collected.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]).initializeMemory(as: UInt8.self, repeating: 0xA5)
    }
}

/// Reads `bytes` through ``InputReader`` from memory, with `backend`; `canRewind: false`
/// plays a pipe.
func readInMemory(
    _ bytes: [UInt8], namedGzip: Bool, backend: InflateBackend = .zlib, chunkSize: Int = 1 << 16,
    sinkBufferSize: Int = 64 << 10, failAtOffset: Int? = nil, canRewind: Bool = true
) -> (outcome: InputOutcome, output: [UInt8]) {
    var source = MemoryByteSource(bytes, chunkSize: chunkSize, failAtOffset: failAtOffset, canRewind: canRewind)
    var sink = CollectingSink(bufferSize: sinkBufferSize)
    let outcome = InputReader.read(&source, namedGzip: namedGzip, backend: backend, into: &sink)
    return (outcome, sink.collected)
}

extension InflateBackend {
    /// Ends the current test case as cancelled (not failed), saying why, when this backend
    /// cannot be used here: ISA-L's cases run only where libisal.so.2 loads.
    func requireAvailable() throws {
        guard !isAvailable else { return }
        try Test.cancel(Comment(rawValue:
            "ISA-L is not available here (\(InflateBackend.isalUnavailableReason ?? "?")); "
                + "apt-get install libisal-dev, then rebuild, to run the ISA-L cases"))
    }
}

extension InputOutcome {
    /// The outcome without ``bytesRead``, which legitimately depends on how far ahead stage 1
    /// read before it found damage (and so on the chunk size).
    var ignoringBytesRead: InputOutcome {
        var copy = self
        copy.bytesRead = 0
        return copy
    }
}

/// Where `actual` first differs from `expected`, or nil when they are equal; short enough to
/// read in a failure message, unlike a dump of two 85 KB arrays.
func firstDifference(_ actual: [UInt8], _ expected: [UInt8]) -> String? {
    if actual == expected { return nil }
    let common = zip(actual, expected).prefix { $0 == $1 }.count
    if common == min(actual.count, expected.count) {
        return "\(actual.count) bytes instead of \(expected.count); equal for the first \(common)"
    }
    return "\(actual.count) bytes instead of \(expected.count); first difference at byte \(common): "
        + "\(actual[common]) instead of \(expected[common])"
}
