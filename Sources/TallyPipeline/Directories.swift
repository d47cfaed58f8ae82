#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes the directory `path` and any missing parent (`mkdir -p`); nil when it exists or was
/// made, else the `errno` of what failed (`ENOTDIR` when `path` or a parent is not a
/// directory). Mode 0777, less the umask.
func makeDirectories(_ path: String) -> Int32? {
    var info = stat()
    if stat(path, &info) == 0 { return info.st_mode & S_IFMT == S_IFDIR ? nil : ENOTDIR }
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    if let slash = trimmed.lastIndex(of: "/"), slash != trimmed.startIndex {
        if let failure = makeDirectories(String(trimmed[..<slash])) { return failure }
    }
    if mkdir(path, 0o777) == 0 { return nil }
    let code = errno
    if code == EEXIST, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return nil }  // made meanwhile
    return code
}
