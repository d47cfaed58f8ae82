#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TallyCommand

/// The executable: everything lives in TallyCommand, including the exit codes.
@main
struct Tokentally {
    static func main() {
        // A file-size limit (`ulimit -f`) would kill the process in the middle of a write and
        // leave its temporary files behind; ignored, the write fails with EFBIG instead, and
        // the run ends like any failed write: one line, exit 1, temporary files removed,
        // previous outputs untouched. (SIGPIPE keeps its default: `| head -1` ends quietly.)
        signal(SIGXFSZ, SIG_IGN)
        TokentallyCommand.main()
    }
}
