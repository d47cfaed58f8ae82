/// Where the record shapes keep their fields, as node ids of one ``CapturePlan``.
///
/// A line is a tree of *levels*: the top-level object, and the objects under the container
/// keys `response`, `body` and `data` (a gateway's wrapper around a body, or a Responses
/// stream event around its `response`), two containers deep, plus the `response` of an event
/// inside a wrapper. At every level the same keys are planned: `usage` (with all its count
/// fields), `type`, the time keys, `model`, `api_key` and `status`.
struct UsageLayout {
    /// Container keys that may hold a body, searched in this order.
    static let containerKeys = ["response", "body", "data"]
    /// Time keys in the order they are tried at each level (outermost level first).
    static let timeKeys = ["timestamp", "ts", "time", "startTime", "request_created_at", "created_at", "created", "createTime"]
    /// Responses stream events whose `response` carries the final usage.
    static let terminalEventTypes = ["response.completed", "response.incomplete", "response.failed"]

    /// A count field and its alternative spellings (snake_case, SDK camelCase, Chat Completions).
    struct CountField {
        var nodes: [Int32]
        var names: [String]
    }

    /// A `*_details` object and the counts inside it.
    struct Details {
        var node: Int32
        var name: String
        var counts: [CountField]
    }

    /// The nodes of one usage object.
    struct Usage {
        var node: Int32
        var name: String
        var input: CountField
        var output: CountField
        var total: CountField
        var cost: CountField
        /// Input details (`input_tokens_details`, …): counts are [cached, cache write].
        var inputDetails: [Details]
        /// Output details (`output_tokens_details`, …): counts are [reasoning].
        var outputDetails: [Details]
    }

    /// The nodes of one level.
    struct Level {
        var node: Int32
        var usage: Usage
        var type: Int32
        var timeKeys: [Int32]
        var model: Int32
        var apiKey: Int32
        var status: Int32
        /// Indices (into ``levels``) of the container levels below, in ``containerKeys`` order.
        var containers: [Int]
        /// Index of the `response` container level, for stream events.
        var responseLevel: Int?
    }

    /// Every level; `levels[0]` is the top level.
    var levels: [Level] = []
    /// The usage at a `--field usage=` pointer, replacing the search by shape.
    var usageOverride: Usage?
    /// The level holding a `--field usage=` pointer's object (its parent), so the body's own
    /// time, model and status are found next to it; nil when the pointer's parent is the root.
    var usageOverrideLevel: Int?
    /// Nodes of the other `--field` overrides.
    var overrides: [BuiltinField: Int32] = [:]
    /// Node of each configured value field, in configuration order (for custom fields).
    var customNodes: [String: Int32] = [:]
    /// The compiled plan.
    let plan: CapturePlan

    init(configuration: DecoderConfiguration) {
        var builder = PathCollector()

        func usagePaths(_ base: [String]) -> Usage {
            func count(_ names: [String], under path: [String], display: String) -> CountField {
                CountField(
                    nodes: names.map { builder.ticket(path + [$0]) },
                    names: names.map { "\(display).\($0)" })
            }
            func details(_ keys: [String], display: String, counts: [[String]]) -> [Details] {
                keys.map { key in
                    Details(
                        node: builder.ticket(base + [key]), name: "\(display).\(key)",
                        counts: counts.map { count($0, under: base + [key], display: "\(display).\(key)") })
                }
            }
            let display = base.isEmpty ? "(root)" : base.joined(separator: ".")
            return Usage(
                node: builder.ticket(base), name: display,
                input: count(["input_tokens", "inputTokens", "prompt_tokens"], under: base, display: display),
                output: count(["output_tokens", "outputTokens", "completion_tokens"], under: base, display: display),
                total: count(["total_tokens", "totalTokens"], under: base, display: display),
                cost: count(["cost"], under: base, display: display),
                inputDetails: details(
                    ["input_tokens_details", "inputTokensDetails", "prompt_tokens_details"], display: display,
                    counts: [["cached_tokens", "cachedTokens"], ["cache_write_tokens", "cacheWriteTokens"]]),
                outputDetails: details(
                    ["output_tokens_details", "outputTokensDetails", "completion_tokens_details"], display: display,
                    counts: [["reasoning_tokens", "reasoningTokens"]]))
        }

        var levels: [Level] = []
        func addLevel(_ path: [String], depth: Int) -> Int {
            let index = levels.count
            levels.append(Level(
                node: builder.ticket(path), usage: usagePaths(path + ["usage"]), type: builder.ticket(path + ["type"]),
                timeKeys: Self.timeKeys.map { builder.ticket(path + [$0]) }, model: builder.ticket(path + ["model"]),
                apiKey: builder.ticket(path + ["api_key"]), status: builder.ticket(path + ["status"]),
                containers: [], responseLevel: nil))
            let keys = depth < 2 ? Self.containerKeys : depth == 2 ? ["response"] : []
            for key in keys {
                let child = addLevel(path + [key], depth: depth + 1)
                levels[index].containers.append(child)
                if key == "response" { levels[index].responseLevel = child }
            }
            return index
        }
        _ = addLevel([], depth: 0)

        var overrideTickets: [BuiltinField: Int32] = [:]
        var usageOverride: Usage?
        var usageOverrideLevel: Int?
        for (field, pointer) in configuration.overrides {
            if field == .usage {
                usageOverride = usagePaths(pointer.tokens)
                if pointer.tokens.count > 1 {
                    usageOverrideLevel = addLevel(Array(pointer.tokens.dropLast()), depth: 3)
                }
            } else {
                overrideTickets[field] = builder.ticket(pointer.tokens)
            }
        }
        var customTickets: [String: Int32] = [:]
        for (name, pointer) in configuration.customFields {
            customTickets[name] = builder.ticket(pointer.tokens)
        }

        // Compile, then turn tickets into node ids.
        plan = CapturePlan(paths: builder.paths)
        let ids = plan.nodeIDs
        func resolve(_ ticket: Int32) -> Int32 { ids[Int(ticket)] }
        func resolve(_ count: CountField) -> CountField { CountField(nodes: count.nodes.map(resolve), names: count.names) }
        func resolve(_ usage: Usage) -> Usage {
            Usage(
                node: resolve(usage.node), name: usage.name, input: resolve(usage.input), output: resolve(usage.output),
                total: resolve(usage.total), cost: resolve(usage.cost),
                inputDetails: usage.inputDetails.map { Details(node: resolve($0.node), name: $0.name, counts: $0.counts.map(resolve)) },
                outputDetails: usage.outputDetails.map { Details(node: resolve($0.node), name: $0.name, counts: $0.counts.map(resolve)) })
        }
        self.levels = levels.map { level in
            var resolved = level
            resolved.node = resolve(level.node)
            resolved.usage = resolve(level.usage)
            resolved.type = resolve(level.type)
            resolved.timeKeys = level.timeKeys.map(resolve)
            resolved.model = resolve(level.model)
            resolved.apiKey = resolve(level.apiKey)
            resolved.status = resolve(level.status)
            return resolved
        }
        self.usageOverride = usageOverride.map(resolve)
        self.usageOverrideLevel = usageOverrideLevel
        self.overrides = overrideTickets.mapValues(resolve)
        self.customNodes = customTickets.mapValues(resolve)
    }
}

/// Collects paths for a ``CapturePlan`` and hands out a ticket per path; after compiling,
/// `plan.nodeIDs[ticket]` is the path's node.
private struct PathCollector {
    var paths: [[String]] = []

    mutating func ticket(_ path: [String]) -> Int32 {
        paths.append(path)
        return Int32(paths.count - 1)
    }
}
