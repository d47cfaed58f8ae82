import CScanKernels

/// The kind of a JSON value.
public enum JSONKind: UInt8, Sendable {
    case object = 1, array, string, number, `true`, `false`, null
}

/// Where a recorded value sits in the scanned line: bytes `start ..< end`.
///
/// For a string, the range includes the quotes and `hasEscapes` says whether the content
/// holds any `\` escape (so it can be used as is when it does not).
public struct JSONValueSpan: Sendable, Equatable {
    public var start: Int32
    public var end: Int32
    public var kind: JSONKind
    public var hasEscapes: Bool

    public init(start: Int32, end: Int32, kind: JSONKind, hasEscapes: Bool = false) {
        self.start = start
        self.end = end
        self.kind = kind
        self.hasEscapes = hasEscapes
    }
}

/// Why a line is not one valid JSON value.
public struct JSONScanFailure: Error, Sendable, Equatable {
    /// The three ways a line fails the scanner; each is a bad-line reason.
    public enum Kind: Sendable, Equatable {
        case invalidUTF8, invalidJSON, tooDeep
    }

    /// What exactly was wrong, for the one-line message.
    public enum Problem: UInt8, Sendable, Equatable {
        case unexpectedEnd, unexpectedCharacter, trailingData, leadingZero, missingDigits
        case invalidEscape, controlCharacter, invalidLiteral, expectedKey, expectedColon
        case expectedCommaOrEndOfObject, expectedCommaOrEndOfArray, invalidUTF8, tooDeep
    }

    public var kind: Kind
    /// Byte offset in the line (0-based).
    public var offset: Int
    public var problem: Problem

    /// A short description such as `unexpected character 'N' at byte 9`.
    public var message: String {
        let what: String
        switch problem {
        case .unexpectedEnd: what = "the line ends inside a JSON value"
        case .unexpectedCharacter: what = "unexpected character"
        case .trailingData: what = "more data after the JSON value"
        case .leadingZero: what = "number with a leading zero"
        case .missingDigits: what = "number without digits"
        case .invalidEscape: what = "invalid escape in string"
        case .controlCharacter: what = "unescaped control character in string"
        case .invalidLiteral: what = "invalid literal (true, false or null expected)"
        case .expectedKey: what = "object key (a string) expected"
        case .expectedColon: what = "':' expected after object key"
        case .expectedCommaOrEndOfObject: what = "',' or '}' expected"
        case .expectedCommaOrEndOfArray: what = "',' or ']' expected"
        case .invalidUTF8: what = "invalid UTF-8"
        case .tooDeep: what = "nesting deeper than the limit"
        }
        return "\(what) at byte \(offset + 1)"
    }
}

/// A validating JSON scanner over bytes that records the values of planned paths.
///
/// It accepts exactly RFC 8259 JSON text in UTF-8: one value, optional surrounding whitespace,
/// no `NaN`, no leading zeros or `+`, no unescaped control characters, no invalid UTF-8
/// (overlong forms, surrogates and code points above U+10FFFF included), nesting no deeper than
/// ``maxDepth`` counting every object and array. Object keys on planned paths are compared
/// after unescaping (`input\u005ftokens` is `input_tokens`); for a key that appears twice, the
/// last value wins, as in Python, jq and Go, and ``sawDuplicateKey`` is set.
///
/// One scanner per thread: it owns its buffers and allocates nothing per line. String bodies
/// are checked 16 and 64 bytes at a time (SIMD, in C) for `"`, `\`, control characters and
/// non-ASCII bytes, which are the only bytes that need a closer look; with AVX2, a line that
/// is valid UTF-8 as a whole has its bodies checked without looking at non-ASCII bytes; objects
/// and arrays that no planned path goes into are checked and skipped by one C loop (see
/// ``FastPaths`` and `docs/architecture.md`, *The decoding hot path*).
public final class JSONScanner {
    /// Default nesting limit (objects and arrays, counted together); see `docs/cli.md`.
    public static let defaultMaxDepth = 256
    /// Longest object key compared against planned keys after unescaping; longer keys cannot
    /// be planned keys.
    static let keyScratchCapacity = 256

    /// The compiled paths.
    public let plan: CapturePlan
    /// Deepest nesting accepted.
    public let maxDepth: Int
    /// Whether the last scan saw a planned key twice in one object.
    @exclusivity(unchecked) public private(set) var sawDuplicateKey = false

    private struct Slot {
        var generation: UInt32
        var start: Int32
        var end: Int32
        var kind: JSONKind
        var hasEscapes: Bool
    }

    private struct Frame {
        var node: Int32
        var index: Int32
        var isArray: Bool
    }

    private let slots: UnsafeMutablePointer<Slot>
    private let stack: UnsafeMutablePointer<Frame>
    private let keyScratch: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var generation: UInt32 = 0
    /// Whether lines are checked as UTF-8 as a whole first (see ``FastPaths/prevalidation``).
    private let prevalidates: Bool
    /// Whether unplanned containers are skipped in C (see ``FastPaths/containerSkipping``).
    private let skipsContainers: Bool
    /// How many times the last scan found a container it could not skip (at most once: it
    /// then scans the rest of the line its own way); for the tests.
    @exclusivity(unchecked) private(set) var skipFailures = 0

    /// Ways of scanning faster that change no result: a line's result, error kind and offset,
    /// and every planned value are the same with any set of them (the tests and the decoder
    /// fuzz target compare them all against none).
    public struct FastPaths: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// Check each line as UTF-8 as a whole first, 32 bytes at a time, and then scan the
        /// string bodies of valid lines 64 bytes at a time without looking at their non-ASCII
        /// bytes (``tokentally_scan_validated_string``). Only on CPUs with AVX2.
        public static let prevalidation = FastPaths(rawValue: 1 << 0)
        /// Skip an object or array that no planned path goes into with
        /// ``tokentally_skip_container``, which checks it and finds its end in one tight loop;
        /// when it finds a problem, the scanner scans the same bytes its own way.
        public static let containerSkipping = FastPaths(rawValue: 1 << 1)

        public static let all: FastPaths = [.prevalidation, .containerSkipping]
    }

    public init(plan: CapturePlan, maxDepth: Int = defaultMaxDepth, fastPaths: FastPaths = .all) {
        precondition(maxDepth >= 1)
        self.plan = plan
        self.maxDepth = maxDepth
        prevalidates = fastPaths.contains(.prevalidation) && tokentally_validated_path_available() != 0
        skipsContainers = fastPaths.contains(.containerSkipping)
        slots = .allocate(capacity: plan.nodeCount)
        slots.initialize(repeating: Slot(generation: 0, start: 0, end: 0, kind: .null, hasEscapes: false), count: plan.nodeCount)
        stack = .allocate(capacity: maxDepth + 1)
        keyScratch = .allocate(capacity: Self.keyScratchCapacity)
    }

    deinit {
        slots.deallocate()
        stack.deallocate()
        keyScratch.deallocate()
    }

    /// The value recorded for `node` by the last scan, if the line had one (after a failed scan,
    /// only what was recorded before the failure: callers must not use it).
    @inline(__always)
    public func value(_ node: Int32) -> JSONValueSpan? {
        guard node >= 0 else { return nil }
        let slot = slots[Int(node)]
        guard slot.generation == generation else { return nil }
        return JSONValueSpan(start: slot.start, end: slot.end, kind: slot.kind, hasEscapes: slot.hasEscapes)
    }

    /// Validates `line` as one JSON value and records the planned values.
    ///
    /// - Returns: the kind of the root value, or why the line is not valid JSON.
    public func scan(_ line: UnsafeRawBufferPointer) -> Result<JSONKind, JSONScanFailure> {
        generation &+= 1
        if generation == 0 {
            // Wrapped after 2³² lines: forget every old record once.
            for index in 0..<plan.nodeCount { slots[index].generation = 0 }
            generation = 1
        }
        sawDuplicateKey = false
        skipFailures = 0
        guard let base = line.baseAddress, line.count > 0 else {
            return .failure(JSONScanFailure(kind: .invalidJSON, offset: 0, problem: .unexpectedEnd))
        }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let validUTF8 = prevalidates && tokentally_utf8_valid(p, line.count) != 0
        return scanValue(p, line.count, validUTF8: validUTF8)
    }

    // MARK: - The scanning loop

    private enum State { case value, afterValue, key }

    /// `validUTF8`: the whole line is known to be valid UTF-8.
    private func scanValue(_ p: UnsafePointer<UInt8>, _ n: Int, validUTF8: Bool) -> Result<JSONKind, JSONScanFailure> {
        var i = skipWhitespace(p, 0, n)
        var depth = 0
        var node: Int32 = CapturePlan.root
        var state = State.value
        let generation = self.generation
        var rootKind = JSONKind.null
        var skipping = skipsContainers

        @inline(__always) func fail(_ kind: JSONScanFailure.Kind, _ offset: Int, _ problem: JSONScanFailure.Problem) -> Result<JSONKind, JSONScanFailure> {
            .failure(JSONScanFailure(kind: kind, offset: offset, problem: problem))
        }

        while true {
            switch state {
            case .value:
                guard i < n else { return fail(.invalidJSON, i, .unexpectedEnd) }
                let c = p[i]
                if depth == 0 { rootKind = Self.kind(startingWith: c) }
                if node < 0 && (c == UInt8(ascii: "{") || c == UInt8(ascii: "[")) && skipping {
                    let end = tokentally_skip_container(p, i, n, maxDepth - depth, validUTF8 ? 1 : 0)
                    if end != TOKENTALLY_NOT_SKIPPED {
                        i = Int(end)
                        state = .afterValue
                        continue
                    }
                    // Not for the containers inside it, nor the rest of the line: a defect deep
                    // in nested containers would otherwise be reached again from each level.
                    skipping = false
                    skipFailures += 1
                }
                switch c {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isArray = c == UInt8(ascii: "[")
                    guard depth < maxDepth else { return fail(.tooDeep, i, .tooDeep) }
                    if node >= 0 { open(node, at: i, kind: isArray ? .array : .object, generation) }
                    stack[depth] = Frame(node: node, index: 0, isArray: isArray)
                    depth += 1
                    i = skipWhitespace(p, i + 1, n)
                    guard i < n else { return fail(.invalidJSON, i, .unexpectedEnd) }
                    if p[i] == (isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                        i += 1
                        depth -= 1
                        if node >= 0 { slots[Int(node)].end = Int32(i) }
                        state = .afterValue
                    } else if isArray {
                        node = node >= 0 ? plan.child(of: node, index: 0) : -1
                        state = .value
                    } else {
                        state = .key
                    }
                case UInt8(ascii: "\""):
                    var hasEscapes = false
                    let end = scanString(p, i + 1, n, validUTF8, &hasEscapes)
                    guard end.problem == nil else { return fail(end.kind, end.index, end.problem!) }
                    if node >= 0 {
                        open(node, at: i, kind: .string, generation)
                        slots[Int(node)].end = Int32(end.index)
                        slots[Int(node)].hasEscapes = hasEscapes
                    }
                    i = end.index
                    state = .afterValue
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    let end = scanNumber(p, i, n)
                    guard end.problem == nil else { return fail(.invalidJSON, end.index, end.problem!) }
                    if node >= 0 {
                        open(node, at: i, kind: .number, generation)
                        slots[Int(node)].end = Int32(end.index)
                    }
                    i = end.index
                    state = .afterValue
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    let literal: StaticString = c == UInt8(ascii: "t") ? "true" : c == UInt8(ascii: "f") ? "false" : "null"
                    let length = literal.utf8CodeUnitCount
                    guard i + length <= n, memoryEqual(p + i, literal.utf8Start, length) else {
                        return fail(.invalidJSON, i, .invalidLiteral)
                    }
                    if node >= 0 {
                        open(node, at: i, kind: c == UInt8(ascii: "t") ? .true : c == UInt8(ascii: "f") ? .false : .null, generation)
                        slots[Int(node)].end = Int32(i + length)
                    }
                    i += length
                    state = .afterValue
                default:
                    if tokentally_is_whitespace(c) != 0 {
                        i = skipWhitespace(p, i, n)
                        continue
                    }
                    if c >= 0x80 && utf8SequenceLength(p, i, n) == 0 { return fail(.invalidUTF8, i, .invalidUTF8) }
                    return fail(.invalidJSON, i, .unexpectedCharacter)
                }

            // Whitespace is skipped only where the expected byte is not found, so compact JSON
            // (the common case) costs no whitespace checks.
            case .afterValue:
                guard depth > 0 else {
                    i = skipWhitespace(p, i, n)
                    if i != n {
                        if p[i] >= 0x80 && utf8SequenceLength(p, i, n) == 0 { return fail(.invalidUTF8, i, .invalidUTF8) }
                        return fail(.invalidJSON, i, .trailingData)
                    }
                    return .success(rootKind)
                }
                guard i < n else { return fail(.invalidJSON, i, .unexpectedEnd) }
                let frame = stack[depth - 1]
                let c = p[i]
                if c == UInt8(ascii: ",") {
                    i += 1
                    if frame.isArray {
                        let index = frame.index &+ 1
                        stack[depth - 1].index = index
                        node = frame.node >= 0 ? plan.child(of: frame.node, index: index) : -1
                        state = .value
                    } else {
                        state = .key
                    }
                } else if c == (frame.isArray ? UInt8(ascii: "]") : UInt8(ascii: "}")) {
                    i += 1
                    depth -= 1
                    if frame.node >= 0 { slots[Int(frame.node)].end = Int32(i) }
                    state = .afterValue
                } else if tokentally_is_whitespace(c) != 0 {
                    i = skipWhitespace(p, i, n)
                } else {
                    if c >= 0x80 && utf8SequenceLength(p, i, n) == 0 { return fail(.invalidUTF8, i, .invalidUTF8) }
                    return fail(.invalidJSON, i, frame.isArray ? .expectedCommaOrEndOfArray : .expectedCommaOrEndOfObject)
                }

            case .key:
                guard i < n else { return fail(.invalidJSON, i, .unexpectedEnd) }
                guard p[i] == UInt8(ascii: "\"") else {
                    if tokentally_is_whitespace(p[i]) != 0 {
                        i = skipWhitespace(p, i, n)
                        continue
                    }
                    if p[i] >= 0x80 && utf8SequenceLength(p, i, n) == 0 { return fail(.invalidUTF8, i, .invalidUTF8) }
                    return fail(.invalidJSON, i, .expectedKey)
                }
                var hasEscapes = false
                let end = scanString(p, i + 1, n, validUTF8, &hasEscapes)
                guard end.problem == nil else { return fail(end.kind, end.index, end.problem!) }
                let parent = stack[depth - 1].node
                if parent >= 0 && plan.hasChildren(parent) {
                    node = lookUpKey(parent, p + i + 1, end.index - i - 2, hasEscapes)
                } else {
                    node = -1
                }
                i = end.index
                if i >= n || p[i] != UInt8(ascii: ":") {
                    i = skipWhitespace(p, i, n)
                    guard i < n else { return fail(.invalidJSON, i, .unexpectedEnd) }
                    guard p[i] == UInt8(ascii: ":") else { return fail(.invalidJSON, i, .expectedColon) }
                }
                i += 1
                state = .value
            }
        }
    }

    private static func kind(startingWith byte: UInt8) -> JSONKind {
        switch byte {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"): return .true
        case UInt8(ascii: "f"): return .false
        case UInt8(ascii: "n"): return .null
        default: return .number
        }
    }

    /// Records the start of a planned value; a second value for the same node means a
    /// duplicate key on its path, so everything recorded below the first one is forgotten.
    @inline(__always)
    private func open(_ node: Int32, at start: Int, kind: JSONKind, _ generation: UInt32) {
        let index = Int(node)
        if slots[index].generation == generation {
            sawDuplicateKey = true
            var descendant = index + 1
            let end = Int(plan.subtreeEnd[index])
            while descendant < end {
                slots[descendant].generation = 0
                descendant += 1
            }
        }
        slots[index] = Slot(generation: generation, start: Int32(start), end: Int32(start), kind: kind, hasEscapes: false)
    }

    /// Finds the planned child for a key, unescaping it first when needed.
    @inline(__always)
    private func lookUpKey(_ parent: Int32, _ key: UnsafePointer<UInt8>, _ length: Int, _ hasEscapes: Bool) -> Int32 {
        guard hasEscapes else { return plan.child(of: parent, key: key, length: length) }
        guard let unescapedLength = JSONString.unescape(
            UnsafeRawBufferPointer(start: key, count: length),
            into: UnsafeMutableRawBufferPointer(start: keyScratch, count: Self.keyScratchCapacity))
        else { return -1 }
        return plan.child(of: parent, key: keyScratch, length: unescapedLength)
    }

    // MARK: - Tokens

    private struct TokenEnd {
        var index: Int
        var problem: JSONScanFailure.Problem?
        var kind: JSONScanFailure.Kind = .invalidJSON
    }

    @inline(__always)
    private func skipWhitespace(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> Int {
        tokentally_skip_whitespace(p, start, n)
    }

    /// Scans a string body from just after its opening quote; returns the index just past
    /// the closing quote (the work is in C: ``tokentally_scan_string``, or
    /// ``tokentally_scan_validated_string`` when the line is known to be valid UTF-8).
    @inline(__always)
    private func scanString(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int, _ validUTF8: Bool, _ hasEscapes: inout Bool) -> TokenEnd {
        let scan = validUTF8 ? tokentally_scan_validated_string(p, start, n) : tokentally_scan_string(p, start, n)
        if scan.has_escapes != 0 { hasEscapes = true }
        let index = Int(scan.index)
        switch Int(scan.problem) {
        case TOKENTALLY_STRING_OK: return TokenEnd(index: index, problem: nil)
        case TOKENTALLY_STRING_UNEXPECTED_END: return TokenEnd(index: index, problem: .unexpectedEnd)
        case TOKENTALLY_STRING_INVALID_ESCAPE: return TokenEnd(index: index, problem: .invalidEscape)
        case TOKENTALLY_STRING_CONTROL_CHARACTER: return TokenEnd(index: index, problem: .controlCharacter)
        default: return TokenEnd(index: index, problem: .invalidUTF8, kind: .invalidUTF8)
        }
    }

    /// Scans a number (RFC 8259 grammar) starting at `start` (in C: ``tokentally_scan_number``,
    /// which the skipping loop shares).
    @inline(__always)
    private func scanNumber(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> TokenEnd {
        let scan = tokentally_scan_number(p, start, n)
        let index = Int(scan.index)
        switch Int(scan.problem) {
        case TOKENTALLY_NUMBER_OK: return TokenEnd(index: index, problem: nil)
        case TOKENTALLY_NUMBER_LEADING_ZERO: return TokenEnd(index: index, problem: .leadingZero)
        case TOKENTALLY_NUMBER_MISSING_DIGITS: return TokenEnd(index: index, problem: .missingDigits)
        default: return TokenEnd(index: index, problem: .unexpectedEnd)
        }
    }
}

/// Length of the valid UTF-8 sequence starting at `i` (Unicode Table 3-7), or 0 if invalid.
@inline(__always)
func utf8SequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
    let b0 = p[i]
    @inline(__always) func continuation(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
        i + k < n && p[i + k] >= low && p[i + k] <= high
    }
    switch b0 {
    case 0x00...0x7F:
        return 1
    case 0xC2...0xDF:
        return continuation(1) ? 2 : 0
    case 0xE0:
        return continuation(1, 0xA0) && continuation(2) ? 3 : 0
    case 0xE1...0xEC, 0xEE...0xEF:
        return continuation(1) && continuation(2) ? 3 : 0
    case 0xED:  // no UTF-16 surrogates
        return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0
    case 0xF0:
        return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0
    case 0xF1...0xF3:
        return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
    case 0xF4:  // nothing above U+10FFFF
        return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0
    default:  // continuation bytes, overlong leads C0 C1, F5...FF
        return 0
    }
}
