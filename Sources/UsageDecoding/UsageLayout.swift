/// Where the record shapes keep their fields, as node ids of one ``CapturePlan``.
///
/// A line is a tree of *levels*: the top-level object, and the objects under the container
/// keys `response`, `body` and `data` (a gateway's wrapper around a body, or a Responses stream
/// event around its `response`), two containers deep, plus the `response` of an event inside a
/// wrapper. At every level the same keys are planned: `usage` (with all its count fields),
/// `type`, the time keys, `model`, `api_key` and `status`.
///
/// The node ids live in two flat tables of `Int32` (one row per level, one per usage object),
/// read through unsafe pointers: the decoder looks fields up for every line, and plain integer
/// tables cost no reference counting, unlike structs of arrays. -1 means "no such node".
/// Immutable after `init`; owned by one ``UsageDecoder``.
final class UsageLayout {
    /// Container keys that may hold a body, searched in this order.
    static let containerKeys = ["response", "body", "data"]
    /// Time keys in the order they are tried at each level (outermost level first).
    static let timeKeys = ["timestamp", "ts", "time", "startTime", "request_created_at", "created_at", "created", "createTime"]
    /// Responses stream events whose `response` carries the final usage.
    static let terminalEventTypes: [StaticString] = ["response.completed", "response.incomplete", "response.failed"]

    /// Columns of a level row.
    enum LevelColumn {
        static let node = 0
        /// Row of the level's `usage` in the usage table.
        static let usage = 1
        static let type = 2
        static let model = 3
        static let apiKey = 4
        static let status = 5
        /// The request id (`id`).
        static let id = 6
        /// Level row of the `response` container (for stream events), or -1.
        static let responseLevel = 7
        /// Level rows of the `response`, `body`, `data` containers, or -1.
        static let containers = 8
        static let timeKeys = containers + UsageLayout.containerKeys.count
        static let width = timeKeys + UsageLayout.timeKeys.count
    }

    /// Columns of a usage row: each count's spellings, -1 where a spelling does not exist.
    enum UsageColumn {
        static let node = 0
        static let input = 1  // input_tokens, inputTokens, prompt_tokens
        static let output = 4  // output_tokens, outputTokens, completion_tokens
        static let total = 7  // total_tokens, totalTokens
        static let cost = 9  // cost
        static let inputDetails = 10  // input_tokens_details, inputTokensDetails, prompt_tokens_details
        static let cached = 13  // per input details object: cached_tokens, cachedTokens
        static let cacheWrite = 19  // per input details object: cache_write_tokens, cacheWriteTokens
        static let outputDetails = 25  // output_tokens_details, outputTokensDetails, completion_tokens_details
        static let reasoning = 28  // per output details object: reasoning_tokens, reasoningTokens
        static let width = 34
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

    /// The compiled plan.
    let plan: CapturePlan
    /// Level rows; row 0 is the top level.
    let levels: UnsafeMutablePointer<Int32>
    let levelCount: Int
    /// Usage rows.
    let usages: UnsafeMutablePointer<Int32>
    /// The dotted path of each usage row (`usage`, `response.usage`, …), for messages.
    let usageNames: [String]
    /// Usage row at a `--field usage=` pointer, replacing the search by shape; -1 when none.
    let usageOverride: Int
    /// Level row of the object holding the `--field usage=` pointer's object, so the body's
    /// own time, model and status are found next to it; -1 when that is the root.
    let usageOverrideLevel: Int
    /// Nodes of the other `--field` overrides.
    let overrides: [BuiltinField: Int32]
    /// Node of each custom field.
    let customNodes: [String: Int32]

    init(configuration: DecoderConfiguration) {
        var paths: [[String]] = []
        func ticket(_ path: [String]) -> Int32 {
            paths.append(path)
            return Int32(paths.count - 1)
        }

        var usageRows: [[Int32]] = []
        var usageNames: [String] = []
        func addUsage(_ base: [String]) -> Int32 {
            var row = [Int32](repeating: -1, count: UsageColumn.width)
            row[UsageColumn.node] = ticket(base)
            func put(_ names: [String], under path: [String], at column: Int) {
                for (offset, name) in names.enumerated() { row[column + offset] = ticket(path + [name]) }
            }
            put(Self.inputNames, under: base, at: UsageColumn.input)
            put(Self.outputNames, under: base, at: UsageColumn.output)
            put(Self.totalNames, under: base, at: UsageColumn.total)
            put(["cost"], under: base, at: UsageColumn.cost)
            for (index, details) in Self.inputDetailsNames.enumerated() {
                row[UsageColumn.inputDetails + index] = ticket(base + [details])
                put(Self.cachedNames, under: base + [details], at: UsageColumn.cached + 2 * index)
                put(Self.cacheWriteNames, under: base + [details], at: UsageColumn.cacheWrite + 2 * index)
            }
            for (index, details) in Self.outputDetailsNames.enumerated() {
                row[UsageColumn.outputDetails + index] = ticket(base + [details])
                put(Self.reasoningNames, under: base + [details], at: UsageColumn.reasoning + 2 * index)
            }
            usageRows.append(row)
            usageNames.append(base.isEmpty ? "(root)" : base.joined(separator: "."))
            return Int32(usageRows.count - 1)
        }

        var levelRows: [[Int32]] = []
        func addLevel(_ path: [String], depth: Int) -> Int32 {
            var row = [Int32](repeating: -1, count: LevelColumn.width)
            row[LevelColumn.node] = ticket(path)
            row[LevelColumn.usage] = addUsage(path + ["usage"])
            row[LevelColumn.type] = ticket(path + ["type"])
            row[LevelColumn.model] = ticket(path + ["model"])
            row[LevelColumn.apiKey] = ticket(path + ["api_key"])
            row[LevelColumn.status] = ticket(path + ["status"])
            row[LevelColumn.id] = ticket(path + ["id"])
            for (offset, key) in Self.timeKeys.enumerated() { row[LevelColumn.timeKeys + offset] = ticket(path + [key]) }
            let index = levelRows.count
            levelRows.append(row)
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
        var overrideTickets: [BuiltinField: Int32] = [:]
        for (field, pointer) in configuration.overrides.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            if field == .usage {
                usageOverride = Int(addUsage(pointer.tokens))
                if pointer.tokens.count > 1 {
                    usageOverrideLevel = Int(addLevel(Array(pointer.tokens.dropLast()), depth: 3))
                }
            } else {
                overrideTickets[field] = ticket(pointer.tokens)
            }
        }
        var customTickets: [String: Int32] = [:]
        for (name, pointer) in configuration.customFields.sorted(by: { $0.key < $1.key }) {
            customTickets[name] = ticket(pointer.tokens)
        }

        // Compile, then turn tickets into node ids (row references stay as they are).
        plan = CapturePlan(paths: paths)
        let ids = plan.nodeIDs
        func resolve(_ ticket: Int32) -> Int32 { ticket < 0 ? -1 : ids[Int(ticket)] }
        let rowReferences = Set([LevelColumn.usage, LevelColumn.responseLevel])
            .union(LevelColumn.containers..<(LevelColumn.containers + Self.containerKeys.count))

        levelCount = levelRows.count
        levels = .allocate(capacity: levelRows.count * LevelColumn.width)
        for (rowIndex, row) in levelRows.enumerated() {
            for (column, value) in row.enumerated() {
                levels[rowIndex * LevelColumn.width + column] = rowReferences.contains(column) ? value : resolve(value)
            }
        }
        usages = .allocate(capacity: usageRows.count * UsageColumn.width)
        for (rowIndex, row) in usageRows.enumerated() {
            for (column, value) in row.enumerated() { usages[rowIndex * UsageColumn.width + column] = resolve(value) }
        }
        self.usageNames = usageNames
        self.usageOverride = usageOverride
        self.usageOverrideLevel = usageOverrideLevel
        overrides = overrideTickets.mapValues(resolve)
        customNodes = customTickets.mapValues(resolve)
    }

    deinit {
        levels.deallocate()
        usages.deallocate()
    }

    /// A column of a level row.
    @inline(__always)
    func level(_ row: Int, _ column: Int) -> Int32 { levels[row &* LevelColumn.width &+ column] }

    /// A column of a usage row.
    @inline(__always)
    func usage(_ row: Int, _ column: Int) -> Int32 { usages[row &* UsageColumn.width &+ column] }

    /// The dotted name of a usage field, for messages: `response.usage.input_tokens`.
    func name(usage row: Int, _ components: String...) -> String {
        ([usageNames[row]] + components).joined(separator: ".")
    }
}
