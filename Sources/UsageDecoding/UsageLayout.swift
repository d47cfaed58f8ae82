/// Where the record shapes keep their fields, as node ids of one ``CapturePlan``.
///
/// A line is a tree of *levels*: the top-level object, and the objects under the container
/// keys `response`, `body`, `data` and `message` (a gateway's wrapper around a body, a
/// Responses stream event around its `response`, a Claude Code line around its `message`),
/// two containers deep, plus the `response` of an object inside a wrapper. At every level the
/// same keys are planned: the three places usage can sit (a `usage` object, a Gemini
/// `usageMetadata` object, flat LiteLLM-style counts on the level itself), `type`, the time
/// keys, and each field's candidate keys (``modelPaths``, ``keyPaths``, …).
///
/// The node ids live in two flat tables of `Int32` (one row per level, one per usage
/// location), read through unsafe pointers: the decoder looks fields up for every line, and
/// plain integer tables cost no reference counting, unlike structs of arrays. -1 means "no
/// such node". Immutable after `init`, so one layout serves every decoding thread
/// (``DecodingPlan``).
final class UsageLayout: @unchecked Sendable {
    /// Container keys that may hold a body, searched in this order.
    static let containerKeys = ["response", "body", "data", "message"]
    /// Time keys in the order they are tried at each level (outermost level first).
    static let timeKeys = ["timestamp", "ts", "time", "startTime", "request_created_at", "created_at", "created", "createTime"]
    /// Latency keys of a level, planned only when the decoder reads latency: a number of
    /// milliseconds, else the end of a `startTime`…`endTime` pair (LiteLLM, Langfuse).
    static let latencyKey = "latency_ms"
    static let endTimeKey = "endTime"
    /// Responses stream events whose `response` carries the final usage.
    static let terminalEventTypes: [StaticString] = ["response.completed", "response.incomplete", "response.failed"]
    /// Anthropic stream events: their partial usage (`message_start`, `message_delta`) is not
    /// a request's usage, so these lines count as no usage.
    static let anthropicEventTypes: [StaticString] = [
        "message_start", "message_delta", "message_stop", "content_block_start", "content_block_delta",
        "content_block_stop", "ping",
    ]

    /// Candidate keys of each field at a level, in the order tried (paths below the level).
    static let modelPaths = [["model"], ["modelVersion"]]
    static let keyPaths = [["api_key"], ["key"], ["metadata", "user_api_key_hash"]]
    static let userPaths = [["user"], ["end_user"], ["metadata", "user_api_key_user_id"]]
    static let providerPaths = [["provider"], ["custom_llm_provider"]]
    static let statusPaths = [["status"]]
    static let idPaths = [["id"], ["request_id"], ["requestId"], ["generation_id"], ["responseId"]]

    /// Columns of a level row.
    ///
    /// Literal numbers, each computed from the lists above it (`UsageLayoutColumnTests`
    /// checks them): a static computed from an array is a lazily initialised global, checked
    /// at every use, and these are read several times per line.
    enum LevelColumn {
        static let node = 0
        /// Usage rows of the level's `usage` object, its `usageMetadata` object, and the level
        /// itself read as flat counts.
        static let usage = 1
        static let usageMetadata = 2
        static let flat = 3
        static let type = 4
        /// The body's `object` (`response`, `chat.completion`…): only `inspect` reads it.
        static let object = width - 1
        /// Level row of the `response` container, or -1.
        static let responseLevel = 5
        /// Level rows of the containers (``containerKeys``), or -1.
        static let containers = 6
        static let timeKeys = 10  // containers + containerKeys.count
        static let model = 18  // timeKeys + timeKeys.count
        static let key = 20  // model + modelPaths.count
        static let user = 23  // key + keyPaths.count
        static let provider = 26  // user + userPaths.count
        static let status = 28  // provider + providerPaths.count
        static let id = 29  // status + statusPaths.count
        /// `latency_ms` and `endTime`: -1 unless the decoder reads latency. A pair's start is
        /// the time key `startTime`.
        static let latencyMS = 34  // id + idPaths.count
        static let endTime = 35  // latencyMS + 1
        static let startTime = 13  // timeKeys + 3
        static let width = 37  // endTime + 2

        /// Columns that hold row numbers, not node ids.
        static let rowReferences: Set<Int> = Set([usage, usageMetadata, flat, responseLevel])
            .union(containers..<(containers + UsageLayout.containerKeys.count))
    }

    /// How the counts of a usage row are read.
    enum Dialect: Int32 {
        /// A `usage` object: OpenAI / OpenRouter names, or Anthropic's when it has cache fields.
        case usageObject = 0
        /// Counts on the level itself (LiteLLM, Helicone): `prompt_tokens`, `response_cost`.
        case flat = 1
        /// Gemini's `usageMetadata`.
        case gemini = 2
    }

    /// Columns of a usage row: each count's spellings, -1 where a spelling does not apply.
    enum UsageColumn {
        static let node = 0
        /// The row's ``Dialect`` (a value, not a node).
        static let dialect = 1
        static let input = 2  // input_tokens, inputTokens, prompt_tokens
        static let output = 5  // output_tokens, outputTokens, completion_tokens
        static let total = 8  // total_tokens, totalTokens
        static let cost = 10  // cost (flat: response_cost, spend, cost)
        static let inputDetails = 13  // input_tokens_details, inputTokensDetails, prompt_tokens_details
        static let cached = 16  // per input details object: cached_tokens, cachedTokens
        static let cacheWrite = 22  // per input details object: cache_write_tokens, cacheWriteTokens
        static let outputDetails = 28  // output_tokens_details, outputTokensDetails, completion_tokens_details
        static let reasoning = 31  // per output details object: reasoning_tokens, reasoningTokens
        static let cacheRead = 37  // Anthropic: cache_read_input_tokens
        static let cacheCreation = 38  // Anthropic: cache_creation_input_tokens
        static let thinking = 39  // Anthropic: output_tokens_details.thinking_tokens
        static let gemini = 40  // Gemini: geminiNames, in order
        static let width = 45  // gemini + geminiNames.count (a literal, as in LevelColumn)
    }

    /// Spellings of each count, in the order tried (snake_case, SDK camelCase, Chat Completions).
    static let inputNames = ["input_tokens", "inputTokens", "prompt_tokens"]
    static let outputNames = ["output_tokens", "outputTokens", "completion_tokens"]
    static let totalNames = ["total_tokens", "totalTokens"]
    static let inputDetailsNames = ["input_tokens_details", "inputTokensDetails", "prompt_tokens_details"]
    static let cachedNames = ["cached_tokens", "cachedTokens"]
    static let cacheWriteNames = ["cache_write_tokens", "cacheWriteTokens"]
    static let outputDetailsNames = ["output_tokens_details", "outputTokensDetails", "completion_tokens_details"]
    static let reasoningNames = ["reasoning_tokens", "reasoningTokens"]
    static let flatCostNames = ["response_cost", "spend", "cost"]
    /// Gemini's counts: prompt, candidates, thoughts, cached content, total.
    static let geminiNames = [
        "promptTokenCount", "candidatesTokenCount", "thoughtsTokenCount", "cachedContentTokenCount", "totalTokenCount",
    ]

    /// The compiled plan.
    let plan: CapturePlan
    /// Level rows; row 0 is the top level.
    let levels: UnsafeMutablePointer<Int32>
    let levelCount: Int
    /// The path of each level, for messages and `inspect`.
    let levelPaths: [[String]]
    /// Usage rows.
    let usages: UnsafeMutablePointer<Int32>
    /// The dotted path of each usage row (`usage`, `response.usage`, `(root)`, …), for messages.
    let usageNames: [String]
    /// The JSON Pointer of each usage row's object.
    let usagePaths: [[String]]
    /// Usage row at a `--field usage=` pointer, replacing the search by shape; -1 when none.
    let usageOverride: Int
    /// Level row of the object holding the `--field usage=` pointer's object, so the body's
    /// own time, model and status are found next to it; -1 when that is the root.
    let usageOverrideLevel: Int
    /// Nodes of the other `--field` overrides.
    let overrides: [BuiltinField: Int32]
    /// Node of each custom field.
    let customNodes: [String: Int32]
    /// For each `--field` pointer (by its node): the nodes of its proper prefixes, shortest
    /// first, to find where it runs into a JSON-encoded string (``EmbeddedPointer``).
    let prefixNodes: [Int32: [Int32]]
    /// The tokens of each `--field` pointer, by its node.
    let pointerTokens: [Int32: [String]]
    /// The path of every node (index = node id), for `inspect`.
    let nodePaths: [[String]]

    init(configuration: DecoderConfiguration) {
        var paths: [[String]] = []
        func ticket(_ path: [String]) -> Int32 {
            paths.append(path)
            return Int32(paths.count - 1)
        }

        var usageRows: [[Int32]] = []
        var usageNames: [String] = []
        var usagePaths: [[String]] = []
        func addUsage(_ base: [String], dialect: Dialect) -> Int32 {
            var row = [Int32](repeating: -1, count: UsageColumn.width)
            row[UsageColumn.node] = ticket(base)
            row[UsageColumn.dialect] = dialect.rawValue
            func put(_ names: [String], under path: [String], at column: Int) {
                for (offset, name) in names.enumerated() { row[column + offset] = ticket(path + [name]) }
            }
            switch dialect {
            case .gemini:
                put(Self.geminiNames, under: base, at: UsageColumn.gemini)
            case .usageObject, .flat:
                if dialect == .flat {
                    // Only the Chat Completions names: `input_tokens` on a log line is too
                    // common a word to make the whole line a usage record.
                    row[UsageColumn.input + 2] = ticket(base + ["prompt_tokens"])
                    row[UsageColumn.output + 2] = ticket(base + ["completion_tokens"])
                    put(["total_tokens"], under: base, at: UsageColumn.total)
                    put(Self.flatCostNames, under: base, at: UsageColumn.cost)
                } else {
                    put(Self.inputNames, under: base, at: UsageColumn.input)
                    put(Self.outputNames, under: base, at: UsageColumn.output)
                    put(Self.totalNames, under: base, at: UsageColumn.total)
                    put(["cost"], under: base, at: UsageColumn.cost)
                    put(["cache_read_input_tokens"], under: base, at: UsageColumn.cacheRead)
                    put(["cache_creation_input_tokens"], under: base, at: UsageColumn.cacheCreation)
                    put(["thinking_tokens"], under: base + ["output_tokens_details"], at: UsageColumn.thinking)
                }
                for (index, details) in Self.inputDetailsNames.enumerated() {
                    row[UsageColumn.inputDetails + index] = ticket(base + [details])
                    put(Self.cachedNames, under: base + [details], at: UsageColumn.cached + 2 * index)
                    put(Self.cacheWriteNames, under: base + [details], at: UsageColumn.cacheWrite + 2 * index)
                }
                for (index, details) in Self.outputDetailsNames.enumerated() {
                    row[UsageColumn.outputDetails + index] = ticket(base + [details])
                    put(Self.reasoningNames, under: base + [details], at: UsageColumn.reasoning + 2 * index)
                }
            }
            usageRows.append(row)
            usageNames.append(base.isEmpty ? "(root)" : base.joined(separator: "."))
            usagePaths.append(base)
            return Int32(usageRows.count - 1)
        }

        var levelRows: [[Int32]] = []
        var levelPaths: [[String]] = []
        func addLevel(_ path: [String], depth: Int) -> Int32 {
            var row = [Int32](repeating: -1, count: LevelColumn.width)
            row[LevelColumn.node] = ticket(path)
            row[LevelColumn.usage] = addUsage(path + ["usage"], dialect: .usageObject)
            row[LevelColumn.usageMetadata] = addUsage(path + ["usageMetadata"], dialect: .gemini)
            row[LevelColumn.flat] = addUsage(path, dialect: .flat)
            row[LevelColumn.type] = ticket(path + ["type"])
            row[LevelColumn.object] = ticket(path + ["object"])
            func put(_ candidates: [[String]], at column: Int) {
                for (offset, candidate) in candidates.enumerated() { row[column + offset] = ticket(path + candidate) }
            }
            put(Self.timeKeys.map { [$0] }, at: LevelColumn.timeKeys)
            put(Self.modelPaths, at: LevelColumn.model)
            put(Self.keyPaths, at: LevelColumn.key)
            put(Self.userPaths, at: LevelColumn.user)
            put(Self.providerPaths, at: LevelColumn.provider)
            put(Self.statusPaths, at: LevelColumn.status)
            put(Self.idPaths, at: LevelColumn.id)
            if configuration.readsLatency {
                row[LevelColumn.latencyMS] = ticket(path + [Self.latencyKey])
                row[LevelColumn.endTime] = ticket(path + [Self.endTimeKey])
            }
            let index = levelRows.count
            levelRows.append(row)
            levelPaths.append(path)
            let keys = depth < 2 ? Self.containerKeys : depth == 2 ? ["response"] : []
            for key in keys {
                let child = addLevel(path + [key], depth: depth + 1)
                levelRows[index][LevelColumn.containers + Self.containerKeys.firstIndex(of: key)!] = child
                if key == "response" { levelRows[index][LevelColumn.responseLevel] = child }
            }
            return Int32(index)
        }
        _ = addLevel([], depth: 0)

        var usageOverride = -1
        var usageOverrideLevel = -1
        var pointerPrefixes: [(tokens: [String], prefixes: [Int32])] = []
        func prefixTickets(_ tokens: [String]) -> [Int32] {
            tokens.indices.dropFirst().map { ticket(Array(tokens[..<$0])) }
        }
        var overrideTickets: [BuiltinField: Int32] = [:]
        for (field, pointer) in configuration.overrides.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if field == .latency && !configuration.readsLatency { continue }  // not read: not planned
            if field == .usage {
                usageOverride = Int(addUsage(pointer.tokens, dialect: .usageObject))
                if pointer.tokens.count > 1 {
                    usageOverrideLevel = Int(addLevel(Array(pointer.tokens.dropLast()), depth: 3))
                }
            } else {
                overrideTickets[field] = ticket(pointer.tokens)
                pointerPrefixes.append((pointer.tokens, prefixTickets(pointer.tokens)))
            }
        }
        var customTickets: [String: Int32] = [:]
        for (name, pointer) in configuration.customFields.sorted(by: { $0.key < $1.key }) {
            customTickets[name] = ticket(pointer.tokens)
            pointerPrefixes.append((pointer.tokens, prefixTickets(pointer.tokens)))
        }

        // Compile, then turn tickets into node ids (row references and dialects stay as they are).
        plan = CapturePlan(paths: paths)
        let ids = plan.nodeIDs
        func resolve(_ ticket: Int32) -> Int32 { ticket < 0 ? -1 : ids[Int(ticket)] }

        levelCount = levelRows.count
        levels = .allocate(capacity: levelRows.count * LevelColumn.width)
        for (rowIndex, row) in levelRows.enumerated() {
            for (column, value) in row.enumerated() {
                levels[rowIndex * LevelColumn.width + column] =
                    LevelColumn.rowReferences.contains(column) ? value : resolve(value)
            }
        }
        usages = .allocate(capacity: usageRows.count * UsageColumn.width)
        for (rowIndex, row) in usageRows.enumerated() {
            for (column, value) in row.enumerated() {
                usages[rowIndex * UsageColumn.width + column] = column == UsageColumn.dialect ? value : resolve(value)
            }
        }
        var nodePaths = [[String]](repeating: [], count: plan.nodeCount)
        for (index, path) in paths.enumerated() { nodePaths[Int(ids[index])] = path }
        self.nodePaths = nodePaths
        self.levelPaths = levelPaths
        self.usageNames = usageNames
        self.usagePaths = usagePaths
        self.usageOverride = usageOverride
        self.usageOverrideLevel = usageOverrideLevel
        overrides = overrideTickets.mapValues(resolve)
        customNodes = customTickets.mapValues(resolve)
        var prefixNodes: [Int32: [Int32]] = [:]
        var pointerTokens: [Int32: [String]] = [:]
        for (tokens, prefixes) in pointerPrefixes {
            let node = ids[paths.firstIndex(of: tokens)!]  // planned above
            prefixNodes[node] = prefixes.map(resolve)
            pointerTokens[node] = tokens
        }
        self.prefixNodes = prefixNodes
        self.pointerTokens = pointerTokens
    }

    deinit {
        levels.deallocate()
        usages.deallocate()
    }

    /// The node of a `--field` pointer, when it was planned.
    func pointerNode(_ pointer: JSONPointer) -> Int32? {
        pointerTokens.first { $0.value == pointer.tokens }?.key
    }

    /// A column of a level row.
    @inline(__always)
    func level(_ row: Int, _ column: Int) -> Int32 { levels[row &* LevelColumn.width &+ column] }

    /// A column of a usage row.
    @inline(__always)
    func usage(_ row: Int, _ column: Int) -> Int32 { usages[row &* UsageColumn.width &+ column] }

    /// The dialect of a usage row.
    @inline(__always)
    func dialect(ofUsage row: Int) -> Dialect { Dialect(rawValue: usage(row, UsageColumn.dialect)) ?? .usageObject }

    /// The dotted name of a usage field, for messages: `response.usage.input_tokens`.
    func name(usage row: Int, _ components: String...) -> String {
        let base = usagePaths[row]
        return (base + components).joined(separator: ".")
    }
}
