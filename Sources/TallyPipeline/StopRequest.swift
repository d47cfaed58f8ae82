import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A request to stop the run, set by a signal (SIGINT, SIGTERM) and read between batches.
///
/// Stopping is cooperative: the reader threads take no new input and end the one they read at
/// its next block, the decoding threads hand the batches still queued back without decoding
/// them, and the pipeline throws ``SummarizePipeline/Failure/interrupted(signal:)`` before
/// anything is published: the temporary outputs are removed, the previous outputs stay.
public final class StopRequest: Sendable {
    /// The signal that asked to stop; 0 while none has.
    private let signalNumber = Atomic<Int32>(0)
    /// The installed signal sources, kept alive for the run.
    private let sources = Mutex<[DispatchSourceSignal]>([])

    public init() {}

    /// The signal that asked to stop, or nil.
    public var signal: Int32? {
        let number = signalNumber.load(ordering: .acquiring)
        return number == 0 ? nil : number
    }

    /// True once a stop was asked for.
    public var isRequested: Bool { signalNumber.load(ordering: .relaxed) != 0 }

    /// Asks to stop, for `signal`; the first signal is the one remembered.
    public func request(signal: Int32) {
        _ = signalNumber.compareExchange(expected: 0, desired: signal, ordering: .acquiringAndReleasing)
    }

    /// A stop request set by `signals` (default SIGINT and SIGTERM). A second such signal,
    /// while the first is being honoured, ends the process at once the default way (the
    /// outputs' temporary files may then stay behind; previous outputs are still untouched).
    public static func trapping(_ signals: [Int32] = [SIGINT, SIGTERM]) -> StopRequest {
        let stop = StopRequest()
        let queue = DispatchQueue(label: "tokentally-signals")
        stop.sources.withLock { installed in
            for number in signals {
                // Dispatch sees the signal only when its default action (ending the process) is off.
                ignoreSignal(number)
                let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
                source.setEventHandler { [stop] in
                    if stop.isRequested {
                        restoreDefaultAction(number)
                        kill(getpid(), number)
                        return
                    }
                    stop.request(signal: number)
                }
                source.resume()
                installed.append(source)
            }
        }
        return stop
    }
}

/// Turns `number`'s default action off (a dispatch source still sees it).
private func ignoreSignal(_ number: Int32) {
    _ = signal(number, SIG_IGN)
}

/// Gives `number` its default action back.
private func restoreDefaultAction(_ number: Int32) {
    _ = signal(number, SIG_DFL)
}
