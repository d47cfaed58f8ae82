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
    /// Set by ``commit()`` and ``abandon()``: the descriptor is closed, nothing more happens.
    private var finished = false
    /// Flushed and synced, waiting to be renamed into place.
    private var prepared = false
    /// Set when ``commit()`` succeeded.
    private var committed = false
    /// Cleared when the descriptor is closed (by ``seal()``, or when the output is finished).
    private var descriptorOpen = true
    static let bufferCapacity = 1 << 16

    /// Standard output.
    public static func standardOutput() -> OutputFile {
        OutputFile(path: "-", descriptor: STDOUT_FILENO, temporaryPath: nil)
    }

    /// A file replaced atomically by ``commit()``.
    ///
    /// The temporary file is `.NAME.tmp-XXXXXX` next to the path, created with mode 0666 so the
    /// kernel applies the umask, as for any file a program creates. Not `mkstemp`: it creates
    /// 0600, and widening that needs the umask, which can only be read by setting it — a
    /// process-wide change that made files other threads created meanwhile world-writable.
    public static func atomic(path: String) throws(OutputError) -> OutputFile {
        try checkReplaceable(path)
        let directory = Self.directory(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var random = SystemRandomNumberGenerator()
        var code = EEXIST
        for _ in 0..<100 {
            let suffix = (0..<6).map { _ in letters[Int(random.next() % UInt64(letters.count))] }
            let temporary = "\(directory)/.\(name).tmp-" + String(decoding: suffix, as: UTF8.self)
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 { return OutputFile(path: path, descriptor: fd, temporaryPath: temporary) }
            code = errno
            if code != EEXIST { break }
        }
        throw OutputError(path: path, reason: "cannot create a file in \(directory): \(String(cString: strerror(code)))")
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
        guard !finished && !prepared else { throw OutputError(path: path, reason: "cannot write: the output is closed") }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferCapacity { try flush() }
    }

    /// Appends a string's UTF-8.
    public func write(_ text: String) throws(OutputError) {
        try write(text.utf8)
    }

    /// Makes the output visible: flushes, and for a path, syncs and renames into place.
    public func commit() throws(OutputError) {
        try Self.commit([self])
    }

    /// Makes several outputs visible together, as far as a file system allows: every output is
    /// flushed and synced first, and only when all of them are on disk are they renamed into
    /// place. A failure before the renames leaves every previous file untouched.
    public static func commit(_ outputs: [OutputFile]) throws(OutputError) {
        for output in outputs {
            do {
                try output.prepare()
            } catch {
                for other in outputs { other.abandon() }
                throw error
            }
        }
        for output in outputs { try output.publish() }
    }

    /// Flushes, syncs and closes the output now, ahead of ``commit(_:)``, which then only
    /// renames it: for many outputs committed together (the partitions of a dataset) without
    /// holding a descriptor open for each. After it, the output can only be committed or
    /// abandoned.
    public func seal() throws(OutputError) {
        try prepare()
        if temporaryPath != nil { closeDescriptor() }
    }

    private func closeDescriptor() {
        guard descriptorOpen else { return }
        descriptorOpen = false
        close(descriptor)
    }

    /// Flushes and syncs the temporary file; the output can then only be published.
    private func prepare() throws(OutputError) {
        if committed || prepared { return }
        guard !finished else { throw OutputError(path: path, reason: "cannot commit: the output was abandoned") }
        try flush()
        prepared = true
        guard temporaryPath != nil else { return }
        do {
            try Self.checkReplaceable(path)  // again: it may have changed during the run
        } catch {
            abandon()
            throw error
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            abandon()
            throw OutputError(path: path, reason: "cannot sync: \(reason)")
        }
    }

    /// Renames the prepared temporary file into place and syncs the directory.
    private func publish() throws(OutputError) {
        if committed { return }
        guard prepared, !finished else { throw OutputError(path: path, reason: "cannot commit: the output was abandoned") }
        finished = true
        guard let temporaryPath else {
            committed = true
            return
        }
        closeDescriptor()
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OutputError(path: path, reason: "cannot rename into place: \(reason)")
        }
        committed = true
        let directoryDescriptor = open(Self.directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    public func abandon() {
        guard !finished else { return }
        finished = true
        guard let temporaryPath else { return }
        closeDescriptor()
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

    /// Throws when `path` is a directory, which a rename cannot replace.
    private static func checkReplaceable(_ path: String) throws(OutputError) {
        var info = stat()
        if stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
            throw OutputError(path: path, reason: "is a directory")
        }
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
