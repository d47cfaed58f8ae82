/// Which record shape a line was read as, and where each field came from: what
/// `tokentally inspect` reports. Computed on request after a record, never on the hot path.
public struct RecordMatch: Sendable, Equatable {
    /// The shape (PRODUCT.md, *Record shapes*).
    public var shape: RecordShape
    /// The JSON Pointer of the wrapper's container holding the body (`/response`), or nil when
    /// the body is the line itself.
    public var wrapper: String?
    /// For each field found on the line (`usage`, `time`, `model`, `key`, `user`, `provider`,
    /// `status`, `id`, `cost`, and custom fields by name): the JSON Pointer it was read from.
    /// A provider taken from the model id reads `<model pointer> (prefix)`; a value inside a
    /// JSON-encoded string reads as the `--field` pointer.
    public var pointers: [String: String]

    public init(shape: RecordShape, wrapper: String?, pointers: [String: String]) {
        self.shape = shape
        self.wrapper = wrapper
        self.pointers = pointers
    }
}

/// The record shapes tokentally recognises.
public enum RecordShape: String, Sendable, CaseIterable, Comparable {
    /// A `usage` object with Responses names (`input_tokens`), logged at the top level (the
    /// founding OpenRouter shape) or in any object that is not a Responses body.
    case usageObject = "usage_object"
    /// A Responses body (`object: "response"`).
    case responsesBody = "responses_body"
    /// A terminal Responses stream event (`response.completed`, …).
    case responsesStreamEvent = "responses_stream_event"
    /// A Chat Completions body or last stream chunk (`prompt_tokens` in `usage`).
    case chatCompletions = "chat_completions"
    /// An Anthropic Messages body (cache fields or `type: "message"`).
    case anthropicMessages = "anthropic_messages"
    /// A Gemini `generateContent` response (`usageMetadata`).
    case gemini = "gemini"
    /// A Claude Code transcript line (`type: "assistant"`, `message.usage`).
    case claudeCode = "claude_code"
    /// Flat counts on the line (LiteLLM standard logging payload or spend log, Helicone).
    case flatCounts = "flat_counts"
    /// The usage object at a `--field usage=` pointer.
    case fieldPointer = "field_pointer"

    /// A few words for people.
    public var title: String {
        switch self {
        case .usageObject: return "usage object (OpenRouter / OpenAI Responses names)"
        case .responsesBody: return "Responses body"
        case .responsesStreamEvent: return "Responses stream event"
        case .chatCompletions: return "Chat Completions body or final chunk"
        case .anthropicMessages: return "Anthropic Messages body"
        case .gemini: return "Gemini generateContent"
        case .claudeCode: return "Claude Code transcript line"
        case .flatCounts: return "flat counts (LiteLLM, Helicone)"
        case .fieldPointer: return "usage at --field usage="
        }
    }

    public static func < (lhs: RecordShape, rhs: RecordShape) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

extension UsageDecoder {
    /// What the last ``decode(_:)`` that returned a record read, and from where; nil when it
    /// returned no record. `line` must be the line that was decoded.
    public func lastMatch(line: UnsafeRawBufferPointer) -> RecordMatch? {
        typealias Column = UsageLayout.LevelColumn
        guard lastUsageRow >= 0, pathCount > 0 else { return nil }
        let usageLevel = path[pathCount - 1]
        let dialect = layout.dialect(ofUsage: lastUsageRow)
        var bodyLevel = usageLevel
        let shape: RecordShape
        if layout.usageOverride >= 0 {
            shape = .fieldPointer
            bodyLevel = 0
        } else if lastIsClaudeCode {
            shape = .claudeCode
            bodyLevel = 0
        } else if dialect == .gemini {
            shape = .gemini
        } else if dialect == .flat {
            shape = .flatCounts
        } else if lastIsAnthropic {
            shape = .anthropicMessages
        } else if pathCount >= 2, Int(layout.level(path[pathCount - 2], Column.responseLevel)) == usageLevel,
            let type = scanner.value(layout.level(path[pathCount - 2], Column.type)), type.kind == .string,
            text(type, in: line).hasPrefix("response.")
        {
            shape = .responsesStreamEvent
            bodyLevel = path[pathCount - 2]
        } else if let object = scanner.value(layout.level(usageLevel, Column.object)), object.kind == .string,
            text(object, in: line) == "response"
        {
            shape = .responsesBody
        } else if scanner.value(layout.usage(lastUsageRow, UsageLayout.UsageColumn.input + 2)) != nil
            || scanner.value(layout.usage(lastUsageRow, UsageLayout.UsageColumn.output + 2)) != nil
        {
            shape = .chatCompletions
        } else {
            shape = .usageObject
        }
        let bodyPath = layout.levelPaths[bodyLevel]

        var pointers: [String: String] = [:]
        pointers["usage"] = Self.pointerText(layout.usagePaths[lastUsageRow])
        if lastDetailsRow >= 0, lastDetailsRow != lastUsageRow {
            pointers["usage_details"] = Self.pointerText(layout.usagePaths[lastDetailsRow])
        }
        // Time, as decode() looks for it.
        if let time = layout.overrides[.time] {
            pointers["time"] = configuration.overrides[.time]?.description ?? Self.pointerText(layout.nodePaths[Int(time)])
        } else {
            outer: for step in 0..<pathCount {
                for key in 0..<UsageLayout.timeKeys.count {
                    let node = layout.level(path[step], Column.timeKeys + key)
                    if let span = scanner.value(node), span.kind != .null,
                        TimestampParser.seconds(of: span, in: line) != nil
                    {
                        pointers["time"] = Self.pointerText(layout.nodePaths[Int(node)])
                        break outer
                    }
                }
            }
        }
        func find(_ field: BuiltinField, _ kind: ValueSource.Kind, _ column: Int, _ count: Int) -> Int32? {
            if let override = configuration.overrides[field] {
                return layout.overrides[field].flatMap { scanner.value($0) == nil ? nil : $0 } ?? (pointerFound(override, line) ? -2 : nil)
            }
            return foundNode(ValueSource(kind: kind, target: Int32(column), count: Int32(count)))
        }
        let fields: [(String, BuiltinField, ValueSource.Kind, Int, Int)] = [
            ("model", .model, .innermostFirst, Column.model, UsageLayout.modelPaths.count),
            ("key", .key, .outermostFirst, Column.key, UsageLayout.keyPaths.count),
            ("user", .user, .outermostFirst, Column.user, UsageLayout.userPaths.count),
            ("provider", .provider, .outermostFirst, Column.provider, UsageLayout.providerPaths.count),
            ("status", .status, .innermostFirst, Column.status, UsageLayout.statusPaths.count),
        ]
        for (name, field, kind, column, count) in fields {
            guard let node = find(field, kind, column, count) else { continue }
            pointers[name] = node == -2 ? configuration.overrides[field]!.description : Self.pointerText(layout.nodePaths[Int(node)])
        }
        if pointers["provider"] == nil, configuration.overrides[.provider] == nil, let model = pointers["model"],
            let span = find(.model, .innermostFirst, Column.model, UsageLayout.modelPaths.count).flatMap({ scanner.value($0) }),
            span.kind == .string, Self.prefixBeforeSlash(span, in: line) != nil
        {
            pointers["provider"] = model + " (prefix)"
        }
        if let override = configuration.overrides[.id] {
            if pointerFound(override, line) { pointers["id"] = override.description }
        } else if lastIsClaudeCode {
            pointers["id"] = "/message/id + /requestId"
        } else if let node = foundNode(ValueSource(kind: .innermostFirst, target: Int32(Column.id), count: Int32(UsageLayout.idPaths.count))) {
            pointers["id"] = Self.pointerText(layout.nodePaths[Int(node)])
        }
        if let override = configuration.overrides[.cost] {
            if pointerFound(override, line) { pointers["cost"] = override.description }
        } else {
            let spellings = dialect == .flat ? UsageLayout.flatCostNames.count : 1
            for spelling in 0..<spellings {
                let node = layout.usage(lastUsageRow, UsageLayout.UsageColumn.cost + spelling)
                if nonNull(scanner.value(node)) != nil {
                    pointers["cost"] = Self.pointerText(layout.nodePaths[Int(node)])
                    break
                }
            }
        }
        for (name, pointer) in configuration.customFields where pointerFound(pointer, line) {
            pointers[name] = pointer.description
        }
        return RecordMatch(shape: shape, wrapper: bodyPath.isEmpty ? nil : Self.pointerText(bodyPath), pointers: pointers)
    }

    /// The node a level-column source found (mirrors ``lookUp(_:)``).
    private func foundNode(_ source: ValueSource) -> Int32? {
        let steps: [Int] = source.kind == .innermostFirst ? (0..<pathCount).reversed() : Array(0..<pathCount)
        for step in steps {
            for column in 0..<Int(source.count) {
                let node = layout.level(path[step], Int(source.target) + column)
                if nonNull(scanner.value(node)) != nil { return node }
            }
        }
        return nil
    }

    /// Whether a `--field` pointer has a value on the line (inside a JSON-encoded string too).
    private func pointerFound(_ pointer: JSONPointer, _ line: UnsafeRawBufferPointer) -> Bool {
        let field = configuration.customFields.first { $0.value == pointer }.map { ValueField.custom($0.key) }
        if let field, let index = configuration.valueFields.firstIndex(of: field) { return value(index) != nil }
        guard let node = layout.pointerNode(pointer) else { return false }
        if nonNull(scanner.value(node)) != nil { return true }
        guard let prefixes = layout.prefixNodes[node], !prefixes.isEmpty else { return false }
        let embedded = EmbeddedPointer(tokens: pointer.tokens, prefixNodes: prefixes, maxDepth: configuration.maxDepth)
        return nonNull(embedded.resolve(in: line, scanner: scanner)) != nil
    }

    private func text(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer) -> String {
        let body = UnsafeRawBufferPointer(rebasing: line[Int(span.start + 1)..<Int(span.end - 1)])
        return span.hasEscapes ? JSONString.text(of: body) : String(decoding: body, as: UTF8.self)
    }

    /// RFC 6901 text of a path.
    static func pointerText(_ path: [String]) -> String { JSONPointer(tokens: path).description }
}
