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
/// record's grouping values, valid until the next call.
public final class UsageDecoder {
    /// What this decoder was built for.
    public let configuration: DecoderConfiguration
    private let layout: UsageLayout
    private let scanner: JSONScanner
    /// Nodes for each configured value field, tried in order.
    private let valueCandidates: [ValueCandidates]
    private var values: [JSONValueSpan?]
    /// Levels from the top down to the body holding the usage.
    private var path: [Int] = []
    private let scratch: UnsafeMutableRawBufferPointer
    private let timeOverride: Int32?

    private enum ValueCandidates {
        case node(Int32)
        case levels(keyPath: KeyPath<UsageLayout.Level, Int32>, innermostFirst: Bool)
    }

    public init(configuration: DecoderConfiguration) {
        self.configuration = configuration
        layout = UsageLayout(configuration: configuration)
        scanner = JSONScanner(plan: layout.plan, maxDepth: configuration.maxDepth)
        timeOverride = layout.overrides[.time]
        valueCandidates = configuration.valueFields.map { [layout] field in
            switch field {
            case .model: return layout.overrides[.model].map(ValueCandidates.node) ?? .levels(keyPath: \.model, innermostFirst: true)
            case .key: return layout.overrides[.key].map(ValueCandidates.node) ?? .levels(keyPath: \.apiKey, innermostFirst: false)
            case .status: return layout.overrides[.status].map(ValueCandidates.node) ?? .levels(keyPath: \.status, innermostFirst: true)
            case .custom(let name): return .node(layout.customNodes[name] ?? -1)
            }
        }
        values = Array(repeating: nil, count: configuration.valueFields.count)
        path.reserveCapacity(8)
        scratch = .allocate(byteCount: 64, alignment: 8)
    }

    deinit { scratch.deallocate() }

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
        path.removeAll(keepingCapacity: true)

        let usage: UsageLayout.Usage
        if let override = layout.usageOverride {
            path.append(0)
            if let level = layout.usageOverrideLevel, scanner.value(layout.levels[level].node)?.kind == .object {
                path.append(level)  // the object holding the usage: its time, model, status
            }
            guard let span = scanner.value(override.node), span.kind != .null else { return .noUsage(warnings) }
            guard span.kind == .object else {
                return .bad(BadLine(reason: .badUsage, detail: .usage(field: override.name, problem: .notAnObject)))
            }
            usage = override
        } else {
            switch search(level: 0, in: line) {
            case .found(let found): usage = found
            case .none: return .noUsage(warnings)
            case .bad(let bad): return .bad(bad)
            }
        }

        var record = UsageRecord()
        switch extract(usage, in: line, into: &record) {
        case .some(let bad): return .bad(bad)
        case .none: break
        }
        warnings.formUnion(record.warnings)

        // Time: the first readable key, outermost level first.
        var sawTime = false
        if let timeNode = timeOverride {
            if let span = scanner.value(timeNode), span.kind != .null {
                sawTime = true
                record.time = TimestampParser.seconds(of: span, in: line)
            }
        } else {
            outer: for levelIndex in path {
                for node in layout.levels[levelIndex].timeKeys {
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

        for index in valueCandidates.indices {
            values[index] = lookUp(valueCandidates[index])
        }
        return .record(record)
    }

    // MARK: - Finding the usage

    private enum Search {
        case found(UsageLayout.Usage)
        case none
        case bad(BadLine)
    }

    private func search(level index: Int, in line: UnsafeRawBufferPointer) -> Search {
        let level = layout.levels[index]
        path.append(index)

        // A Responses stream event decides by its type alone.
        if let type = scanner.value(level.type), type.kind == .string,
            stringContent(type, in: line, hasPrefix: "response.")
        {
            guard UsageLayout.terminalEventTypes.contains(where: { stringContent(type, in: line, equals: $0) }),
                let responseIndex = level.responseLevel,
                let response = scanner.value(layout.levels[responseIndex].node), response.kind == .object
            else { return .none }
            path.append(responseIndex)
            let usage = layout.levels[responseIndex].usage
            guard let span = scanner.value(usage.node), span.kind != .null else { return .none }
            guard span.kind == .object else {
                return .bad(BadLine(reason: .badUsage, detail: .usage(field: usage.name, problem: .notAnObject)))
            }
            return .found(usage)
        }

        if let span = scanner.value(level.usage.node) {
            switch span.kind {
            case .object:
                if looksLikeUsage(level.usage) { return .found(level.usage) }
            case .null:
                break
            default:
                return .bad(BadLine(reason: .badUsage, detail: .usage(field: level.usage.name, problem: .notAnObject)))
            }
        }

        for container in level.containers {
            guard let span = scanner.value(layout.levels[container].node), span.kind == .object else { continue }
            // A container without usage may leave levels on the path (a stream event appends
            // its own and its `response`); drop them, so they lend no time or model to a body
            // found in a later container.
            let mark = path.count
            let result = search(level: container, in: line)
            if case .none = result {
                path.removeLast(path.count - mark)
                continue
            }
            return result
        }
        path.removeLast()
        return .none
    }

    /// A usage object has at least one token count; `{"include": true}` does not.
    private func looksLikeUsage(_ usage: UsageLayout.Usage) -> Bool {
        for node in usage.input.nodes where scanner.value(node) != nil { return true }
        for node in usage.output.nodes where scanner.value(node) != nil { return true }
        for node in usage.total.nodes where scanner.value(node) != nil { return true }
        return false
    }

    // MARK: - Reading the counts

    private enum Count {
        case absent
        case value(ExactDecimal, isFractional: Bool)
        case bad(BadLine)
    }

    /// The first present, non-null spelling of a count, checked.
    private func count(_ field: UsageLayout.CountField, in line: UnsafeRawBufferPointer, required: Bool) -> Count {
        var sawNull = false
        for (node, name) in zip(field.nodes, field.names) {
            guard let span = scanner.value(node) else { continue }
            let problem: UsageProblem
            switch span.kind {
            case .null:
                sawNull = true
                continue
            case .number:
                let text = UnsafeRawBufferPointer(rebasing: line[Int(span.start)..<Int(span.end)])
                switch ExactDecimal.parse(jsonNumber: text) {
                case .value(let value, let isFractional): return .value(value, isFractional: isFractional)
                case .negative: problem = .negative
                case .outOfRange: problem = .outOfRange
                case .invalid: problem = .notANumber
                }
            case .string: problem = .string
            case .true, .false: problem = .boolean
            case .object, .array: problem = .notANumber
            }
            return .bad(BadLine(reason: .badUsage, detail: .usage(field: name, problem: problem)))
        }
        if required {
            return .bad(BadLine(
                reason: .badUsage, detail: .usage(field: field.names[0], problem: sawNull ? .null : .missing)))
        }
        return .absent
    }

    /// A count's value; nil when absent and optional. Sets `fractional` for a fractional value.
    private func read(
        _ field: UsageLayout.CountField, in line: UnsafeRawBufferPointer, required: Bool, fractional: inout Bool
    ) throws(BadLineError) -> ExactDecimal? {
        switch count(field, in: line, required: required) {
        case .absent:
            return nil
        case .value(let value, let isFractional):
            if isFractional { fractional = true }
            return value
        case .bad(let bad):
            throw BadLineError(bad)
        }
    }

    /// The first present, non-null details object, or nil.
    private func details(_ candidates: [UsageLayout.Details]) throws(BadLineError) -> UsageLayout.Details? {
        for details in candidates {
            guard let span = scanner.value(details.node), span.kind != .null else { continue }
            guard span.kind == .object else {
                throw BadLineError(BadLine(reason: .badUsage, detail: .usage(field: details.name, problem: .notAnObject)))
            }
            return details
        }
        return nil
    }

    /// Fills `record`'s counts and cost from a usage object; returns the problem if any.
    private func extract(_ usage: UsageLayout.Usage, in line: UnsafeRawBufferPointer, into record: inout UsageRecord) -> BadLine? {
        do throws(BadLineError) {
            var fractional = false
            let input = try read(usage.input, in: line, required: true, fractional: &fractional) ?? .zero
            let output = try read(usage.output, in: line, required: true, fractional: &fractional) ?? .zero
            let total = try read(usage.total, in: line, required: false, fractional: &fractional)
            var cached = ExactDecimal.zero, cacheWrite = ExactDecimal.zero, reasoning = ExactDecimal.zero
            if let details = try details(usage.inputDetails) {
                cached = try read(details.counts[0], in: line, required: false, fractional: &fractional) ?? .zero
                cacheWrite = try read(details.counts[1], in: line, required: false, fractional: &fractional) ?? .zero
            }
            if let details = try details(usage.outputDetails) {
                reasoning = try read(details.counts[0], in: line, required: false, fractional: &fractional) ?? .zero
            }
            // Cost is a measure of its own: a fractional cost is normal, not a warning.
            var fractionalCost = false
            let cost = try read(usage.cost, in: line, required: false, fractional: &fractionalCost)

            var sum = input
            guard sum.add(output) else {
                return BadLine(reason: .badUsage, detail: .usage(field: usage.total.names[0], problem: .outOfRange))
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

    private func lookUp(_ candidates: ValueCandidates) -> JSONValueSpan? {
        switch candidates {
        case .node(let node):
            return nonNull(scanner.value(node))
        case .levels(let keyPath, let innermostFirst):
            if innermostFirst {
                for levelIndex in path.reversed() {
                    if let span = nonNull(scanner.value(layout.levels[levelIndex][keyPath: keyPath])) { return span }
                }
            } else {
                for levelIndex in path {
                    if let span = nonNull(scanner.value(layout.levels[levelIndex][keyPath: keyPath])) { return span }
                }
            }
            return nil
        }
    }

    @inline(__always)
    private func nonNull(_ span: JSONValueSpan?) -> JSONValueSpan? {
        guard let span, span.kind != .null else { return nil }
        return span
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

    private func stringContent(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer, equals constant: String) -> Bool {
        guard let text = content(span, in: line) else { return false }
        return text.elementsEqual(constant.utf8)
    }

    private func stringContent(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer, hasPrefix prefix: String) -> Bool {
        guard let text = content(span, in: line) else { return false }
        return text.starts(with: prefix.utf8)
    }
}

/// ``BadLine`` as an `Error`, so extraction can use `try`.
struct BadLineError: Error {
    var badLine: BadLine
    init(_ badLine: BadLine) { self.badLine = badLine }
}
