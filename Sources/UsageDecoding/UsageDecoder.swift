import TallyPrimitives

/// Stage 3: one line in, one ``LineOutcome`` out. Pure: the outcome depends on the line and
/// the configuration only.
///
/// The scanner validates the whole line and records the planned values (``UsageLayout``);
/// then the shapes are recognised, outermost level first:
///
/// 1. a Responses stream event (`type: "response.…"`): the terminal events `.completed`,
///    `.incomplete` and `.failed` carry usage at `response.usage`; every other event is
///    `no_usage`;
/// 2. a `usage` object with token counts at this level (the founding OpenRouter shape, a
///    Responses or Chat Completions body) — a `usage` object without any count, such as the
///    request option `{"include": true}`, is not usage;
/// 3. the same search in the containers `response`, `body`, `data`, in that order.
///
/// The first usage found is the line's only usage, so no line is counted twice.
///
/// One decoder per thread; after ``decode(_:)`` returns a record, ``value(_:)`` gives the
/// record's grouping values, valid until the next call. Nothing is allocated per line.
public final class UsageDecoder {
    /// What this decoder was built for.
    public let configuration: DecoderConfiguration
    private let layout: UsageLayout
    private let scanner: JSONScanner
    /// Where each configured value field is read.
    private let valueSources: UnsafeMutablePointer<ValueSource>
    private let valueCount: Int
    private let values: UnsafeMutablePointer<JSONValueSpan?>
    /// Level rows from the top down to the body holding the usage.
    private let path: UnsafeMutablePointer<Int>
    private var pathCount = 0
    private let scratch: UnsafeMutableRawBufferPointer
    private let timeOverride: Int32

    /// Where one value field is read: one node, or a level column tried level by level.
    private struct ValueSource {
        enum Kind { case node, innermostFirst, outermostFirst }
        var kind: Kind
        /// The node (`.node`) or the level column.
        var target: Int32
    }

    /// Levels in a path at most: the top, two containers, a stream event's `response`, and the
    /// level of a `--field usage=` pointer.
    private static let maxPath = 8

    public init(configuration: DecoderConfiguration) {
        self.configuration = configuration
        let layout = UsageLayout(configuration: configuration)
        self.layout = layout
        scanner = JSONScanner(plan: layout.plan, maxDepth: configuration.maxDepth)
        timeOverride = layout.overrides[.time] ?? -1
        valueCount = configuration.valueFields.count
        valueSources = .allocate(capacity: max(valueCount, 1))
        for (index, field) in configuration.valueFields.enumerated() {
            let source: ValueSource
            switch field {
            case .model:
                source = layout.overrides[.model].map { ValueSource(kind: .node, target: $0) }
                    ?? ValueSource(kind: .innermostFirst, target: Int32(UsageLayout.LevelColumn.model))
            case .key:
                source = layout.overrides[.key].map { ValueSource(kind: .node, target: $0) }
                    ?? ValueSource(kind: .outermostFirst, target: Int32(UsageLayout.LevelColumn.apiKey))
            case .status:
                source = layout.overrides[.status].map { ValueSource(kind: .node, target: $0) }
                    ?? ValueSource(kind: .innermostFirst, target: Int32(UsageLayout.LevelColumn.status))
            case .custom(let name):
                source = ValueSource(kind: .node, target: layout.customNodes[name] ?? -1)
            }
            (valueSources + index).initialize(to: source)
        }
        values = .allocate(capacity: max(valueCount, 1))
        values.initialize(repeating: nil, count: max(valueCount, 1))
        path = .allocate(capacity: Self.maxPath)
        scratch = .allocate(byteCount: 64, alignment: 8)
    }

    deinit {
        valueSources.deallocate()
        values.deallocate()
        path.deallocate()
        scratch.deallocate()
    }

    /// The value of `configuration.valueFields[index]` for the last record (nil when absent or null).
    @inline(__always)
    public func value(_ index: Int) -> JSONValueSpan? { values[index] }

    /// Decodes one line (without its line terminator).
    public func decode(_ line: UnsafeRawBufferPointer) -> LineOutcome {
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

        let usage: Int
        if layout.usageOverride >= 0 {
            push(0)
            let level = layout.usageOverrideLevel
            if level >= 0, scanner.value(layout.level(level, UsageLayout.LevelColumn.node))?.kind == .object {
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

        var record = UsageRecord()
        if let bad = extract(usage: usage, in: line, into: &record) { return .bad(bad) }
        warnings.formUnion(record.warnings)

        // Time: the first readable key, outermost level first.
        var sawTime = false
        if timeOverride >= 0 {
            if let span = scanner.value(timeOverride), span.kind != .null {
                sawTime = true
                record.time = TimestampParser.seconds(of: span, in: line)
            }
        } else {
            outer: for step in 0..<pathCount {
                for key in 0..<UsageLayout.timeKeys.count {
                    let node = layout.level(path[step], UsageLayout.LevelColumn.timeKeys + key)
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
        record.warnings = warnings

        for index in 0..<valueCount { values[index] = lookUp(valueSources[index]) }
        if let id = lookUp(ValueSource(kind: .innermostFirst, target: Int32(UsageLayout.LevelColumn.id))) {
            record.dedupKey = requestKey(id, in: line)
        }
        return .record(record)
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

        // A Responses stream event decides by its type alone.
        if let type = scanner.value(layout.level(level, Column.type)), type.kind == .string,
            stringContent(type, in: line, hasPrefix: "response.")
        {
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

        let usage = Int(layout.level(level, Column.usage))
        if let span = scanner.value(layout.usage(usage, UsageLayout.UsageColumn.node)) {
            switch span.kind {
            case .object:
                if looksLikeUsage(usage) { return .found(usage) }
            case .null:
                break
            default:
                return .bad(notAnObject(layout.usageNames[usage]))
            }
        }

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

    /// A usage object has at least one token count; `{"include": true}` does not.
    private func looksLikeUsage(_ row: Int) -> Bool {
        for column in UsageLayout.UsageColumn.input..<UsageLayout.UsageColumn.cost
        where scanner.value(layout.usage(row, column)) != nil {
            return true
        }
        return false
    }

    private func notAnObject(_ name: String) -> BadLine {
        BadLine(reason: .badUsage, detail: .usage(field: name, problem: .notAnObject))
    }

    // MARK: - Reading the counts

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
        for spelling in 0..<spellings {
            guard let span = scanner.value(layout.usage(row, column + spelling)) else { continue }
            let problem: UsageProblem
            switch span.kind {
            case .null:
                sawNull = true
                continue
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
            throw BadLineError(BadLine(reason: .badUsage, detail: .usage(field: name(spelling), problem: problem)))
        }
        if required {
            throw BadLineError(BadLine(reason: .badUsage, detail: .usage(field: name(0), problem: sawNull ? .null : .missing)))
        }
        return nil
    }

    /// Which of a usage row's details objects (from `column`, three spellings) is present and
    /// not null; -1 when none.
    private func details(usage row: Int, column: Int, names: [String]) throws(BadLineError) -> Int {
        for spelling in 0..<names.count {
            guard let span = scanner.value(layout.usage(row, column + spelling)), span.kind != .null else { continue }
            guard span.kind == .object else {
                throw BadLineError(notAnObject(layout.name(usage: row, names[spelling])))
            }
            return spelling
        }
        return -1
    }

    /// Fills `record`'s counts and cost from a usage row; returns the problem if any.
    private func extract(usage row: Int, in line: UnsafeRawBufferPointer, into record: inout UsageRecord) -> BadLine? {
        typealias Column = UsageLayout.UsageColumn
        let layout = self.layout
        do throws(BadLineError) {
            var fractional = false
            let input = try readCount(
                usage: row, column: Column.input, spellings: 3, required: true, in: line, fractional: &fractional,
                name: { layout.name(usage: row, UsageLayout.inputNames[$0]) }) ?? .zero
            let output = try readCount(
                usage: row, column: Column.output, spellings: 3, required: true, in: line, fractional: &fractional,
                name: { layout.name(usage: row, UsageLayout.outputNames[$0]) }) ?? .zero
            let total = try readCount(
                usage: row, column: Column.total, spellings: 2, required: false, in: line, fractional: &fractional,
                name: { layout.name(usage: row, UsageLayout.totalNames[$0]) })

            var cached = ExactDecimal.zero, cacheWrite = ExactDecimal.zero, reasoning = ExactDecimal.zero
            let inputDetails = try details(usage: row, column: Column.inputDetails, names: UsageLayout.inputDetailsNames)
            if inputDetails >= 0 {
                let detailsName = UsageLayout.inputDetailsNames[inputDetails]
                cached = try readCount(
                    usage: row, column: Column.cached + 2 * inputDetails, spellings: 2, required: false, in: line,
                    fractional: &fractional, name: { layout.name(usage: row, detailsName, UsageLayout.cachedNames[$0]) }) ?? .zero
                cacheWrite = try readCount(
                    usage: row, column: Column.cacheWrite + 2 * inputDetails, spellings: 2, required: false, in: line,
                    fractional: &fractional, name: { layout.name(usage: row, detailsName, UsageLayout.cacheWriteNames[$0]) }) ?? .zero
            }
            let outputDetails = try details(usage: row, column: Column.outputDetails, names: UsageLayout.outputDetailsNames)
            if outputDetails >= 0 {
                let detailsName = UsageLayout.outputDetailsNames[outputDetails]
                reasoning = try readCount(
                    usage: row, column: Column.reasoning + 2 * outputDetails, spellings: 2, required: false, in: line,
                    fractional: &fractional, name: { layout.name(usage: row, detailsName, UsageLayout.reasoningNames[$0]) }) ?? .zero
            }
            // Cost is a measure of its own: a fractional cost is normal, not a warning.
            var fractionalCost = false
            let cost = try readCount(
                usage: row, column: Column.cost, spellings: 1, required: false, in: line, fractional: &fractionalCost,
                name: { _ in layout.name(usage: row, "cost") })

            var sum = input
            guard sum.add(output) else {
                return BadLine(reason: .badUsage, detail: .usage(field: layout.name(usage: row, "total_tokens"), problem: .outOfRange))
            }
            record.inputTokens = input
            record.outputTokens = output
            record.cachedInputTokens = cached
            record.cacheWriteTokens = cacheWrite
            record.reasoningTokens = reasoning
            record.totalTokens = total ?? sum
            record.costUSD = cost
            if let total, total != sum { record.warnings.insert(.totalMismatch) }
            if fractional { record.warnings.insert(.fractionalCount) }
            if cached > input { record.warnings.insert(.cachedExceedsInput) }
            if reasoning > output { record.warnings.insert(.reasoningExceedsOutput) }
            return nil
        } catch {
            return error.badLine
        }
    }

    // MARK: - Values

    private func lookUp(_ source: ValueSource) -> JSONValueSpan? {
        switch source.kind {
        case .node:
            return nonNull(scanner.value(source.target))
        case .innermostFirst:
            var step = pathCount
            while step > 0 {
                step -= 1
                if let span = nonNull(scanner.value(layout.level(path[step], Int(source.target)))) { return span }
            }
            return nil
        case .outermostFirst:
            for step in 0..<pathCount {
                if let span = nonNull(scanner.value(layout.level(path[step], Int(source.target)))) { return span }
            }
            return nil
        }
    }

    @inline(__always)
    private func nonNull(_ span: JSONValueSpan?) -> JSONValueSpan? {
        guard let span, span.kind != .null else { return nil }
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
