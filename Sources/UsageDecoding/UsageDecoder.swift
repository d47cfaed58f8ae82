import TallyPrimitives

/// What a ``UsageDecoder`` is compiled from: the configuration's capture plan and the tables
/// that say where each record shape keeps its fields (``UsageLayout``).
///
/// Building it takes a few milliseconds (thousands of planned paths); it is immutable, so a
/// run builds it once and every decoding thread's decoder shares it.
public final class DecodingPlan: Sendable {
    /// What the plan was built for.
    public let configuration: DecoderConfiguration
    let layout: UsageLayout

    public init(configuration: DecoderConfiguration) {
        self.configuration = configuration
        layout = UsageLayout(configuration: configuration)
    }
}

/// Stage 3: one line in, one ``LineOutcome`` out. Pure: the outcome depends on the line and
/// the configuration only.
///
/// The scanner validates the whole line and records the planned values (``UsageLayout``);
/// then the usage is searched level by level, the top level first, and at each level:
///
/// 1. a Responses stream event (`type: "response.…"`): the terminal events `.completed`,
///    `.incomplete` and `.failed` carry usage at `response.usage`; every other event is
///    `no_usage`; an Anthropic stream event (`message_start`, `message_delta`, …) is
///    `no_usage` too (its usage is partial);
/// 2. a `usage` object with token counts (OpenAI / OpenRouter names, or Anthropic's when it
///    has cache fields or the level is `type: "message"`) — a `usage` object without any
///    count, such as the request option `{"include": true}`, is not usage;
/// 3. a Gemini `usageMetadata` object;
/// 4. flat counts on the level itself (`prompt_tokens`, `completion_tokens`: LiteLLM, Helicone);
/// 5. the same search in the containers `response`, `body`, `data`, `message`, in that order.
///
/// The first usage found is the line's only usage, so no line is counted twice (LiteLLM's flat
/// counts win over the provider's `response.usage` they repeat). A line `type: "assistant"`
/// whose usage is under `message` is a Claude Code transcript line: always deduplicated, by
/// `message.id` with `requestId`.
///
/// One decoder per thread; after ``decode(_:)`` returns a record, ``value(_:)`` gives the
/// record's grouping values, valid until the next call. Nothing is allocated per line.
public final class UsageDecoder {
    /// What this decoder was built for.
    public let configuration: DecoderConfiguration
    let layout: UsageLayout
    let scanner: JSONScanner
    /// Where each configured value field is read.
    private let valueSources: UnsafeMutablePointer<ValueSource>
    private let valueCount: Int
    private let values: UnsafeMutablePointer<JSONValueSpan?>
    /// Level rows from the top down to the object holding the usage.
    let path: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) private(set) var pathCount = 0
    private let scratch: UnsafeMutableRawBufferPointer
    /// `--field` pointers that may run into JSON-encoded strings.
    private let embeddedPointers: [EmbeddedPointer]
    /// Per value: the index of the embedded pointer whose buffer holds it, or -1 (the line).
    private let valueEmbedded: UnsafeMutablePointer<Int32>
    private let timeOverride: ValueSource?
    private let costOverride: ValueSource?
    private let idOverride: ValueSource?
    /// Whether records carry their latency (``DecoderConfiguration/readsLatency``).
    private let readsLatency: Bool
    /// The `--field latency=` pointer, when latency is read.
    private let latencyOverride: ValueSource?
    /// Where the model is read (the provider falls back on it).
    private let modelSource: ValueSource
    /// What the last record was made of, for ``lastMatch``.
    ///
    /// State written per line is `@exclusivity(unchecked)` here and in the scanner, the key
    /// builder and the batch decoder: each object belongs to one thread and no access to it
    /// overlaps another, and the run-time checks cost 2–3% of decoding.
    @exclusivity(unchecked) private(set) var lastUsageRow = -1
    @exclusivity(unchecked) private(set) var lastDetailsRow = -1
    @exclusivity(unchecked) private(set) var lastIsClaudeCode = false
    @exclusivity(unchecked) private(set) var lastIsAnthropic = false

    /// Where one value field is read: one node, or `count` level columns from `column`, tried
    /// level by level.
    struct ValueSource {
        enum Kind { case node, innermostFirst, outermostFirst }
        var kind: Kind
        /// The node (`.node`) or the first level column.
        var target: Int32
        var count: Int32 = 1
        /// The provider: when nothing is found, the model's prefix before its first `/`.
        var derivesFromModel = false
        /// For a `--field` pointer: its index in ``embeddedPointers``, or -1.
        var embedded: Int32 = -1
    }

    /// Levels in a path at most: the top, two containers, a stream event's `response`, and the
    /// level of a `--field usage=` pointer.
    private static let maxPath = 8

    /// A decoder for `configuration`, with a plan of its own.
    public convenience init(configuration: DecoderConfiguration) {
        self.init(plan: DecodingPlan(configuration: configuration))
    }

    /// A decoder that shares `plan` with the other decoders of a run.
    public init(plan: DecodingPlan) {
        typealias Column = UsageLayout.LevelColumn
        let configuration = plan.configuration
        self.configuration = configuration
        let layout = plan.layout
        self.layout = layout
        scanner = JSONScanner(plan: layout.plan, maxDepth: configuration.maxDepth)
        var embeddedPointers: [EmbeddedPointer] = []
        func pointer(_ node: Int32) -> ValueSource {
            var source = ValueSource(kind: .node, target: node)
            if let prefixes = layout.prefixNodes[node], !prefixes.isEmpty, let tokens = layout.pointerTokens[node] {
                source.embedded = Int32(embeddedPointers.count)
                embeddedPointers.append(EmbeddedPointer(tokens: tokens, prefixNodes: prefixes, maxDepth: configuration.maxDepth))
            }
            return source
        }
        timeOverride = layout.overrides[.time].map(pointer)
        costOverride = layout.overrides[.cost].map(pointer)
        idOverride = layout.overrides[.id].map(pointer)
        readsLatency = configuration.readsLatency
        latencyOverride = layout.overrides[.latency].map(pointer)  // planned only when latency is read
        func source(_ field: BuiltinField, _ kind: ValueSource.Kind, _ column: Int, _ count: Int) -> ValueSource {
            layout.overrides[field].map(pointer) ?? ValueSource(kind: kind, target: Int32(column), count: Int32(count))
        }
        let modelSource = source(.model, .innermostFirst, Column.model, UsageLayout.modelPaths.count)
        self.modelSource = modelSource
        valueCount = configuration.valueFields.count
        valueSources = .allocate(capacity: max(valueCount, 1))
        for (index, field) in configuration.valueFields.enumerated() {
            let value: ValueSource
            switch field {
            case .model:
                value = modelSource
            case .key:
                value = source(.key, .outermostFirst, Column.key, UsageLayout.keyPaths.count)
            case .user:
                value = source(.user, .outermostFirst, Column.user, UsageLayout.userPaths.count)
            case .provider:
                var provider = source(.provider, .outermostFirst, Column.provider, UsageLayout.providerPaths.count)
                provider.derivesFromModel = provider.kind != .node
                value = provider
            case .status:
                value = source(.status, .innermostFirst, Column.status, UsageLayout.statusPaths.count)
            case .custom(let name):
                value = layout.customNodes[name].map(pointer) ?? ValueSource(kind: .node, target: -1)
            }
            (valueSources + index).initialize(to: value)
        }
        self.embeddedPointers = embeddedPointers
        values = .allocate(capacity: max(valueCount, 1))
        values.initialize(repeating: nil, count: max(valueCount, 1))
        valueEmbedded = .allocate(capacity: max(valueCount, 1))
        valueEmbedded.initialize(repeating: -1, count: max(valueCount, 1))
        path = .allocate(capacity: Self.maxPath)
        scratch = .allocate(byteCount: 64, alignment: 8)
    }

    deinit {
        valueSources.deallocate()
        values.deallocate()
        valueEmbedded.deallocate()
        path.deallocate()
        scratch.deallocate()
    }

    /// The value of `configuration.valueFields[index]` for the last record (nil when absent,
    /// null or the empty string).
    @inline(__always)
    public func value(_ index: Int) -> JSONValueSpan? { values[index] }

    /// The bytes ``value(_:)``'s span refers to: the line, or for a `--field` pointer that ran
    /// into a JSON-encoded string, the decoded string.
    @inline(__always)
    public func valueBytes(_ index: Int, line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let embedded = valueEmbedded[index]
        return embedded < 0 ? line : UnsafeRawBufferPointer(embeddedPointers[Int(embedded)].buffer)
    }

    /// Decodes one line (without its line terminator).
    public func decode(_ line: UnsafeRawBufferPointer) -> LineOutcome {
        var record = UsageRecord()
        switch decode(line, into: &record) {
        case .record: return .record(record)
        case .noUsage(let warnings): return .noUsage(warnings)
        case .bad(let bad): return .bad(bad)
        }
    }

    /// ``decode(_:)`` for the decoding threads: the record is written to `record` (every
    /// field of it) instead of being returned in the outcome, which would copy its couple of
    /// hundred bytes twice per line.
    public func decode(_ line: UnsafeRawBufferPointer, into record: inout UsageRecord) -> DecodedLine {
        typealias Column = UsageLayout.LevelColumn
        let rootKind: JSONKind
        switch scanner.scan(line) {
        case .failure(let failure):
            let reason: BadLineReason
            switch failure.kind {
            case .invalidUTF8: reason = .invalidUTF8
            case .invalidJSON: reason = .invalidJSON
            case .tooDeep: reason = .tooDeep
            }
            return .bad(BadLine(reason: reason, detail: .json(failure)))
        case .success(let kind):
            rootKind = kind
        }
        guard rootKind == .object else { return .bad(BadLine(reason: .notObject, detail: .notObject(rootKind))) }

        var warnings: LineWarnings = scanner.sawDuplicateKey ? .duplicateKey : []
        pathCount = 0
        lastUsageRow = -1

        let usage: Int
        if layout.usageOverride >= 0 {
            push(0)
            let level = layout.usageOverrideLevel
            if level >= 0, scanner.value(layout.level(level, Column.node))?.kind == .object {
                push(level)  // the object holding the usage: its time, model, status
            }
            let row = layout.usageOverride
            guard let span = scanner.value(layout.usage(row, UsageLayout.UsageColumn.node)), span.kind != .null else {
                return .noUsage(warnings)
            }
            guard span.kind == .object else { return .bad(notAnObject(layout.usageNames[row])) }
            usage = row
        } else {
            switch search(level: 0, in: line) {
            case .found(let row): usage = row
            case .none: return .noUsage(warnings)
            case .bad(let bad): return .bad(bad)
            }
        }

        // A Claude Code transcript line: `type: "assistant"` around a `message` with the usage.
        let messageLevel = Int(layout.level(0, Column.containers + 3))
        lastIsClaudeCode =
            layout.usageOverride < 0 && pathCount == 2 && path[1] == messageLevel
            && typeIs("assistant", level: 0, in: line)
        if lastIsClaudeCode, let model = lookUp(modelSource), model.kind == .string,
            stringContent(model, in: line, equals: "<synthetic>")
        {
            return .noUsage(warnings)  // a rate-limit or error notice, not a request
        }

        record = UsageRecord()
        if let bad = extract(usage: usage, in: line, into: &record) { return .bad(bad) }
        lastUsageRow = usage
        warnings.formUnion(record.warnings)

        if let costOverride {
            let found = pointerValue(costOverride, in: line)
            do throws(BadLineError) {
                var fractional = false
                record.costUSD = try readNumber(
                    found?.span, in: found?.bytes ?? line, fractional: &fractional,
                    name: { Self.dottedName(self.layout.nodePaths[Int(costOverride.target)]) })
            } catch {
                return .bad(error.badLine)
            }
        }

        // Time: the first readable key, outermost level first.
        var sawTime = false
        if let timeOverride {
            if let found = pointerValue(timeOverride, in: line) {
                sawTime = true
                record.time = TimestampParser.seconds(of: found.span, in: found.bytes)
            }
        } else {
            outer: for step in 0..<pathCount {
                for key in 0..<UsageLayout.timeKeys.count {
                    let node = layout.level(path[step], Column.timeKeys + key)
                    guard let span = scanner.value(node), span.kind != .null else { continue }
                    sawTime = true
                    if let seconds = TimestampParser.seconds(of: span, in: line) {
                        record.time = seconds
                        break outer
                    }
                }
            }
        }
        if record.time == nil { warnings.insert(sawTime ? .invalidTimestamp : .missingTimestamp) }
        if readsLatency { record.latencyMS = latency(in: line, warnings: &warnings) }
        record.warnings = warnings

        for index in 0..<valueCount {
            let source = valueSources[index]
            if source.embedded >= 0 {
                let found = pointerValue(source, in: line)
                values[index] = found?.span
                valueEmbedded[index] = found.map { $0.bytes.baseAddress == line.baseAddress ? -1 : source.embedded } ?? -1
            } else {
                values[index] = lookUp(source, in: line)
            }
        }

        // The request id.
        if let idOverride {
            record.dedupKey = pointerValue(idOverride, in: line).flatMap { requestKey($0.span, in: $0.bytes) }
        } else if lastIsClaudeCode {
            let message = nonNull(scanner.value(layout.level(messageLevel, Column.id))).flatMap { requestKey($0, in: line) }
            let request = nonNull(scanner.value(layout.level(0, Column.id + 2))).flatMap { requestKey($0, in: line) }
            switch (message, request) {
            case (let message?, let request?): record.dedupKey = RequestID.combine(message, request)
            case (let message?, nil): record.dedupKey = message
            case (nil, let request): record.dedupKey = request
            }
            record.alwaysDeduplicated = record.dedupKey != nil
        } else if let id = lookUp(ValueSource(kind: .innermostFirst, target: Int32(Column.id), count: Int32(UsageLayout.idPaths.count))) {
            record.dedupKey = requestKey(id, in: line)
        }
        return .record
    }

    // MARK: - Finding the usage

    private enum Search {
        case found(Int)
        case none
        case bad(BadLine)
    }

    @inline(__always)
    private func push(_ level: Int) {
        path[pathCount] = level
        pathCount += 1
    }

    private func search(level: Int, in line: UnsafeRawBufferPointer) -> Search {
        typealias Column = UsageLayout.LevelColumn
        let pathMark = pathCount
        push(level)

        if let type = scanner.value(layout.level(level, Column.type)), type.kind == .string {
            // A Responses stream event decides by its type alone.
            if stringContent(type, in: line, hasPrefix: "response.") {
                let responseLevel = Int(layout.level(level, Column.responseLevel))
                guard UsageLayout.terminalEventTypes.contains(where: { stringContent(type, in: line, equals: $0) }),
                    responseLevel >= 0,
                    scanner.value(layout.level(responseLevel, Column.node))?.kind == .object
                else {
                    pathCount = pathMark
                    return .none
                }
                push(responseLevel)
                let usage = Int(layout.level(responseLevel, Column.usage))
                guard let span = scanner.value(layout.usage(usage, UsageLayout.UsageColumn.node)), span.kind != .null else {
                    pathCount = pathMark
                    return .none
                }
                guard span.kind == .object else { return .bad(notAnObject(layout.usageNames[usage])) }
                return .found(usage)
            }
            // So does an Anthropic stream event: its usage is partial.
            if UsageLayout.anthropicEventTypes.contains(where: { stringContent(type, in: line, equals: $0) }) {
                pathCount = pathMark
                return .none
            }
        }

        for column in [Column.usage, Column.usageMetadata] {
            let usage = Int(layout.level(level, column))
            guard let span = scanner.value(layout.usage(usage, UsageLayout.UsageColumn.node)) else { continue }
            switch span.kind {
            case .object:
                if hasCount(usage) { return .found(usage) }
            case .null:
                break
            default:
                return .bad(notAnObject(layout.usageNames[usage]))
            }
        }
        let flat = Int(layout.level(level, Column.flat))
        if hasCount(flat) { return .found(flat) }

        for index in 0..<UsageLayout.containerKeys.count {
            let container = Int(layout.level(level, Column.containers + index))
            guard container >= 0, scanner.value(layout.level(container, Column.node))?.kind == .object else { continue }
            let result = search(level: container, in: line)
            if case .none = result { continue }
            return result
        }
        pathCount = pathMark
        return .none
    }

    /// Whether a usage row has at least one token count that is not null: `{"include": true}`
    /// has none, and neither has a usage whose counts are all null.
    private func hasCount(_ row: Int) -> Bool {
        typealias Column = UsageLayout.UsageColumn
        @inline(__always) func present(_ column: Int) -> Bool {
            guard let span = scanner.value(layout.usage(row, column)) else { return false }
            return span.kind != .null
        }
        for column in Column.input..<Column.cost where present(column) { return true }
        for column in Column.cacheRead...Column.cacheCreation where present(column) { return true }
        for column in Column.gemini..<Column.width where present(column) { return true }
        return false
    }

    /// Whether the `type` of a level is the string `constant`.
    private func typeIs(_ constant: StaticString, level: Int, in line: UnsafeRawBufferPointer) -> Bool {
        guard let type = scanner.value(layout.level(level, UsageLayout.LevelColumn.type)), type.kind == .string else {
            return false
        }
        return stringContent(type, in: line, equals: constant)
    }

    private func notAnObject(_ name: String) -> BadLine {
        BadLine(reason: .badUsage, detail: .usage(field: name, problem: .notAnObject))
    }

    static func dottedName(_ path: [String]) -> String { path.isEmpty ? "(root)" : path.joined(separator: ".") }

    // MARK: - Reading the counts

    /// A count or cost: nil when absent or null, else the number, or the problem.
    private func readNumber(
        _ span: JSONValueSpan?, in line: UnsafeRawBufferPointer, fractional: inout Bool, name: () -> String
    ) throws(BadLineError) -> ExactDecimal? {
        guard let span, span.kind != .null else { return nil }
        let problem: UsageProblem
        switch span.kind {
        case .null:
            return nil
        case .number:
            let text = UnsafeRawBufferPointer(rebasing: line[Int(span.start)..<Int(span.end)])
            switch ExactDecimal.parse(jsonNumber: text) {
            case .value(let value, let isFractional):
                if isFractional { fractional = true }
                return value
            case .negative: problem = .negative
            case .outOfRange: problem = .outOfRange
            case .invalid: problem = .notANumber
            }
        case .string: problem = .string
        case .true, .false: problem = .boolean
        case .object, .array: problem = .notANumber
        }
        throw BadLineError(BadLine(reason: .badUsage, detail: .usage(field: name(), problem: problem)))
    }

    /// The value of the first present, non-null spelling among `spellings` columns from
    /// `column` of a usage row; nil when none is present and the count is optional.
    ///
    /// - Parameter name: the dotted field name of spelling `k`, for messages (only called on
    ///   a problem, so good lines build no strings).
    private func readCount(
        usage row: Int, column: Int, spellings: Int, required: Bool, in line: UnsafeRawBufferPointer,
        fractional: inout Bool, name: (Int) -> String
    ) throws(BadLineError) -> ExactDecimal? {
        var sawNull = false
        var firstSpelling = -1
        for spelling in 0..<spellings {
            guard let span = scanner.value(layout.usage(row, column + spelling)) else { continue }
            if firstSpelling < 0 { firstSpelling = spelling }
            if span.kind == .null {
                sawNull = true
                continue
            }
            return try readNumber(span, in: line, fractional: &fractional, name: { name(spelling) })
        }
        if required {
            let spelling = firstSpelling >= 0 ? firstSpelling : (0..<spellings).first { layout.usage(row, column + $0) >= 0 } ?? 0
            throw BadLineError(BadLine(reason: .badUsage, detail: .usage(field: name(spelling), problem: sawNull ? .null : .missing)))
        }
        return nil
    }

    /// Which of a usage row's details objects (from `column`, three spellings) is present and
    /// not null; -1 when none.
    private func details(usage row: Int, column: Int, names: @autoclosure () -> [String]) throws(BadLineError) -> Int {
        for spelling in 0..<3 {  // as many as `UsageColumn` has columns for (inputDetails…cached)
            guard let span = scanner.value(layout.usage(row, column + spelling)), span.kind != .null else { continue }
            guard span.kind == .object else {
                throw BadLineError(notAnObject(layout.name(usage: row, names()[spelling])))
            }
            return spelling
        }
        return -1
    }

    /// `a + b`, or a `bad_usage` line naming `field` when the sum leaves the 64-bit range.
    private func sum(_ a: ExactDecimal, _ b: ExactDecimal, field: @autoclosure () -> String) throws(BadLineError) -> ExactDecimal {
        var total = a
        guard total.add(b) else {
            throw BadLineError(BadLine(reason: .badUsage, detail: .usage(field: field(), problem: .outOfRange)))
        }
        return total
    }

    /// Fills `record`'s counts and cost from a usage row, normalised to one meaning per column
    /// (PRODUCT.md's normalisation table); returns the problem if any.
    private func extract(usage row: Int, in line: UnsafeRawBufferPointer, into record: inout UsageRecord) -> BadLine? {
        typealias Column = UsageLayout.UsageColumn
        let layout = self.layout
        var fractional = false
        var reportedTotal: ExactDecimal?
        do throws(BadLineError) {
            // `names` only for messages: good lines build no arrays or strings.
            func count(_ column: Int, _ spellings: Int, required: Bool, _ names: @autoclosure () -> [String]) throws(BadLineError) -> ExactDecimal? {
                try readCount(
                    usage: row, column: column, spellings: spellings, required: required, in: line,
                    fractional: &fractional, name: { layout.name(usage: row, names()[$0]) })
            }
            switch layout.dialect(ofUsage: row) {
            case .gemini:
                let names = UsageLayout.geminiNames
                // proto3 JSON leaves out zero counts: every count is optional.
                let prompt = try count(Column.gemini, 1, required: false, [names[0]]) ?? .zero
                let candidates = try count(Column.gemini + 1, 1, required: false, [names[1]]) ?? .zero
                let thoughts = try count(Column.gemini + 2, 1, required: false, [names[2]]) ?? .zero
                let cached = try count(Column.gemini + 3, 1, required: false, [names[3]]) ?? .zero
                reportedTotal = try count(Column.gemini + 4, 1, required: false, [names[4]])
                record.inputTokens = prompt
                record.cachedInputTokens = cached
                record.outputTokens = try sum(candidates, thoughts, field: layout.name(usage: row, names[1]))
                record.reasoningTokens = thoughts
                lastIsAnthropic = false
                lastDetailsRow = -1

            case .usageObject, .flat:
                let input = try count(Column.input, 3, required: true, UsageLayout.inputNames) ?? .zero
                let output = try count(Column.output, 3, required: true, UsageLayout.outputNames) ?? .zero
                reportedTotal = try count(Column.total, 2, required: false, UsageLayout.totalNames)
                let cacheRead = try count(Column.cacheRead, 1, required: false, ["cache_read_input_tokens"])
                let cacheCreation = try count(Column.cacheCreation, 1, required: false, ["cache_creation_input_tokens"])
                // Anthropic's SDK writes absent cache counts as null: the key alone tells.
                let anthropic = scanner.value(layout.usage(row, Column.cacheRead)) != nil
                    || scanner.value(layout.usage(row, Column.cacheCreation)) != nil
                    || (layout.dialect(ofUsage: row) == .usageObject && pathCount > 0 && typeIs("message", level: path[pathCount - 1], in: line))
                lastIsAnthropic = anthropic
                record.outputTokens = output
                if anthropic {
                    // Anthropic counts cache reads and writes apart from input_tokens.
                    let read = cacheRead ?? .zero, creation = cacheCreation ?? .zero
                    record.inputTokens = try sum(
                        try sum(input, read, field: layout.name(usage: row, "input_tokens")), creation,
                        field: layout.name(usage: row, "input_tokens"))
                    record.cachedInputTokens = read
                    record.cacheWriteTokens = creation
                    record.reasoningTokens =
                        try count(Column.thinking, 1, required: false, ["output_tokens_details", "thinking_tokens"]) ?? .zero
                    lastDetailsRow = -1
                } else {
                    record.inputTokens = input
                    try readDetails(of: row, into: &record, in: line, fractional: &fractional)
                }
            }
            // Cost is a measure of its own: a fractional cost is normal, not a warning.
            var fractionalCost = false
            let costSpellings = layout.dialect(ofUsage: row) == .flat ? UsageLayout.flatCostNames.count : 1
            record.costUSD = try readCount(
                usage: row, column: Column.cost, spellings: costSpellings, required: false, in: line,
                fractional: &fractionalCost,
                name: { layout.name(usage: row, layout.dialect(ofUsage: row) == .flat ? UsageLayout.flatCostNames[$0] : "cost") })
            let total = try sum(record.inputTokens, record.outputTokens, field: layout.name(usage: row, "total_tokens"))
            if record.cachedInputTokens > record.inputTokens { record.warnings.insert(.cachedExceedsInput) }
            if record.reasoningTokens > record.outputTokens { record.warnings.insert(.reasoningExceedsOutput) }
            record.totalTokens = reportedTotal ?? total
            if let reportedTotal, reportedTotal != total { record.warnings.insert(.totalMismatch) }
            if fractional { record.warnings.insert(.fractionalCount) }
            return nil
        } catch {
            return error.badLine
        }
    }

    /// Reads the OpenAI-style details (cached, cache write, reasoning) of a usage row; for flat
    /// counts without details of their own, from the provider's `response.usage` next to them
    /// (LiteLLM nests the provider's usage there).
    private func readDetails(
        of row: Int, into record: inout UsageRecord, in line: UnsafeRawBufferPointer, fractional: inout Bool
    ) throws(BadLineError) {
        typealias Column = UsageLayout.UsageColumn
        let layout = self.layout
        var source = row
        var inputDetails = try details(usage: row, column: Column.inputDetails, names: UsageLayout.inputDetailsNames)
        var outputDetails = try details(usage: row, column: Column.outputDetails, names: UsageLayout.outputDetailsNames)
        if inputDetails < 0, outputDetails < 0, layout.dialect(ofUsage: row) == .flat, pathCount > 0 {
            let response = Int(layout.level(path[pathCount - 1], UsageLayout.LevelColumn.responseLevel))
            if response >= 0 {
                let nested = Int(layout.level(response, UsageLayout.LevelColumn.usage))
                if scanner.value(layout.usage(nested, Column.node))?.kind == .object {
                    source = nested
                    inputDetails = try details(usage: nested, column: Column.inputDetails, names: UsageLayout.inputDetailsNames)
                    outputDetails = try details(usage: nested, column: Column.outputDetails, names: UsageLayout.outputDetailsNames)
                }
            }
        }
        lastDetailsRow = source
        if inputDetails >= 0 {
            record.cachedInputTokens = try readCount(
                usage: source, column: Column.cached + 2 * inputDetails, spellings: 2, required: false, in: line,
                fractional: &fractional,
                name: { layout.name(usage: source, UsageLayout.inputDetailsNames[inputDetails], UsageLayout.cachedNames[$0]) }) ?? .zero
            record.cacheWriteTokens = try readCount(
                usage: source, column: Column.cacheWrite + 2 * inputDetails, spellings: 2, required: false, in: line,
                fractional: &fractional,
                name: { layout.name(usage: source, UsageLayout.inputDetailsNames[inputDetails], UsageLayout.cacheWriteNames[$0]) }) ?? .zero
        }
        if outputDetails >= 0 {
            record.reasoningTokens = try readCount(
                usage: source, column: Column.reasoning + 2 * outputDetails, spellings: 2, required: false, in: line,
                fractional: &fractional,
                name: { layout.name(usage: source, UsageLayout.outputDetailsNames[outputDetails], UsageLayout.reasoningNames[$0]) }) ?? .zero
        }
    }

    // MARK: - Latency

    /// The record's latency in milliseconds: at the `--field latency=` pointer, else at the
    /// first level on the path (outermost first) that has `latency_ms`, or both `startTime`
    /// and `endTime` (end − start). Nil when there is none; nil with `invalid_latency` when
    /// the source that decides is unusable. Null counts as absent.
    private func latency(in line: UnsafeRawBufferPointer, warnings: inout LineWarnings) -> UInt64? {
        typealias Column = UsageLayout.LevelColumn
        if let latencyOverride {
            guard let found = pointerValue(latencyOverride, in: line) else { return nil }
            guard let milliseconds = Self.milliseconds(found.span, in: found.bytes) else {
                warnings.insert(.invalidLatency)
                return nil
            }
            return milliseconds
        }
        @inline(__always) func present(_ column: Int, _ level: Int) -> JSONValueSpan? {
            guard let span = scanner.value(layout.level(level, column)), span.kind != .null else { return nil }
            return span
        }
        for step in 0..<pathCount {
            let level = path[step]
            if let span = present(Column.latencyMS, level) {
                guard let milliseconds = Self.milliseconds(span, in: line) else {
                    warnings.insert(.invalidLatency)
                    return nil
                }
                return milliseconds
            }
            // One of the pair alone says nothing: on to the next level.
            guard let start = present(Column.startTime, level), let end = present(Column.endTime, level) else { continue }
            guard let startMS = TimestampParser.milliseconds(of: start, in: line),
                let endMS = TimestampParser.milliseconds(of: end, in: line), endMS >= startMS
            else {
                warnings.insert(.invalidLatency)
                return nil
            }
            return UInt64(endMS - startMS)  // both within years 0001–9999: no overflow
        }
        return nil
    }

    /// A JSON number of milliseconds, its fraction rounded to the nearest (half up); nil when
    /// the value is not a number, is negative or does not fit in `UInt64`.
    static func milliseconds(_ span: JSONValueSpan, in bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard span.kind == .number else { return nil }
        let text = UnsafeRawBufferPointer(rebasing: bytes[Int(span.start)..<Int(span.end)])
        guard case .value(let value, _) = ExactDecimal.parse(jsonNumber: text, maximum: UInt64.max) else { return nil }
        // The fraction is in units of 10⁻¹⁸: half a millisecond is 5 × 10¹⁷.
        let rounded = value.fraction >= 500_000_000_000_000_000 ? value.whole + 1 : value.whole
        guard rounded <= UInt128(UInt64.max) else { return nil }
        return UInt64(rounded)
    }

    // MARK: - Values

    /// The first present value of a source, or nil.
    func lookUp(_ source: ValueSource) -> JSONValueSpan? {
        switch source.kind {
        case .node:
            return nonNull(scanner.value(source.target))
        case .innermostFirst:
            var step = pathCount
            while step > 0 {
                step -= 1
                for column in 0..<Int(source.count) {
                    if let span = nonNull(scanner.value(layout.level(path[step], Int(source.target) &+ column))) { return span }
                }
            }
            return nil
        case .outermostFirst:
            for step in 0..<pathCount {
                for column in 0..<Int(source.count) {
                    if let span = nonNull(scanner.value(layout.level(path[step], Int(source.target) &+ column))) { return span }
                }
            }
            return nil
        }
    }

    /// The value at a `--field` pointer and the bytes its span refers to: the line, or the
    /// decoded JSON string the pointer ran into.
    private func pointerValue(_ source: ValueSource, in line: UnsafeRawBufferPointer) -> (span: JSONValueSpan, bytes: UnsafeRawBufferPointer)? {
        if let span = scanner.value(source.target) {
            return nonNull(span).map { ($0, line) }
        }
        guard source.embedded >= 0 else { return nil }
        let embedded = embeddedPointers[Int(source.embedded)]
        guard let span = nonNull(embedded.resolve(in: line, scanner: scanner)) else { return nil }
        return (span, UnsafeRawBufferPointer(embedded.buffer))
    }

    /// ``lookUp(_:)``, and for the provider the model's prefix when no level names one.
    private func lookUp(_ source: ValueSource, in line: UnsafeRawBufferPointer) -> JSONValueSpan? {
        if let span = lookUp(source) { return span }
        guard source.derivesFromModel, let model = lookUp(modelSource), model.kind == .string else { return nil }
        return Self.prefixBeforeSlash(model, in: line)
    }

    /// The span of a string's content before its first `/`, as a string span whose last byte
    /// (the slash, or the backslash of an escaped `\/`) stands in for the closing quote; nil
    /// when there is no slash or nothing before it.
    static func prefixBeforeSlash(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer) -> JSONValueSpan? {
        var index = Int(span.start) + 1
        let end = Int(span.end) - 1
        var escaped = false
        while index < end {
            let byte = line[index]
            if escaped {
                escaped = false
                if byte == UInt8(ascii: "/") { index -= 1; break }  // `\/`: end before the backslash
                if byte == UInt8(ascii: "u") { index += 4 }
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "/") {
                break
            }
            index += 1
        }
        guard index < end, index > Int(span.start) + 1 else { return nil }
        return JSONValueSpan(start: span.start, end: Int32(index + 1), kind: .string, hasEscapes: span.hasEscapes)
    }

    /// A value that counts: not null, not the empty string.
    @inline(__always)
    func nonNull(_ span: JSONValueSpan?) -> JSONValueSpan? {
        guard let span, span.kind != .null, span.kind != .string || span.end &- span.start > 2 else { return nil }
        return span
    }

    /// The dedup key of an id value: a string's unescaped content, or any other value's text;
    /// nil for an empty string.
    private func requestKey(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer) -> UInt64? {
        var start = Int(span.start), end = Int(span.end)
        if span.kind == .string {
            start += 1
            end -= 1
            guard end > start else { return nil }
            if span.hasEscapes {
                let body = UnsafeRawBufferPointer(rebasing: line[start..<end])
                return withUnsafeTemporaryAllocation(byteCount: body.count, alignment: 8) { scratch in
                    JSONString.unescape(body, into: scratch).map { RequestID.key(UnsafeRawBufferPointer(rebasing: scratch[0..<$0])) }
                }
            }
        }
        return RequestID.key(UnsafeRawBufferPointer(rebasing: line[start..<end]))
    }

    // MARK: - String comparisons

    /// The content of a string span, unescaped into the scratch buffer when needed; nil when
    /// it does not fit (then it cannot equal any short constant).
    private func content(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let body = UnsafeRawBufferPointer(rebasing: line[Int(span.start + 1)..<Int(span.end - 1)])
        guard span.hasEscapes else { return body }
        guard let length = JSONString.unescape(body, into: scratch) else { return nil }
        return UnsafeRawBufferPointer(rebasing: scratch[0..<length])
    }

    private func stringContent(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer, equals constant: StaticString) -> Bool {
        guard let text = content(span, in: line), text.count == constant.utf8CodeUnitCount else { return false }
        return memoryEqual(text.baseAddress!.assumingMemoryBound(to: UInt8.self), constant.utf8Start, text.count)
    }

    private func stringContent(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer, hasPrefix prefix: StaticString) -> Bool {
        guard let text = content(span, in: line), text.count >= prefix.utf8CodeUnitCount else { return false }
        return memoryEqual(text.baseAddress!.assumingMemoryBound(to: UInt8.self), prefix.utf8Start, prefix.utf8CodeUnitCount)
    }
}

/// ``BadLine`` as an `Error`, so extraction can use `try`.
struct BadLineError: Error {
    var badLine: BadLine
    init(_ badLine: BadLine) { self.badLine = badLine }
}
