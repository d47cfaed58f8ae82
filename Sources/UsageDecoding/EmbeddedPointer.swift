/// A `--field` pointer that may run into a JSON-encoded string: LiteLLM's spend logs keep
/// `metadata` as a string holding a JSON object, so `/metadata/user_api_key_team_id` is
/// looked up inside the decoded string when `metadata` is a string.
///
/// Only consulted when the pointer's node is absent from a line and one of its prefixes is a
/// string, so lines that keep the value in plain JSON never reach it. One level of encoding
/// is followed (a string inside a string inside a string is not). Owned by one decoder.
final class EmbeddedPointer {
    /// The pointer's tokens from the root.
    let tokens: [String]
    /// Nodes of the pointer's proper prefixes, shortest first (`tokens[..<1]`, …).
    let prefixNodes: [Int32]
    /// The value's text lives here after ``resolve(in:scanner:)`` found it.
    private(set) var buffer: UnsafeMutableRawBufferPointer
    /// A scanner per split point `k` (the rest of the pointer, `tokens[k...]`), made on first use.
    private var scanners: [Int: (scanner: JSONScanner, node: Int32)] = [:]
    private let maxDepth: Int

    init(tokens: [String], prefixNodes: [Int32], maxDepth: Int) {
        self.tokens = tokens
        self.prefixNodes = prefixNodes
        self.maxDepth = maxDepth
        buffer = .allocate(byteCount: 256, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// The value inside the deepest present prefix of the pointer when that prefix is a
    /// string holding JSON; its span is relative to ``buffer``. Nil otherwise.
    func resolve(in line: UnsafeRawBufferPointer, scanner: JSONScanner) -> JSONValueSpan? {
        var split = prefixNodes.count
        while split > 0 {
            if let span = scanner.value(prefixNodes[split - 1]) {
                guard span.kind == .string else { return nil }  // present, and not text to decode
                return value(inString: span, line: line, rest: split)
            }
            split -= 1
        }
        return nil
    }

    private func value(inString span: JSONValueSpan, line: UnsafeRawBufferPointer, rest split: Int) -> JSONValueSpan? {
        let body = UnsafeRawBufferPointer(rebasing: line[Int(span.start + 1)..<Int(span.end - 1)])
        if buffer.count < body.count {
            buffer.deallocate()
            buffer = .allocate(byteCount: body.count, alignment: 8)
        }
        // Unescaped text is never longer than its escaped form.
        guard let length = span.hasEscapes ? JSONString.unescape(body, into: buffer) : copy(body) else { return nil }
        let inner: (scanner: JSONScanner, node: Int32)
        if let existing = scanners[split] {
            inner = existing
        } else {
            let plan = CapturePlan(paths: [Array(tokens[split...])])
            inner = (JSONScanner(plan: plan, maxDepth: maxDepth), plan.nodeIDs[0])
            scanners[split] = inner
        }
        let text = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<length])
        guard case .success = inner.scanner.scan(text) else { return nil }  // not JSON: no value
        return inner.scanner.value(inner.node)
    }

    private func copy(_ body: UnsafeRawBufferPointer) -> Int? {
        if let base = body.baseAddress, body.count > 0 { buffer.baseAddress!.copyMemory(from: base, byteCount: body.count) }
        return body.count
    }
}
