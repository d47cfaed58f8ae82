import Foundation
import LogGeneration

/// The bytes every stage benchmark works on: 32 MiB of generated log (seed 1), plain and
/// compressed with `gzip -6`, and where each line starts and ends.
enum Corpus {
    /// Size of the plain corpus: large enough that one iteration takes ~0.1 s per stage,
    /// small enough to stay in memory and be generated in a blink.
    static let plannedBytes: Int64 = 32 << 20

    /// The plain JSON Lines.
    static let plain: [UInt8] = {
        var options = LogGeneratorOptions()
        options.seed = 1
        options.plannedBytes = plannedBytes
        var generator = LogGenerator(options: options)
        let buffer = ByteBuffer(capacity: Int(plannedBytes) + (1 << 20))
        while Int64(buffer.count) < plannedBytes { generator.appendLine(to: buffer) }
        return Array(buffer.bytes)
    }()

    /// The corpus compressed by the system's `gzip -6` (as rotated logs are), made once per run.
    static let gzip: [UInt8] = {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tokentally-stage-benchmarks-\(getpid())")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plainURL = directory.appendingPathComponent("corpus.jsonl")
        try! Data(plain).write(to: plainURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -6 -k \"$0\"", plainURL.path]
        try! process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "gzip -6 failed")
        return Array(try! Data(contentsOf: plainURL.appendingPathExtension("gz")))
    }()

    /// Each line's byte range in ``plain``, without its `\n`.
    static let lines: [Range<Int>] = {
        var ranges: [Range<Int>] = []
        var start = 0
        for (index, byte) in plain.enumerated() where byte == UInt8(ascii: "\n") {
            ranges.append(start..<index)
            start = index + 1
        }
        if start < plain.count { ranges.append(start..<plain.count) }
        return ranges
    }()
}
