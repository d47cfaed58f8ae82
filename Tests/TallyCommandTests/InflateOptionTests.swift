import TestSupport
import Foundation
import LogInput
import Testing

/// `--inflate zlib|isal|auto` through the built binary: every choice gives the same bytes
/// on stdout and in the run report, for clean, cut and piped gzip; asking for ISA-L where it
/// cannot be loaded is a usage error that says how to install it.
@Suite struct InflateOptionTests {
    /// `samples/`, plus a copy of a sample gzip cut in the middle (a log still being written).
    static func scratchWithACutLog() throws -> TemporaryDirectory {
        let scratch = try TemporaryDirectory()
        let whole = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent("samples/responses-stream-2026-11-28.jsonl.gz")))
        try scratch.write("cut.jsonl.gz", Array(whole[0..<(whole.count / 2)]))
        return scratch
    }

    @Test("zlib, isal and auto give the same CSV, report and exit code", arguments: ["zlib", "isal", "auto"])
    func everyChoiceGivesTheSameResult(_ choice: String) throws {
        if choice == "isal" && !InflateBackend.isal.isAvailable {
            try Test.cancel("ISA-L is not available here (\(InflateBackend.isalUnavailableReason ?? "?"))")
        }
        let scratch = try Self.scratchWithACutLog()
        defer { scratch.remove() }
        let samples = packageRoot.appendingPathComponent("samples").path
        func run(_ inflate: String) throws -> (ProcessResult, String) {
            let result = try tokentally(
                ["summarize", samples, "cut.jsonl.gz", "--inflate", inflate, "--salvage", "--report", "run-\(inflate).json"],
                in: scratch.url)
            return (result, try scratch.read("run-\(inflate).json"))
        }
        let (reference, referenceReport) = try run("zlib")
        let (result, report) = try run(choice)
        // Exit 2: the cut file fails (and samples/ holds 3 bad lines).
        #expect(reference.status == 2)
        #expect(result.status == reference.status)
        #expect(result.stdout == reference.stdout)
        #expect(result.stderr == reference.stderr)
        #expect(report == referenceReport)
        #expect(report.contains("\"kind\": \"truncated\"") || report.contains("\"kind\":\"truncated\""))
    }

    /// Standard input (a regular file here, so stage 1 can go back over a damaged member).
    @Test("a cut gzip on standard input gives the same result with isal as with zlib")
    func standardInput() throws {
        try InflateBackend.isal.requireAvailableForCLI()
        let scratch = try Self.scratchWithACutLog()
        defer { scratch.remove() }
        let zlib = try tokentally(["summarize", "-", "--inflate", "zlib", "--salvage", "--report", "zlib.json"], in: scratch.url, stdinPath: scratch("cut.jsonl.gz"))
        let isal = try tokentally(["summarize", "-", "--inflate", "isal", "--salvage", "--report", "isal.json"], in: scratch.url, stdinPath: scratch("cut.jsonl.gz"))
        #expect(zlib.status == 2)
        #expect(isal.status == zlib.status)
        #expect(isal.stdout == zlib.stdout)
        #expect(try scratch.read("isal.json") == scratch.read("zlib.json"))
    }

    @Test("--inflate isal where ISA-L does not load: exit 64, one line saying how to install it, nothing written")
    func isalUnavailableIsAUsageError() throws {
        let scratch = try Self.scratchWithACutLog()
        defer { scratch.remove() }
        let missing = ["TOKENTALLY_ISAL_LIBRARY": "/nonexistent/libisal.so.2"]
        let result = try tokentally(["summarize", "cut.jsonl.gz", "--inflate", "isal", "-o", "out.csv"], in: scratch.url, environment: missing)
        #expect(result.status == 64)
        #expect(result.stdout == "")
        let first = try #require(result.stderrLines.first)
        #expect(first.hasPrefix("Error: --inflate isal: ISA-L is not available ("))
        #expect(first.hasSuffix("); install it (Debian/Ubuntu: apt-get install libisal2, or libisal-dev to build with it) or use --inflate auto or zlib"))
        if tokentallyWasBuiltWithISAL {
            #expect(first.contains("/nonexistent/libisal.so.2"))
        }
        #expect(try scratch.names() == ["cut.jsonl.gz"])

        // auto falls back to zlib, and the result is the usual one.
        let auto = try tokentally(["summarize", "cut.jsonl.gz", "--inflate", "auto"], in: scratch.url, environment: missing)
        let zlib = try tokentally(["summarize", "cut.jsonl.gz", "--inflate", "zlib"], in: scratch.url)
        #expect(auto.status == 2)
        #expect(auto.stdout == zlib.stdout)
        #expect(auto.stderr == zlib.stderr)
    }

    @Test("--help lists --inflate and its choices")
    func helpListsTheOption() throws {
        let result = try tokentally(["summarize", "--help"], in: packageRoot)
        #expect(result.status == 0)
        #expect(result.stdout.contains("--inflate <zlib|isal|auto>"))
    }
}

/// Whether this test bundle (and so the binary beside it) was built with ISA-L's headers:
/// then ISA-L loads here unless the library is missing.
let tokentallyWasBuiltWithISAL = InflateBackend.isal.isAvailable
    || !(InflateBackend.isalUnavailableReason ?? "").contains("built without")

extension InflateBackend {
    /// Cancels the current test, saying why, when this backend cannot be used here.
    func requireAvailableForCLI() throws {
        guard !isAvailable else { return }
        try Test.cancel(Comment(rawValue: "ISA-L is not available here (\(InflateBackend.isalUnavailableReason ?? "?"))"))
    }
}
