#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One input to read: a file, or standard input.
public struct InputFile: Sendable, Hashable, Comparable {
    /// Where the bytes are.
    public enum Location: Sendable, Hashable {
        case file(path: String)
        case standardInput
        /// Something found in a directory walk that cannot be read: a subdirectory that cannot
        /// be listed, or a name that is not UTF-8. It fails with `errno` when opened, so it is
        /// reported, never silently left out.
        case unusable(path: String, errno: Int32)
    }

    /// Where the bytes are.
    public var location: Location

    /// The name used in reports and in the `file` column: the path as named on the command
    /// line, or joined below a named directory; `-` for standard input.
    public var displayName: String {
        switch location {
        case .file(let path), .unusable(let path, _): return path
        case .standardInput: return "-"
        }
    }

    /// True when the name ends in `.gz`, so the content must be gzip.
    public var isNamedGzip: Bool {
        displayName.utf8.count > 3 && displayName.lowercased().hasSuffix(".gz")
    }

    public init(_ location: Location) { self.location = location }

    /// Orders inputs by display name, byte by byte, so reports do not depend on the order
    /// inputs were named in.
    public static func < (lhs: InputFile, rhs: InputFile) -> Bool {
        lhs.displayName.utf8.lexicographicallyPrecedes(rhs.displayName.utf8)
    }

    /// Opens the input's bytes.
    public func open() throws(ByteSourceError) -> FileByteSource {
        switch location {
        case .file(let path): return try FileByteSource(path: path)
        case .standardInput: return FileByteSource(standardInput: ())
        case .unusable(_, let code): throw ByteSourceError(code: code)
        }
    }
}

/// An operand on the command line that cannot be used. Fatal: nothing is written.
public struct InputDiscoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operand as given.
    public var path: String
    /// What is wrong with it.
    public var reason: String

    public var description: String { "\(path): \(reason)" }
}

/// Turns command-line operands into the list of inputs to read.
///
/// - A file operand is read whatever its name (its content is sniffed).
/// - A directory is walked recursively for `*.jsonl`, `*.ndjson`, `*.json`, each optionally
///   followed by `.gz` (case-insensitive). Symbolic links to files are followed; symbolic links
///   to directories are not (no cycles). A subdirectory that cannot be listed, or a log whose
///   name is not UTF-8, becomes an ``InputFile/Location/unusable(path:errno:)`` input: it fails
///   when read (and is reported), never fatal and never silently left out.
/// - `-` is standard input.
///
/// The result is sorted by display name, with the same file named twice (by any path) kept once.
public enum InputDiscovery {
    /// File name endings a directory walk picks up.
    public static let logSuffixes = [".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz"]

    /// Whether a file found in a directory is a log to read.
    public static func isLogName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return logSuffixes.contains { lower.hasSuffix($0) && lower.count > $0.count }
    }

    /// Resolves operands; throws for an operand that does not exist or cannot be read.
    public static func discover(_ operands: [String]) throws(InputDiscoveryError) -> [InputFile] {
        // One path per file: the first in byte order, so the choice does not depend on the
        // order of the operands.
        var pathByIdentity: [FileIdentity: String] = [:]
        var unusable = Set<InputFile>()
        var sawStandardInput = false

        func add(_ path: String, identity: FileIdentity) {
            if let existing = pathByIdentity[identity], !path.utf8.lexicographicallyPrecedes(existing.utf8) {
                return
            }
            pathByIdentity[identity] = path
        }

        for operand in operands {
            if operand == "-" {
                sawStandardInput = true
                continue
            }
            var info = stat()
            guard stat(operand, &info) == 0 else {
                let code = errno
                throw InputDiscoveryError(path: operand, reason: code == ENOENT ? "no such file or directory" : String(cString: strerror(code)))
            }
            if info.st_mode & S_IFMT == S_IFDIR {
                guard access(operand, R_OK | X_OK) == 0 else {
                    throw InputDiscoveryError(path: operand, reason: "directory cannot be read: \(String(cString: strerror(errno)))")
                }
                walk(directory: operand) { input, identity in
                    if let identity { add(input.displayName, identity: identity) } else { unusable.insert(input) }
                }
            } else {
                guard access(operand, R_OK) == 0 else {
                    throw InputDiscoveryError(path: operand, reason: "cannot be read: \(String(cString: strerror(errno)))")
                }
                add(operand, identity: FileIdentity(info))
            }
        }
        var found = pathByIdentity.values.map { InputFile(.file(path: $0)) } + unusable
        if sawStandardInput { found.append(InputFile(.standardInput)) }
        return found.sorted()
    }

    /// Visits every log below `directory`, in name order; reports what cannot be read as
    /// ``InputFile/Location/unusable(path:errno:)``.
    private static func walk(directory: String, _ visit: (InputFile, FileIdentity?) -> Void) {
        guard let handle = opendir(directory) else {
            visit(InputFile(.unusable(path: directory, errno: errno)), nil)
            return
        }
        var names: [(name: String, isUTF8: Bool)] = []
        while let entry = readdir(handle) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw -> (String, Bool) in
                let bytes = raw.prefix { $0 != 0 }
                if let name = String(validating: bytes, as: UTF8.self) { return (name, true) }
                return (String(decoding: bytes, as: UTF8.self), false)
            }
            if entryName.0 != "." && entryName.0 != ".." { names.append(entryName) }
        }
        closedir(handle)

        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for (name, isUTF8) in names.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            let path = prefix + name
            guard isUTF8 else {
                // A path that is not UTF-8 cannot be named in a String: report it.
                if isLogName(name) { visit(InputFile(.unusable(path: path, errno: EILSEQ)), nil) }
                continue
            }
            var linkInfo = stat()
            guard lstat(path, &linkInfo) == 0 else { continue }  // removed since listed
            let isLink = linkInfo.st_mode & S_IFMT == S_IFLNK
            var info = linkInfo
            if isLink, stat(path, &info) != 0 { continue }  // a dangling link
            switch info.st_mode & S_IFMT {
            case S_IFDIR where !isLink:
                walk(directory: path, visit)
            case S_IFREG where isLogName(name):
                visit(InputFile(.file(path: path)), FileIdentity(info))
            default:
                continue
            }
        }
    }
}

/// A file's device and inode: the same file named by two paths has one identity.
struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
