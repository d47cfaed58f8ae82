import TestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TemporaryDirectory {
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
