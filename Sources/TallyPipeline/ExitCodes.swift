/// The exit codes of `tokentally summarize`, in one place (docs/cli.md, *Exit codes*).
public enum ExitCodes {
    /// Every input ok, bad lines within `--max-bad-lines`.
    public static let ok: Int32 = 0
    /// Fatal: nothing written, previous outputs untouched.
    public static let fatal: Int32 = 1
    /// Outputs written, but an input failed or was flagged, or too many bad lines.
    public static let problems: Int32 = 2
    /// A usage error (sysexits' `EX_USAGE`).
    public static let usage: Int32 = 64
    /// Another run holds the state directory's lock (sysexits' `EX_TEMPFAIL`: try again later).
    public static let stateLocked: Int32 = 75

    /// A run stopped by `signal` (SIGINT 130, SIGTERM 143): 128 + the signal's number, as a
    /// shell reports a process the signal killed.
    public static func interrupted(by signal: Int32) -> Int32 { 128 + signal }
}
