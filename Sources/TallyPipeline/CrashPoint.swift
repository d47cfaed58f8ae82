#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Points where a test can make a run die as if killed (SIGKILL), to check what a crash leaves
/// behind: with `TOKENTALLY_TEST_KILL_AT=<point>` in the environment, the process sends itself
/// SIGKILL on reaching that point. Without the variable nothing happens. (docs/state.md)
enum CrashPoint: String {
    /// Everything summed, nothing written yet.
    case beforeOutputs = "before-outputs"
    /// `--partition-by`: the first partition is renamed into place, the others not yet.
    case afterFirstPartition = "after-first-partition"
    /// The outputs are in place; the state is as before.
    case afterOutputs = "after-outputs"
    /// The new partials are written; the manifest is the old one.
    case afterPartials = "after-partials"
    /// The new manifest is in place; unused partials are not removed yet.
    case afterManifest = "after-manifest"

    /// Dies here when the environment asks for it.
    func reach() {
        guard let value = getenv("TOKENTALLY_TEST_KILL_AT"), String(cString: value) == rawValue else { return }
        kill(getpid(), SIGKILL)
    }
}
