import TestSupport
import Foundation
import Testing

/// Whether `python3 -c "import duckdb"` works (scripts/ensure-deps.sh installs it).
let duckDBAvailable: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import duckdb"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}()

/// Issue 6: every format of the summary of `samples/`, loaded by DuckDB, has the types the
/// sidecar declares (DATE, TIMESTAMP, BIGINT, DOUBLE/DECIMAL, VARCHAR) and the CSV's values.
/// The checks are in `Tests/Oracles/duckdb_types.py`.
@Suite struct DuckDBTypesTests {
    @Test(
        "csv, tsv, jsonl and excel-eu outputs of samples/ load in DuckDB with the declared types",
        .enabled(if: duckDBAvailable, "python3 cannot import duckdb: run scripts/ensure-deps.sh (pip install duckdb)"))
    func duckDBTypes() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", packageRoot.appendingPathComponent("Tests/Oracles/duckdb_types.py").path,
            "--tokentally", try tokentallyExecutable().path,
            "--samples", packageRoot.appendingPathComponent("samples").path,
            "--scratch", scratch.path("out"),
        ]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
    }
}
