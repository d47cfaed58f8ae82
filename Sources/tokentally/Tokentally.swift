import TallyCommand

/// The executable: everything lives in TallyCommand, including the exit codes.
@main
struct Tokentally {
    static func main() {
        TokentallyCommand.main()
    }
}
