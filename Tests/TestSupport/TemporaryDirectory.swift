import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh directory under the system's temporary directory, removed with the last reference
/// (or by ``remove()``). Shared by every test target that touches files.
public final class TemporaryDirectory: @unchecked Sendable {
    /// Its absolute path, without a trailing slash.
    public let path: String

    public init() throws {
        let base = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
        var template = Array((base + "/tokentally-tests-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    deinit { remove() }

    /// Its URL.
    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// `path/relative`.
    public func callAsFunction(_ relative: String) -> String { path + "/" + relative }

    /// `path/relative`.
    public func path(_ relative: String) -> String { self(relative) }

    /// Writes `text` (UTF-8, exactly as given) to `relative`, creating parent directories;
    /// returns the file's path.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        try write(relative, Array(text.utf8))
    }

    /// Writes raw bytes to `relative`, creating parent directories; returns the file's path.
    @discardableResult
    public func write(_ relative: String, _ bytes: [UInt8]) throws -> String {
        let target = URL(fileURLWithPath: self(relative))
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: target)
        return target.path
    }

    /// Creates a directory (and its parents).
    public func directory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: self(relative), withIntermediateDirectories: true)
    }

    /// A symbolic link at `relative` whose target is `target`, as written.
    public func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: self(relative), withDestinationPath: target)
    }

    /// A file's text.
    public func read(_ relative: String) throws -> String {
        try String(contentsOfFile: self(relative), encoding: .utf8)
    }

    /// A file's bytes, or nil when it does not exist.
    public func contents(_ relative: String) -> [UInt8]? {
        FileManager.default.contents(atPath: self(relative)).map { Array($0) }
    }

    /// The names in the directory (or in `relative` below it), hidden ones included, sorted.
    public func names(_ relative: String? = nil) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: relative.map { self($0) } ?? path).sorted()
    }

    /// Removes the directory and everything in it (also after a test made it read-only).
    public func remove() {
        chmod(path, 0o700)
        try? FileManager.default.removeItem(atPath: path)
    }
}
