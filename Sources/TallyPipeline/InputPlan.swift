import LogInput

/// Which inputs a run reads, which it takes from the state, and which it leaves out because
/// another input has the same content: decided before any line is read.
///
/// Every regular file is fingerprinted (``FileFingerprint``: 128 KiB read per file). Inputs
/// with equal fingerprints are one content under several names: the first name counts, the
/// others are reported as duplicates — in every run, so a run with `--state` gives what a run
/// from scratch over the same files gives. With a state made with the same options, an input
/// whose fingerprint the state knows is not read (under its old name: unchanged; under
/// another: renamed), and a remembered input that is gone, and whose bytes no input has now,
/// keeps its contribution (history) unless `--forget-missing`.
struct InputPlan {
    struct Entry {
        var name: String
        /// The input to read; nil for an entry taken from the state.
        var input: InputFile?
        var origin: FileOrigin
        /// Nil for standard input and files that could not be fingerprinted (read, not stored).
        var fingerprint: FileFingerprint?
        /// The state holding the entry's partial, when not the run's own (`merge`).
        var source: RunState?
    }

    /// The counted entries, sorted by name: the collector's inputs.
    var entries: [Entry] = []
    /// Inputs left out for having the same content as a counted one.
    var duplicates: [FileReport] = []
    /// What the next manifest must name besides the counted entries: the duplicates' names.
    var duplicateEntries: [RunState.Manifest.Entry] = []

    /// The plan of `tokentally merge`: every entry of every state, each fingerprint once (under
    /// its first name in name order), nothing read.
    static func merging(_ states: [RunState]) -> InputPlan {
        var candidates: [Entry] = []
        for state in states {
            for entry in state.entries {
                candidates.append(Entry(name: entry.name, input: nil, origin: .merged, fingerprint: entry.fingerprint, source: state))
            }
        }
        candidates.sort {
            $0.name == $1.name ? $0.fingerprint! < $1.fingerprint! : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8)
        }
        var plan = InputPlan()
        var seen: [FileFingerprint: String] = [:]
        for candidate in candidates {
            let fingerprint = candidate.fingerprint!
            if let original = seen[fingerprint] {
                var report = FileReport(path: candidate.name, outcome: InputOutcome())
                report.origin = .duplicate
                report.duplicateOf = original
                if candidate.name != original { plan.duplicates.append(report) }  // one file seen by two hosts: silent
                continue
            }
            seen[fingerprint] = candidate.name
            plan.entries.append(candidate)
        }
        return plan
    }

    /// The plan for `inputs` (sorted by name, as discovered), with the state if any.
    static func make(
        _ inputs: [InputFile], state: RunState?, forgetMissing: Bool
    ) throws(SummarizePipeline.Failure) -> InputPlan {
        var plan = InputPlan()
        var firstName: [FileFingerprint: String] = [:]
        var current: [Entry] = []
        for input in inputs {
            var fingerprint: FileFingerprint?
            if case .file(let path) = input.location { fingerprint = FileFingerprint.of(path: path) }
            if let fingerprint, let original = firstName[fingerprint] {
                var report = FileReport(path: input.displayName, outcome: InputOutcome())
                report.origin = .duplicate
                report.duplicateOf = original
                plan.duplicates.append(report)
                plan.duplicateEntries.append(.init(name: input.displayName, fingerprint: fingerprint))
                continue
            }
            if let fingerprint { firstName[fingerprint] = input.displayName }
            current.append(Entry(name: input.displayName, input: input, origin: .read, fingerprint: fingerprint))
        }

        guard let state else {
            plan.entries = current
            return plan
        }
        let known = Dictionary(state.entries.map { ($0.fingerprint, $0.name) }, uniquingKeysWith: { first, _ in first })
        let presentNames = Set(inputs.map(\.displayName))
        if state.optionsMatch {
            for index in current.indices {
                guard let fingerprint = current[index].fingerprint, known[fingerprint] != nil else { continue }
                let sameName = state.entries.contains { $0.fingerprint == fingerprint && $0.name == current[index].name }
                current[index].origin = sameName ? .unchanged : .renamed
                current[index].input = nil
            }
        }
        var history: [Entry] = []
        if !forgetMissing {
            var kept = Set<FileFingerprint>()
            for entry in state.entries.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) })
            where !presentNames.contains(entry.name) && firstName[entry.fingerprint] == nil {
                guard kept.insert(entry.fingerprint).inserted else { continue }  // a duplicate before it went
                history.append(Entry(name: entry.name, input: nil, origin: .history, fingerprint: entry.fingerprint))
            }
        }
        if !state.optionsMatch && !history.isEmpty {
            throw .state(RunState.Failure(description:
                "--state \(state.directory) was made with other options (\(state.storedOptions ?? "?")); "
                + "\(history.count) input(s) it remembers are gone (e.g. \(history[0].name)) and cannot be read again: "
                + "run with the same options, use a new --state directory, or pass --forget-missing"))
        }
        plan.entries = (current + history).sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return plan
    }
}
