import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh directory under the system's temporary directory, removed with the last reference.
final class TemporaryDirectory: Sendable {
    /// Its absolute path, without a trailing slash.
    let path: String

    init() throws {
        let base = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
        var template = Array((base + "/tokentally-output-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    deinit {
        chmod(path, 0o700)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `path/name`.
    func callAsFunction(_ name: String) -> String { path + "/" + name }

    /// The names in the directory, hidden ones included, sorted.
    func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }

    /// The bytes of a file in the directory, or nil when it does not exist.
    func contents(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: self(name)).map { Array($0) }
    }

    /// Creates a file holding `text`.
    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: self(name)))
    }

    /// The permission bits of a file in the directory.
    func mode(_ name: String) throws -> mode_t {
        var info = stat()
        guard stat(self(name), &info) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        return info.st_mode & 0o7777
    }
}

/// The process's file mode creation mask, read without changing it (Linux), else nil.
func currentUmask() -> mode_t? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("Umask:") {
        return mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8)
    }
    return nil
}
