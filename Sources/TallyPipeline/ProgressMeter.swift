import Dispatch
import LogInput
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The progress line on standard error (`--progress`):
///
/// ```
/// files 3/12 · 1.2 GB/4.0 GB · 410 MB/s · 12,345,678 records · 0:42 elapsed · ETA 1:40
/// ```
///
/// The reader threads add the raw bytes they consume (compressed bytes for gzip, file bytes
/// for plain text) once per read block or batch, and count finished inputs; the decoding
/// threads add records once per batch. So the hot path pays a few relaxed atomic adds per
/// ~1 MiB, nothing per line. A ticker thread of its own redraws the line four times a second
/// (`\r`, the line, erase to the end of the line), cut to the terminal's width, and clears it
/// when the run ends, before anything else is printed.
public final class ProgressMeter: Sendable {
    /// When the line is shown (`--progress`).
    public enum Mode: String, Sendable, CaseIterable {
        /// Only when standard error is a terminal, and not with `--quiet`.
        case auto
        /// Always, even to a file or a pipe.
        case always
        /// Never.
        case never
    }

    /// How often the line is redrawn, in milliseconds: four times a second.
    public static let refreshMilliseconds = 250

    private let bytes = Atomic<Int64>(0)
    private let files = Atomic<Int>(0)
    private let records = Atomic<Int>(0)
    private let descriptor: Int32
    private let state = Mutex(TickerState())
    private let stopTicker = DispatchSemaphore(value: 0)
    private let tickerStopped = DispatchSemaphore(value: 0)

    private struct TickerState {
        var totalFiles = 0
        var totalBytes: Int64?
        var started: ContinuousClock.Instant?
        var finished = false
    }

    /// A meter drawing on `descriptor` (standard error).
    public init(descriptor: Int32 = STDERR_FILENO) {
        self.descriptor = descriptor
    }

    /// Whether `mode` shows the line, for a run with or without `--quiet`: `auto` only when
    /// standard error is a terminal and the run is not quiet.
    public static func isShown(_ mode: Mode, quiet: Bool, descriptor: Int32 = STDERR_FILENO) -> Bool {
        switch mode {
        case .always: return true
        case .never: return false
        case .auto: return !quiet && isatty(descriptor) == 1
        }
    }

    // MARK: - Counting (any thread)

    /// Raw bytes of input consumed.
    public func addBytes(_ count: Int) {
        bytes.add(Int64(count), ordering: .relaxed)
    }

    /// One more input read to its end.
    public func fileDone() {
        files.add(1, ordering: .relaxed)
    }

    /// Records counted.
    public func addRecords(_ count: Int) {
        if count > 0 { records.add(count, ordering: .relaxed) }
    }

    // MARK: - Drawing

    /// Starts the clock and the ticker: `totalFiles` inputs of `totalBytes` raw bytes in all
    /// (nil when unknown, as for standard input: then neither the total nor an ETA is shown).
    public func start(totalFiles: Int, totalBytes: Int64?) {
        let first = state.withLock { state -> Bool in
            guard state.started == nil, !state.finished else { return false }
            state.totalFiles = totalFiles
            state.totalBytes = totalBytes
            state.started = .now
            return true
        }
        guard first else { return }
        draw()
        startThread(named: "tokentally-progress") { [self] in
            while stopTicker.wait(timeout: .now() + .milliseconds(Self.refreshMilliseconds)) == .timedOut {
                draw()
            }
            tickerStopped.signal()
        }
    }

    /// Stops the ticker, draws the last state and erases the line. Later calls do nothing.
    public func finish() {
        let wasRunning = state.withLock { state -> Bool in
            defer { state.finished = true }
            return state.started != nil && !state.finished
        }
        guard wasRunning else { return }
        stopTicker.signal()
        tickerStopped.wait()
        draw()
        write("\r\u{1B}[K")
    }

    /// What the line shows now.
    public var snapshot: Snapshot {
        let (totalFiles, totalBytes, started) = state.withLock { ($0.totalFiles, $0.totalBytes, $0.started) }
        return Snapshot(
            files: files.load(ordering: .relaxed), totalFiles: totalFiles,
            bytes: bytes.load(ordering: .relaxed), totalBytes: totalBytes,
            records: records.load(ordering: .relaxed),
            elapsed: started.map { ContinuousClock.now - $0 } ?? .zero)
    }

    private func draw() {
        var line = snapshot.line
        if let width = terminalWidth(), width > 1, line.count > width - 1 {
            line = String(line.prefix(width - 1))
        }
        write("\r" + line + "\u{1B}[K")
    }

    /// The terminal's width in columns, or nil when the descriptor is not a terminal.
    private func terminalWidth() -> Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    private func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// The counters at one moment, and how they read.
    public struct Snapshot: Sendable, Equatable {
        public var files: Int
        public var totalFiles: Int
        public var bytes: Int64
        public var totalBytes: Int64?
        public var records: Int
        public var elapsed: Duration

        public init(files: Int, totalFiles: Int, bytes: Int64, totalBytes: Int64?, records: Int, elapsed: Duration) {
            self.files = files
            self.totalFiles = totalFiles
            self.bytes = bytes
            self.totalBytes = totalBytes
            self.records = records
            self.elapsed = elapsed
        }

        /// `files 3/12 · 1.2 GB/4.0 GB · 410 MB/s · 12,345,678 records · 0:42 elapsed · ETA 1:40`;
        /// without a total, neither the total nor the ETA.
        public var line: String {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = seconds > 0 ? Double(bytes) / seconds : 0
            var parts = ["files \(files)/\(totalFiles)"]
            if let totalBytes {
                parts.append("\(Self.size(Double(bytes)))/\(Self.size(Double(totalBytes)))")
            } else {
                parts.append(Self.size(Double(bytes)))
            }
            parts.append("\(Self.size(rate))/s")
            parts.append("\(Self.grouped(records)) records")
            parts.append("\(Self.clock(seconds)) elapsed")
            if let totalBytes {
                if bytes >= totalBytes {
                    parts.append("ETA 0:00")
                } else if rate > 0 && seconds >= 1 {
                    parts.append("ETA \(Self.clock(Double(totalBytes - bytes) / rate))")
                } else {
                    parts.append("ETA -:--")
                }
            }
            return parts.joined(separator: " · ")
        }

        /// Decimal units: `950 B`, `1.2 kB`, `41.0 MB`, `410 MB`, `4.0 GB`.
        static func size(_ value: Double) -> String {
            let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
            var value = max(0, value)
            var unit = 0
            while value >= 999.5 && unit < units.count - 1 {
                value /= 1000
                unit += 1
            }
            if unit == 0 { return "\(Int(value.rounded())) B" }
            if value < 99.95 {
                let tenths = Int((value * 10).rounded())
                return "\(tenths / 10).\(tenths % 10) \(units[unit])"
            }
            return "\(Int(value.rounded())) \(units[unit])"
        }

        /// `12,345,678`.
        static func grouped(_ value: Int) -> String {
            let digits = String(value.magnitude)
            var out = ""
            for (index, digit) in digits.enumerated() {
                if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
                out.append(digit)
            }
            return value < 0 ? "-" + out : out
        }

        /// `0:42`, `12:05`, `1:02:03`.
        static func clock(_ seconds: Double) -> String {
            let total = seconds.isFinite ? Int(max(0, seconds).rounded(.down)) : 0
            let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
            let ss = secs < 10 ? "0\(secs)" : "\(secs)"
            if hours > 0 {
                let mm = minutes < 10 ? "0\(minutes)" : "\(minutes)"
                return "\(hours):\(mm):\(ss)"
            }
            return "\(minutes):\(ss)"
        }
    }

    /// The raw bytes of `inputs` as discovered, or nil when one is standard input (its size is
    /// unknown). An input that cannot be examined counts 0.
    static func totalBytes(of inputs: [InputFile]) -> Int64? {
        var total: Int64 = 0
        for input in inputs {
            switch input.location {
            case .standardInput:
                return nil
            case .file(let path):
                var status = stat()
                if stat(path, &status) == 0 { total += Int64(status.st_size) }
            case .unusable:
                break
            }
        }
        return total
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#elseif canImport(Darwin)
private let systemWrite = Darwin.write
#endif
