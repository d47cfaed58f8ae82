import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One run at a time per state directory: an exclusive `flock(2)` on `DIR/lock`, held until
/// ``release()`` or `deinit`.
///
/// `flock` belongs to the open file description, so the kernel drops it when the process
/// ends, however it ends (SIGKILL included): a lock is never left behind by a dead run, and
/// the lock file itself is never removed (removing it would let two runs lock two different
/// files). Two separate `open`s of the lock file conflict even inside one process. The
/// descriptor is opened with `O_CLOEXEC`, so child processes do not inherit the lock.
public final class StateLock: Sendable {
    /// The lock file's name inside the state directory.
    public static let fileName = "lock"
    /// How often a waiting run tries again.
    static let pollInterval: Duration = .milliseconds(50)

    /// The state directory.
    public let directory: String
    /// `directory/lock`.
    public let lockPath: String
    /// The locked descriptor, or -1 once released.
    private let descriptor: Mutex<Int32>

    private init(directory: String, lockPath: String, descriptor: Int32) {
        self.directory = directory
        self.lockPath = lockPath
        self.descriptor = Mutex(descriptor)
    }

    /// Locks `directory` (creating it and its lock file when missing). Without `wait`, or with
    /// a zero wait, fails at once when another run holds the lock; otherwise tries again every
    /// 50 ms until `wait` has passed.
    public static func acquire(directory: String, wait: Duration? = nil) throws(StateLockError) -> StateLock {
        if let code = makeDirectories(directory) { throw .cannotOpen(path: directory, code: code) }
        let lockPath = directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw .cannotOpen(path: lockPath, code: errno) }

        let clock = ContinuousClock()
        let deadline = clock.now + (wait ?? .zero)
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                return StateLock(directory: directory, lockPath: lockPath, descriptor: fd)
            }
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK || code == EAGAIN else {
                close(fd)
                throw .cannotOpen(path: lockPath, code: code)
            }
            let now = clock.now
            guard now < deadline else {
                close(fd)
                throw .held(directory: directory, lockPath: lockPath, waited: wait.flatMap { $0 > .zero ? $0 : nil })
            }
            let (seconds, attoseconds) = min(pollInterval, deadline - now).components
            var pause = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            var left = timespec()
            while nanosleep(&pause, &left) != 0 && errno == EINTR { pause = left }
        }
    }

    /// Unlocks (by closing the descriptor); later calls do nothing.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}

/// Why a state directory could not be locked.
public enum StateLockError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another run holds the lock (exit 75). `waited` is the `--wait` that ran out, if any.
    case held(directory: String, lockPath: String, waited: Duration?)
    /// The directory or its lock file cannot be created or opened (exit 1).
    case cannotOpen(path: String, code: Int32)

    /// 75 when another run holds the lock, else 1.
    public var exitCode: Int32 {
        switch self {
        case .held: return ExitCodes.stateLocked
        case .cannotOpen: return ExitCodes.fatal
        }
    }

    /// One line, naming the directory.
    public var description: String {
        switch self {
        case .held(let directory, let lockPath, nil):
            return "another tokentally run holds \(directory) (lock file \(lockPath)); try again later or pass --wait SECONDS"
        case .held(let directory, let lockPath, let waited?):
            return "another tokentally run still holds \(directory) after waiting \(Self.describe(waited)) (lock file \(lockPath)); try again later or pass a longer --wait"
        case .cannotOpen(let path, let code):
            return "\(path): cannot create or open the state lock: \(String(cString: strerror(code)))"
        }
    }

    /// `30 s`, `0.5 s`.
    private static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = attoseconds / 100_000_000_000_000_000
        return tenths == 0 ? "\(seconds) s" : "\(seconds).\(tenths) s"
    }
}
