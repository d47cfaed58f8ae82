#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials
import LogInput
import TallyPrimitives
import UsageAggregation
import UsageDecoding

/// What identifies an input's bytes without reading all of them: its size and a 64-bit hash of
/// its first and of its last 64 KiB.
///
/// A file whose fingerprint is in the state is not read again, whatever its name: logrotate's
/// renames (`app.log.3.gz` → `app.log.4.gz`) cost nothing. Logs only grow or get replaced, so
/// size, head and tail tell every change a log sees; an edit in the middle that keeps the size
/// and both ends would go unnoticed (docs/state.md).
public struct FileFingerprint: Codable, Hashable, Sendable, Comparable {
    public var size: Int64
    public var head: UInt64
    public var tail: UInt64

    /// Bytes hashed at each end.
    static let edgeBytes = 64 << 10

    public init(size: Int64, head: UInt64, tail: UInt64) {
        self.size = size
        self.head = head
        self.tail = tail
    }

    /// The fingerprint of an open file (read with `pread`, the file offset is not moved).
    static func of(descriptor: Int32) -> FileFingerprint? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int64(info.st_size)
        let edge = Int64(edgeBytes)
        func hash(at offset: Int64, count: Int) -> UInt64? {
            var buffer = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else { return nil }
                done += got
            }
            return buffer.withUnsafeBytes { RequestID.key($0) }
        }
        guard let head = hash(at: 0, count: Int(min(size, edge))),
            let tail = hash(at: max(0, size - edge), count: Int(min(size, edge)))
        else { return nil }
        return FileFingerprint(size: size, head: head, tail: tail)
    }

    /// The fingerprint of the file at `path`, or nil when it cannot be read.
    public static func of(path: String) -> FileFingerprint? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return of(descriptor: descriptor)
    }

    /// `size-head-tail` in hex: the name of the stored partial.
    var fileName: String {
        String(size, radix: 16) + "-" + String(head, radix: 16) + "-" + String(tail, radix: 16) + ".json"
    }

    public static func < (lhs: FileFingerprint, rhs: FileFingerprint) -> Bool {
        (lhs.size, lhs.head, lhs.tail) < (rhs.size, rhs.head, rhs.tail)
    }
}

/// One input's contribution to a run, as `--state` keeps it: its report and its group rows and
/// deduplication copies with string values (not run-local ids), so a later run can add it
/// back without reading the file.
struct StoredPartial: Codable, Equatable {
    /// A group cell: no value, a time bucket's start, or a string. The `file` column is stored
    /// empty and filled with the input's current name when the partial is used.
    enum Cell: Codable, Equatable {
        case none
        case time(Int64)
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .none
            } else if let seconds = try? container.decode(Int64.self) {
                self = .time(seconds)
            } else {
                self = .text(try container.decode(String.self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .none: try container.encodeNil()
            case .time(let seconds): try container.encode(seconds)
            case .text(let text): try container.encode(text)
            }
        }
    }

    struct Row: Codable, Equatable {
        var cells: [Cell]
        var measures: Measures
    }

    struct Copy: Codable, Equatable {
        var key: UInt64
        var record: UsageRecord
        var cells: [Cell]
    }

    /// The input's report, with sampled lines stored without the file name (`12: reason`).
    var outcome: InputOutcome
    var tally: LineTally
    var salvageable: LineTally?
    var salvaged: Bool
    var fragmentBytes: Int
    var badLineSamples: [String]
    var warningSamples: [String]
    var rows: [Row]
    var copies: [Copy]

    /// The report of this partial under the name `path`.
    func report(path: String) -> FileReport {
        var report = FileReport(path: path, outcome: outcome)
        report.tally = tally
        report.salvageable = salvageable
        report.salvaged = salvaged
        report.fragmentBytes = fragmentBytes
        report.badLineSamples = badLineSamples.map { "\(path):\($0)" }
        report.warningSamples = warningSamples.map { "\(path):\($0)" }
        return report
    }
}

/// The `--state` directory: a manifest naming every input ever seen with its fingerprint, and
/// one stored partial per distinct fingerprint.
///
/// ```
/// DIR/lock                          held by the running run (flock)
/// DIR/manifest.json                 state version, options, entries: name → fingerprint
/// DIR/partials/<fingerprint>.json   one input's StoredPartial
/// ```
///
/// Updates are atomic: new partials are written under temporary names, flushed and renamed,
/// then the new manifest likewise, then the directory is flushed; partials no longer named by
/// the manifest are removed last. A run killed at any point leaves either the old manifest
/// (whose partials are all still there) or the new one.
public struct RunState: Sendable {
    /// Version of the state's layout; a state of another version is refused, never misread.
    public static let version = 1

    struct Manifest: Codable {
        var stateVersion: Int
        var tool: String
        /// The options the partials were made with (``SummarizeConfiguration/stateKey``).
        var options: String
        var entries: [Entry]

        struct Entry: Codable, Equatable {
            var name: String
            var fingerprint: FileFingerprint
        }
    }

    /// Why a state cannot be used.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: String
    /// Entries of the manifest (empty for a new state).
    var entries: [Manifest.Entry]
    /// Whether the stored partials were made with this run's options.
    let optionsMatch: Bool
    let storedOptions: String?

    var manifestPath: String { directory + "/manifest.json" }
    var partialsDirectory: String { directory + "/partials" }

    /// Opens (creating if needed) the state in `directory` for a run with options `options`.
    public static func load(directory: String, options: String) throws(Failure) -> RunState {
        if let code = makeDirectories(directory + "/partials") {
            var info = stat()
            if stat(directory, &info) == 0 && info.st_mode & S_IFMT != S_IFDIR {
                throw Failure(description: "--state \(directory) is not a directory")
            }
            throw Failure(description: "cannot create the state directory \(directory): \(String(cString: strerror(code)))")
        }
        let manifestPath = directory + "/manifest.json"
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            _ = makeDirectories(directory + "/partials")
            return RunState(directory: directory, entries: [], optionsMatch: true, storedOptions: nil)
        }
        struct Version: Decodable { var stateVersion: Int? }
        guard let version = try? JSONDecoder().decode(Version.self, from: data), let stored = version.stateVersion else {
            throw Failure(description: "\(manifestPath) is not a tokentally state manifest (unreadable); move the directory away to start afresh")
        }
        guard stored == Self.version else {
            throw Failure(description: "\(manifestPath) has state version \(stored); this tokentally reads version \(Self.version) only (use a matching tokentally, or a new --state directory)")
        }
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw Failure(description: "\(manifestPath) is damaged: \(error)")
        }
        return RunState(
            directory: directory, entries: manifest.entries, optionsMatch: manifest.options == options,
            storedOptions: manifest.options)
    }

    /// The stored partial of a fingerprint.
    func partial(_ fingerprint: FileFingerprint) throws(Failure) -> StoredPartial {
        let path = partialsDirectory + "/" + fingerprint.fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "the state's partial \(path) is missing (the state directory was changed by hand?)")
        }
        do {
            return try JSONDecoder().decode(StoredPartial.self, from: data)
        } catch {
            throw Failure(description: "the state's partial \(path) is damaged: \(error)")
        }
    }

    /// Writes the new partials and the manifest naming `entries`, atomically, then removes
    /// partials no entry names any more.
    func commit(entries: [Manifest.Entry], options: String, newPartials: [FileFingerprint: StoredPartial]) throws(Failure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (fingerprint, partial) in newPartials.sorted(by: { $0.key < $1.key }) {
            let data: Data
            do { data = try encoder.encode(partial) } catch { throw Failure(description: "cannot encode a partial: \(error)") }
            try Self.writeAtomically(data, to: partialsDirectory + "/" + fingerprint.fileName, directory: partialsDirectory)
        }
        CrashPoint.afterPartials.reach()
        let manifest = Manifest(stateVersion: Self.version, tool: RunReport.toolVersion, options: options, entries: entries)
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data: Data
        do { data = try encoder.encode(manifest) } catch { throw Failure(description: "cannot encode the manifest: \(error)") }
        try Self.writeAtomically(data, to: manifestPath, directory: directory)
        CrashPoint.afterManifest.reach()

        // Partials nobody names any more.
        let named = Set(entries.map(\.fingerprint.fileName))
        if let files = try? FileManager.default.contentsOfDirectory(atPath: partialsDirectory) {
            for file in files where !named.contains(file) {
                unlink(partialsDirectory + "/" + file)
            }
        }
    }

    /// Writes `data` to a temporary file beside `path`, flushes it, renames it over `path`
    /// and flushes the directory.
    static func writeAtomically(_ data: Data, to path: String, directory: String) throws(Failure) {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        var ok = data.withUnsafeBytes { bytes -> Bool in
            var done = 0
            while done < bytes.count {
                let wrote = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                if wrote < 0 && errno == EINTR { continue }
                guard wrote > 0 else { return false }
                done += wrote
            }
            return true
        }
        ok = ok && fsync(descriptor) == 0
        let error = errno
        close(descriptor)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(error)))")
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}
