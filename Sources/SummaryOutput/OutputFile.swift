#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing an output failed: fatal (exit 1); the previous file at the path is untouched.
public struct OutputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The output's path (`-` for standard output).
    public var path: String
    /// What went wrong.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// A buffered output that appears all at once or not at all.
///
/// For a path: bytes go to a temporary file in the same directory (so the rename cannot
/// cross file systems); ``commit()`` flushes it, `fsync`s it, renames it over the path, and
/// `fsync`s the directory so the rename itself survives a crash. Until then, and if the run
/// fails, readers see the previous file. Standard output is written through as it fills.
public final class OutputFile {
    /// Where the bytes end up (`-` for standard output).
    public let path: String
    private let descriptor: Int32
    private let temporaryPath: String?
    private var buffer: [UInt8] = []
    private var finished = false
    static let bufferCapacity = 1 << 16

    /// Standard output.
    public static func standardOutput() -> OutputFile {
        OutputFile(path: "-", descriptor: STDOUT_FILENO, temporaryPath: nil)
    }

    /// A file replaced atomically by ``commit()``.
    public static func atomic(path: String) throws(OutputError) -> OutputFile {
        let directory = Self.directory(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        var template = Array("\(directory)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw OutputError(path: path, reason: "cannot create a file in \(directory): \(String(cString: strerror(errno)))")
        }
        // mkstemp creates 0600; a report is for sharing, so use the umask's default like any file.
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o666 & ~mask)
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return OutputFile(path: path, descriptor: fd, temporaryPath: temporary)
    }

    private init(path: String, descriptor: Int32, temporaryPath: String?) {
        self.path = path
        self.descriptor = descriptor
        self.temporaryPath = temporaryPath
        buffer.reserveCapacity(Self.bufferCapacity)
    }

    deinit {
        if !finished { abandon() }
    }

    /// Appends bytes.
    public func write(_ bytes: some Sequence<UInt8>) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferCapacity { try flush() }
    }

    /// Appends a string's UTF-8.
    public func write(_ text: String) throws(OutputError) {
        try write(text.utf8)
    }

    /// Makes the output visible: flushes, and for a path, syncs and renames into place.
    public func commit() throws(OutputError) {
        try flush()
        finished = true
        guard let temporaryPath else { return }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OutputError(path: path, reason: "cannot sync: \(reason)")
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OutputError(path: path, reason: "cannot rename into place: \(reason)")
        }
        let directoryDescriptor = open(Self.directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Drops the output: the temporary file is removed, the previous file stays.
    public func abandon() {
        finished = true
        guard let temporaryPath else { return }
        close(descriptor)
        unlink(temporaryPath)
    }

    private func flush() throws(OutputError) {
        var offset = 0
        let count = buffer.count
        while offset < count {
            let written = buffer.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress! + offset, count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                if temporaryPath != nil { abandon() }
                throw OutputError(path: path, reason: "cannot write: \(reason)")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
