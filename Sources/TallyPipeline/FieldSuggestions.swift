import UsageDecoding

/// Proposes `--field` flags for a log tokentally does not (fully) recognise, from the lines the
/// decoder found nothing in, looked at without any knowledge of shapes.
///
/// - `usage`: an object, in a line without usage, with a numeric key named like an input count
///   (`input`, `prompt`) and one named like an output count (`output`, `completion`) — Langfuse's
///   `usageDetails`, OpenRouter's `tokens_prompt`/`tokens_completion`, a usage object at a path
///   tokentally does not search. Objects where tokentally already looks (`/usage`,
///   `/message/usage`, …) that hold a count name it reads are left alone: those lines are stream
///   events or placeholders on purpose (Anthropic's `message_start`, Claude Code's `<synthetic>`).
/// - `time`, `model`, `key`: when fewer than half of the records have the field (or there are no
///   records but a usage flag is proposed), a value in those lines that reads as a timestamp
///   (by tokentally's own rules, years 2000–2100), or a string under a key named like `*model*`,
///   `*key*`.
///
/// Each proposal names the number of sampled lines that have the path.
struct FieldSuggestions {
    /// The fields proposed besides `usage`.
    static let suggestedFields = ["time", "model", "key"]
    /// Lines without usage kept to try a proposed usage pointer on, and their bytes at most.
    static let trialLineLimit = 1_000
    static let trialByteLimit = 16 << 20
    /// Distinct paths remembered per field (a log whose keys are ids must not grow without bound).
    static let pathLimit = 10_000
    /// Deepest object path looked at.
    static let maxDepth = 6

    /// Count names tokentally reads in a usage object, by role.
    static let inputNames: Set<String> = ["input_tokens", "inputTokens", "prompt_tokens", "promptTokenCount"]
    static let outputNames: Set<String> = ["output_tokens", "outputTokens", "completion_tokens", "candidatesTokenCount"]
    /// Names whose presence means tokentally recognised (and deliberately skipped) the object.
    static let knownCountNames: Set<String> = inputNames.union(outputNames).union(["total_tokens", "totalTokens",
        "cache_read_input_tokens", "cache_creation_input_tokens", "thoughtsTokenCount", "cachedContentTokenCount", "totalTokenCount"])
    /// Containers tokentally searches below the root.
    static let containers: Set<String> = ["response", "body", "data", "message"]
    /// `type` values of stream events that are lines without usage by design.
    static let streamEventTypes: Set<String> = ["message_start", "message_delta", "message_stop", "content_block_start",
        "content_block_delta", "content_block_stop", "ping"]

    private struct UsageCandidate {
        var lines = 0
        var names: [String] = []
    }

    private var usageCandidates: [String: UsageCandidate] = [:]
    /// Per field: pointer → lines, from records without the field.
    private var recordCandidates: [String: [String: Int]] = [:]
    /// Per field: pointer → lines, from lines without usage.
    private var noUsageCandidates: [String: [String: Int]] = [:]
    /// An example value per field and pointer.
    private var examples: [String: String] = [:]
    private var recordsMissing: [String: Int] = [:]
    private var trialLines: [[UInt8]] = []
    private var trialBytes = 0

    // MARK: - Observing

    /// A line the decoder found no usage in.
    mutating func observeLineWithoutUsage(_ object: [String: JSONTree], bytes: UnsafeRawBufferPointer) {
        guard !Self.isStreamEvent(object) else { return }
        if trialLines.count < Self.trialLineLimit && trialBytes + bytes.count <= Self.trialByteLimit {
            trialLines.append(Array(bytes))
            trialBytes += bytes.count
        }
        var seenUsage = Set<String>()
        var seen: [String: Set<String>] = [:]
        Self.walk(object, path: []) { path, key, value in
            if let dictionary = value.members, let names = Self.countNames(dictionary),
                !Self.isSearchedUsage(path + [key], names: names)
            {
                let pointer = JSONPointer(tokens: path + [key]).description
                if seenUsage.insert(pointer).inserted, usageCandidates[pointer] != nil || usageCandidates.count < Self.pathLimit {
                    usageCandidates[pointer, default: UsageCandidate()].lines += 1
                    usageCandidates[pointer]?.names = names
                }
            }
            for field in Self.suggestedFields {
                if let example = Self.candidate(field, path: path, key: key, value: value) {
                    let pointer = JSONPointer(tokens: path + [key]).description
                    if seen[field, default: []].insert(pointer).inserted,
                        noUsageCandidates[field]?[pointer] != nil || noUsageCandidates[field, default: [:]].count < Self.pathLimit
                    {
                        noUsageCandidates[field, default: [:]][pointer, default: 0] += 1
                        if examples[field + pointer] == nil { examples[field + pointer] = example }
                    }
                }
            }
        }
        // The root itself may be the counts (flat names tokentally does not read).
        if let names = Self.countNames(object), !names.contains(where: Self.knownCountNames.contains) {
            if seenUsage.insert("").inserted {
                usageCandidates["", default: UsageCandidate()].lines += 1
                usageCandidates[""]?.names = names
            }
        }
    }

    /// A record whose `missing` fields the decoder did not find.
    mutating func observeRecord(_ object: [String: JSONTree], missing: [String]) {
        var seen: [String: Set<String>] = [:]
        for field in missing { recordsMissing[field, default: 0] += 1 }
        Self.walk(object, path: []) { path, key, value in
            for field in missing {
                guard let example = Self.candidate(field, path: path, key: key, value: value) else { continue }
                let pointer = JSONPointer(tokens: path + [key]).description
                if seen[field, default: []].insert(pointer).inserted,
                    recordCandidates[field]?[pointer] != nil || recordCandidates[field, default: [:]].count < Self.pathLimit
                {
                    recordCandidates[field, default: [:]][pointer, default: 0] += 1
                    if examples[field + pointer] == nil { examples[field + pointer] = example }
                }
            }
        }
    }

    // MARK: - Proposing

    /// The flags to propose, usage first, then time, model and key.
    func suggest(records: Int, found: [String: Int], configuration: InspectConfiguration) -> [InspectReport.Suggestion] {
        var result: [InspectReport.Suggestion] = []
        let currentUsage = configuration.overrides[.usage]?.description
        for (pointer, candidate) in usageCandidates.sorted(by: {
            $0.value.lines != $1.value.lines ? $0.value.lines > $1.value.lines : $0.key < $1.key
        }).prefix(3) where pointer != currentUsage {
            result.append(usageSuggestion(pointer, candidate, configuration))
        }
        let proposingUsage = !result.isEmpty
        for field in Self.suggestedFields {
            let builtin = BuiltinField(rawValue: field)!
            let current = configuration.overrides[builtin]?.description
            let candidates: [String: Int]
            let context: String
            if records > 0 {
                // Found on most records: nothing to propose.
                guard (found[field] ?? 0) * 2 < records else { continue }
                candidates = recordCandidates[field] ?? [:]
                context = "\(recordsMissing[field] ?? 0) of \(records) records have no \(field)"
            } else if proposingUsage {
                candidates = noUsageCandidates[field] ?? [:]
                context = "for the lines the usage flag above would make records"
            } else {
                continue
            }
            guard let best = candidates.filter({ $0.key != current }).sorted(by: { lhs, rhs in
                if lhs.value != rhs.value { return lhs.value > rhs.value }
                let lhsNamed = Self.isTimeName(lhs.key), rhsNamed = Self.isTimeName(rhs.key)
                if field == "time" && lhsNamed != rhsNamed { return lhsNamed }
                return lhs.key.count != rhs.key.count ? lhs.key.count < rhs.key.count : lhs.key < rhs.key
            }).first else { continue }
            let example = examples[field + best.key] ?? ""
            let what: String
            switch field {
            case "time": what = "a timestamp (\(example))"
            case "model": what = "a model name (\(example))"
            default: what = "a key-like value (\(example))"
            }
            result.append(InspectReport.Suggestion(
                flag: "--field \(field)=\(best.key)", field: field, pointer: best.key,
                reason: "\(what); \(context)", lines: best.value))
        }
        return result
    }

    private func usageSuggestion(
        _ pointer: String, _ candidate: UsageCandidate, _ configuration: InspectConfiguration
    ) -> InspectReport.Suggestion {
        let names = candidate.names.joined(separator: ", ")
        let readable = candidate.names.contains(where: Self.inputNames.contains)
            && candidate.names.contains(where: Self.outputNames.contains)
        var reason = readable
            ? "an object of token counts (\(names)) where tokentally does not look"
            : "looks like token counts (\(names)), but a usage object needs tokentally's names: input_tokens or prompt_tokens, and output_tokens or completion_tokens (or Gemini's promptTokenCount, candidatesTokenCount); with these names the lines are bad_usage"
        // Try it on the lines without usage kept.
        if let parsed = try? JSONPointer(parsing: pointer) {
            var trial = DecoderConfiguration(overrides: configuration.overrides, customFields: [:], maxDepth: configuration.maxDepth)
            trial.overrides[.usage] = parsed
            let decoder = UsageDecoder(configuration: trial)
            var records = 0, badUsage = 0
            for line in trialLines {
                line.withUnsafeBytes { bytes in
                    switch decoder.decode(bytes) {
                    case .record: records += 1
                    case .bad(let bad) where bad.reason == .badUsage: badUsage += 1
                    default: break
                    }
                }
            }
            let tried = trialLines.count == 1 ? "the 1 sampled line" : "the \(trialLines.count) sampled lines"
            reason += "; tried on \(tried) without usage: \(records) become\(records == 1 ? "s a record" : " records")"
            if badUsage > 0 { reason += ", \(badUsage) bad_usage" }
        }
        return InspectReport.Suggestion(
            flag: "--field usage=\(pointer)", field: "usage", pointer: pointer, reason: reason, lines: candidate.lines)
    }

    // MARK: - Looking at values

    /// Calls `visit` with every key of every object below `object` (not inside arrays), depth first.
    private static func walk(_ object: [String: JSONTree], path: [String], _ visit: ([String], String, JSONTree) -> Void) {
        guard path.count < maxDepth else { return }
        for key in object.keys.sorted() {
            let value = object[key]!
            visit(path, key, value)
            if let child = value.members { walk(child, path: path + [key], visit) }
        }
    }

    /// The count-like names of an object: an input-like and an output-like numeric key at least.
    private static func countNames(_ object: [String: JSONTree]) -> [String]? {
        let numeric = object.keys.filter { key in
            guard case .number(let literal)? = object[key] else { return false }
            let name = key.lowercased()
            return ["token", "prompt", "completion", "input", "output", "candidates"].contains { name.contains($0) }
                && (Double(literal) ?? -1) >= 0
        }.sorted()
        let hasInput = numeric.contains { let name = $0.lowercased(); return name.contains("input") || name.contains("prompt") }
        let hasOutput = numeric.contains { let name = $0.lowercased(); return name.contains("output") || name.contains("completion") || name.contains("candidates") }
        return hasInput && hasOutput ? numeric : nil
    }

    /// Whether `path` is a `usage` or `usageMetadata` at a level tokentally searches, holding a
    /// count name it reads: then the line has no usage on purpose.
    private static func isSearchedUsage(_ path: [String], names: [String]) -> Bool {
        guard let last = path.last, last == "usage" || last == "usageMetadata",
            names.contains(where: knownCountNames.contains)
        else { return false }
        let level = path.dropLast()
        if level.count <= 2 { return level.allSatisfy(containers.contains) }
        return level.count == 3 && level.prefix(2).allSatisfy(containers.contains) && level.last == "response"
    }

    /// A stream event that is a line without usage by design, at the root or in a container.
    private static func isStreamEvent(_ object: [String: JSONTree]) -> Bool {
        func check(_ object: [String: JSONTree]) -> Bool {
            guard let type = object["type"]?.text else { return false }
            return type.hasPrefix("response.") || streamEventTypes.contains(type)
        }
        if check(object) { return true }
        return containers.contains { object[$0]?.members.map(check) ?? false }
    }

    /// Names tokentally reads each field from by default, at every level it searches.
    static let defaultNames: [String: Set<String>] = [
        "time": ["timestamp", "ts", "time", "startTime", "request_created_at", "created_at", "created", "createTime"],
        "model": ["model", "modelVersion"],
        "key": ["api_key", "key"],
    ]

    /// Whether tokentally already reads `field` at this path when it finds usage (a default
    /// name at the root or in a container): proposing it would change nothing.
    private static func isDefaultLocation(_ field: String, path: [String], key: String) -> Bool {
        guard defaultNames[field]?.contains(key) == true else { return false }
        return path.count <= 3 && path.allSatisfy(containers.contains)
    }

    /// An example value when `value` under `key` is a candidate for `field`.
    private static func candidate(_ field: String, path: [String], key: String, value: JSONTree) -> String? {
        guard !isDefaultLocation(field, path: path, key: key) else { return nil }
        let name = key.lowercased()
        switch field {
        case "time":
            switch value {
            case .string(let text) where timestamp(text, kind: .string): return text
            case .number(let literal) where !name.contains("token") && timestamp(literal, kind: .number): return literal
            default: return nil
            }
        case "model":
            guard name.contains("model"), let text = value.text, !text.isEmpty else { return nil }
            return text
        case "key":
            guard name.contains("key") || name.contains("api_key"), let text = value.text, !text.isEmpty else { return nil }
            return text
        default:
            return nil
        }
    }

    /// Whether a value reads as a timestamp by tokentally's rules, between 2000 and 2100.
    private static func timestamp(_ text: String, kind: JSONKind) -> Bool {
        let literal = kind == .string ? JSONText.quote(text) : text
        let bytes = Array(literal.utf8)
        guard bytes.count < 64 else { return false }
        let seconds = bytes.withUnsafeBytes { line in
            TimestampParser.seconds(of: JSONValueSpan(start: 0, end: Int32(line.count), kind: kind), in: line)
        }
        guard let seconds else { return false }
        return (946_684_800..<4_102_444_800).contains(seconds)
    }

    private static func isTimeName(_ pointer: String) -> Bool {
        let name = pointer.lowercased()
        return ["time", "date", "ts", "created", "start", "_at"].contains { name.contains($0) }
    }
}
