import ArgumentParser
import TallyPipeline
import TallyPrimitives

/// Parsing of `--tz`, `--since` and `--until`.
enum TimeOptions {
    /// The forms `--since` and `--until` accept, for error messages.
    static let boundForms = "YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS], YYYY-MM-DD HH:MM[:SS], or RFC 3339 with Z or ±HH:MM"

    /// Loads the zone and resolves the bounds in it; a bad zone, a bad time, or bounds that
    /// leave nothing (`--since` not before `--until`) are usage errors.
    static func apply(tz: String, since: String?, until: String?, to configuration: inout SummarizeConfiguration) throws {
        do {
            configuration.zone = try ZoneRules.named(tz)
        } catch {
            throw ValidationError("--tz \(error)")
        }
        func bound(_ flag: String, _ text: String?) throws -> Int64? {
            guard let text else { return nil }
            guard let instant = TimeWindow.parseBound(text, zone: configuration.zone) else {
                throw ValidationError("\(flag) '\(text)' is not a valid date or time (use \(boundForms))")
            }
            return instant
        }
        let window = TimeWindow(since: try bound("--since", since), until: try bound("--until", until))
        if let first = window.since, let last = window.until, first >= last {
            throw ValidationError("--since '\(since ?? "")' is not before --until '\(until ?? "")': no record could be kept")
        }
        configuration.window = window
    }
}
