#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the generated logs look like and how much of them to make.
public struct LogGeneratorOptions: Sendable {
    /// Seed of the random sequence: the same options always give the same bytes.
    public var seed: UInt64 = 1
    /// First timestamp (Unix seconds); default 2026-11-01T00:00:00Z.
    public var start: Int64 = 1_793_491_200
    /// Days the log spans: a line's time is in proportion to its offset in the planned size.
    public var days: Int = 30
    /// The size the log is planned for (time is spread over it); the generator itself stops
    /// wherever its caller stops asking for lines.
    public var plannedBytes: Int64 = 100 << 20

    public init() {}
}

/// The kinds of line in the mix (see `Benchmarks/README.md`, "The generated logs").
public enum LineKind: Int, CaseIterable, Sendable {
    /// `{"type":"response.output_text.delta",…}`: a stream event without usage (10 %).
    case streamDelta
    /// `{"id","model","created_at","usage":{…}}`: the founding shape logged bare (10 %).
    case bareUsage
    /// A gateway wrapper around a Chat Completions body (`prompt_tokens` usage) (25 %).
    case wrappedChat
    /// A gateway wrapper around a `response.completed` / `response.incomplete` event (15 %).
    case wrappedEvent
    /// A gateway wrapper around a Responses body (40 %).
    case wrappedResponse

    public var name: String {
        switch self {
        case .streamDelta: "stream delta (no usage)"
        case .bareUsage: "bare usage record"
        case .wrappedChat: "wrapper + Chat Completions body"
        case .wrappedEvent: "wrapper + response.completed/.incomplete event"
        case .wrappedResponse: "wrapper + Responses body"
        }
    }
}

/// Counts of what was generated.
public struct LineStatistics: Sendable {
    public var lines = 0
    public var bytes: Int64 = 0
    /// Lines per ``LineKind``, indexed by its raw value.
    public var byKind = [Int](repeating: 0, count: LineKind.allCases.count)
    /// Lines whose output count is a JSON string (tokentally: `bad_usage`).
    public var stringCounts = 0
    /// Lines cut in half (tokentally: `invalid_json`).
    public var truncated = 0
    /// Lines whose timestamp is epoch milliseconds (a number or a digit string).
    public var epochTimestamps = 0
}

/// Makes realistic LLM request-log lines, deterministically, at hundreds of MB/s.
///
/// Each call to ``appendLine(to:)`` appends one JSON line and its `\n`. The mix, the shapes
/// and the rates are listed in `Benchmarks/README.md`; everything random comes from one
/// ``SplitMix64`` seeded with ``LogGeneratorOptions/seed``.
public struct LogGenerator {
    public let options: LogGeneratorOptions
    public private(set) var statistics = LineStatistics()

    private var random: SplitMix64
    private let words: Vocabulary
    private let modelPick: PickTable
    private let keyPick: PickTable
    /// Model ids as bytes: plain, and with the `/` escaped as `\/` (PHP's default).
    private let modelBytes: [[UInt8]]
    private let escapedModelBytes: [[UInt8]]
    private let keyBytes: [[UInt8]]
    /// A few fixed system prompts (the same for every seed), in both encodings.
    private let systemPrompts: [(ascii: [UInt8], raw: [UInt8])]
    private let systemPick: PickTable
    /// The answers of the last few lines, for conversation history.
    private var recentOutputs = [[UInt8]](repeating: [], count: 4)
    /// The planned size, at least 1.
    private let plannedBytes: Int64
    private let span: Int64

    /// System prompts to choose from (Zipf-like popularity).
    static let systemPromptCount = 12

    public init(options: LogGeneratorOptions) {
        self.options = options
        random = SplitMix64(seed: options.seed)
        words = Vocabulary()
        modelPick = PickTable(count: Catalog.models.count, skew: Catalog.modelSkew)
        keyPick = PickTable(count: Catalog.keys.count, skew: Catalog.keySkew)
        modelBytes = Catalog.models.map { Array($0.id.utf8) }
        escapedModelBytes = Catalog.models.map { model in
            Array(model.id.utf8).flatMap { $0 == UInt8(ascii: "/") ? [UInt8(ascii: "\\"), $0] : [$0] }
        }
        keyBytes = Catalog.keys.map { Array($0.utf8) }
        var promptWriter = SystemPromptWriter(words: words)
        systemPrompts = (0..<Self.systemPromptCount).map { promptWriter.prompt(number: $0) }
        systemPick = PickTable(count: Self.systemPromptCount, skew: 1.0)
        plannedBytes = max(1, options.plannedBytes)
        span = Int64(max(1, options.days)) * 86_400
    }

    // MARK: - One line

    /// Appends the next line, with its `\n`.
    public mutating func appendLine(to out: ByteBuffer) {
        // A line's time is in proportion to where it starts in the planned size, so the log
        // spans exactly `days` whatever its lines' lengths (and wraps around beyond).
        let (high, low) = span.multipliedFullWidth(by: statistics.bytes)
        let seconds = options.start + plannedBytes.dividingFullWidth((high, low)).quotient % span
        let lineStart = out.count
        out.reserve(16 << 10)

        let kindRoll = random.below(1000)
        let kind: LineKind =
            kindRoll < 100 ? .streamDelta
            : kindRoll < 200 ? .bareUsage
            : kindRoll < 450 ? .wrappedChat
            : kindRoll < 600 ? .wrappedEvent : .wrappedResponse
        let damageRoll = random.below(1_000_000)
        let stringCount = damageRoll < 500 && kind != .streamDelta
        let truncate = damageRoll >= 500 && damageRoll < 1000
        // Half the lines are written as Python's json.dumps writes them by default (\u escapes).
        let ascii = random.chance(0.5)
        let model = modelPick.pick(&random)

        switch kind {
        case .streamDelta:
            out.append(#"{"type":"response.output_text.delta","sequence_number":"#)
            out.append(random.within(1...4000))
            out.append(#","item_id":"msg_"#)
            appendHex(40, to: out)
            out.append(#"","output_index":0,"content_index":0,"delta":""#)
            appendText(random.within(40...100), ascii: ascii, to: out)
            out.append(#""}"#)
        case .bareUsage:
            out.append(#"{"id":"gen-"#)
            out.append(UInt64(seconds))
            out.append(UInt8(ascii: "-"))
            appendBase62(20, to: out)
            out.append(#"","model":""#)
            appendModel(model, to: out)
            out.append(#"","created_at":"#)
            out.append(UInt64(seconds))
            out.append(#","usage":"#)
            appendUsage(model: model, chat: false, stringCount: stringCount, to: out)
            out.append(UInt8(ascii: "}"))
        case .wrappedChat, .wrappedEvent, .wrappedResponse:
            appendWrapperHead(seconds: seconds, model: model, stream: kind == .wrappedEvent, ascii: ascii, to: out)
            // The body was created when the request started; the gateway logs when it ended.
            let created = seconds - Int64(random.below(90))
            switch kind {
            case .wrappedChat:
                out.append(#"{"id":"chatcmpl-"#)
                appendBase62(29, to: out)
                out.append(#"","object":"chat.completion","created":"#)
                out.append(UInt64(created))
                out.append(#","model":""#)
                appendModel(model, to: out)
                out.append(#"","choices":[{"index":0,"message":{"role":"assistant","content":""#)
                appendAnswer(ascii: ascii, to: out)
                out.append(#""},"finish_reason":"stop"}],"usage":"#)
                appendUsage(model: model, chat: true, stringCount: stringCount, to: out)
                out.append(UInt8(ascii: "}"))
            case .wrappedEvent:
                let incomplete = random.chance(0.05)
                out.append(incomplete ? #"{"type":"response.incomplete","sequence_number":"# : #"{"type":"response.completed","sequence_number":"#)
                out.append(random.within(20...4000))
                out.append(#","response":"#)
                appendResponseBody(created: created, model: model, status: incomplete ? "incomplete" : "completed", ascii: ascii, stringCount: stringCount, to: out)
                out.append(UInt8(ascii: "}"))
            default:
                appendResponseBody(created: created, model: model, status: "completed", ascii: ascii, stringCount: stringCount, to: out)
            }
            out.append(UInt8(ascii: "}"))
        }

        if truncate {
            // Cut in half, at a UTF-8 character boundary: invalid JSON, valid UTF-8.
            var cut = lineStart + (out.count - lineStart) / 2
            while out.base[cut] & 0xC0 == 0x80 { cut -= 1 }
            out.count = cut
            statistics.truncated += 1
        }
        out.append(UInt8(ascii: "\n"))
        if stringCount && !truncate { statistics.stringCounts += 1 }
        statistics.lines += 1
        statistics.byKind[kind.rawValue] += 1
        statistics.bytes += Int64(out.count - lineStart)
    }

    // MARK: - Parts of a line

    /// `{"timestamp":…,"api_key":"…","request":{…},"response":` — the body follows.
    private mutating func appendWrapperHead(seconds: Int64, model: Int, stream: Bool, ascii: Bool, to out: ByteBuffer) {
        out.append(#"{"timestamp":"#)
        appendTimestamp(seconds, to: out)
        out.append(#","api_key":""#)
        let key = keyBytes[keyPick.pick(&random)]
        key.withUnsafeBufferPointer { out.append($0.baseAddress!, $0.count) }
        // The request names the model asked for: sometimes the router, not the model that answered.
        out.append(#"","request":{"model":""#)
        appendModel(random.chance(0.05) ? Catalog.routerIndex : model, plainOnly: true, to: out)
        out.append(#"","input":["#)
        // Most applications send the same system prompt with every request: in a real log
        // that repetition is much of what gzip finds.
        if random.chance(0.6) {
            out.append(#"{"role":"system","content":""#)
            let prompt = systemPrompts[systemPick.pick(&random)]
            let bytes = ascii ? prompt.ascii : prompt.raw
            bytes.withUnsafeBufferPointer { out.append($0.baseAddress!, $0.count) }
            out.append(#""},"#)
        }
        // A conversation re-sends its history: here, one earlier answer (from a recent line).
        if random.chance(0.35) {
            let earlier = recentOutputs[random.below(recentOutputs.count)]
            if !earlier.isEmpty {
                out.append(#"{"role":"assistant","content":""#)
                earlier.withUnsafeBufferPointer { out.append($0.baseAddress!, $0.count) }
                out.append(#""},"#)
            }
        }
        out.append(#"{"role":"user","content":""#)
        appendText(random.within(100...900), ascii: ascii, to: out)
        // The decoy: a request option named usage, which is not usage.
        out.append(#""}],"usage":{"include":true},"stream":"#)
        out.append(stream || random.chance(0.2) ? "true" : "false")
        out.append(#"},"response":"#)
    }

    /// A Responses API body (`object: "response"`).
    private mutating func appendResponseBody(
        created: Int64, model: Int, status: StaticString, ascii: Bool, stringCount: Bool, to out: ByteBuffer
    ) {
        out.append(#"{"id":"resp_"#)
        appendHex(48, to: out)
        out.append(#"","object":"response","created_at":"#)
        out.append(UInt64(created))
        out.append(#","status":""#)
        out.append(status)
        out.append(#"","model":""#)
        appendModel(model, to: out)
        out.append(#"","output":[{"type":"message","id":"msg_"#)
        appendHex(40, to: out)
        out.append(#"","role":"assistant","content":[{"type":"output_text","text":""#)
        appendAnswer(ascii: ascii, to: out)
        out.append(#"","annotations":[]}]}],"usage":"#)
        appendUsage(model: model, chat: false, stringCount: stringCount, to: out)
        out.append(UInt8(ascii: "}"))
    }

    /// A usage object: Responses (`input_tokens`, details, `cost`, `is_byok`) or Chat
    /// Completions (`prompt_tokens`, `completion_tokens`, details, `cost`).
    private mutating func appendUsage(model: Int, chat: Bool, stringCount: Bool, to out: ByteBuffer) {
        let input = random.within(20...59_999)
        let output = random.within(1...7_999)
        let cached = random.chance(0.4) ? random.below(input) : 0
        // Anthropic models report cache writes (inside input, like cached tokens).
        let cacheWrite = Catalog.models[model].id.hasPrefix("anthropic/") && random.chance(0.3)
            ? random.below(input - cached + 1) : nil
        let reasoning = random.chance(0.3) ? random.below(output) : 0
        let hasCost = !random.chance(0.03)
        let cents = Catalog.models[model].centsPerMillionInput
        let costUnits = UInt64(input * cents + output * cents * 4)  // × 10⁻⁸ USD

        func appendOutput() {
            if stringCount { out.append(UInt8(ascii: "\"")) }
            out.append(output)
            if stringCount { out.append(UInt8(ascii: "\"")) }
        }
        func appendInputDetails() {
            out.append(#"{"cached_tokens":"#)
            out.append(cached)
            if let cacheWrite {
                out.append(#","cache_write_tokens":"#)
                out.append(cacheWrite)
            }
            out.append(UInt8(ascii: "}"))
        }
        if chat {
            out.append(#"{"prompt_tokens":"#)
            out.append(input)
            out.append(#","completion_tokens":"#)
            appendOutput()
            out.append(#","total_tokens":"#)
            out.append(input + output)
            out.append(#","prompt_tokens_details":"#)
            appendInputDetails()
            out.append(#","completion_tokens_details":{"reasoning_tokens":"#)
            out.append(reasoning)
            out.append(UInt8(ascii: "}"))
            if hasCost {
                out.append(#","cost":"#)
                appendCost(costUnits, to: out)
            }
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(#"{"input_tokens":"#)
            out.append(input)
            out.append(#","input_tokens_details":"#)
            appendInputDetails()
            out.append(#","output_tokens":"#)
            appendOutput()
            out.append(#","output_tokens_details":{"reasoning_tokens":"#)
            out.append(reasoning)
            out.append(#"},"total_tokens":"#)
            out.append(input + output)
            if hasCost {
                out.append(#","cost":"#)
                appendCost(costUnits, to: out)
            }
            out.append(#","is_byok":false}"#)
        }
    }

    /// A cost of `units` × 10⁻⁸ USD as Python's `repr(float)` writes it: `0.01234567`,
    /// `1.5`, or below 10⁻⁴ in exponent form (`6.5e-05`).
    private func appendCost(_ units: UInt64, to out: ByteBuffer) {
        if units == 0 {
            out.append("0.0")
            return
        }
        if units < 10_000 {
            var mantissa = units
            var digits = 1
            var probe = units
            while probe >= 10 {
                probe /= 10
                digits += 1
            }
            while mantissa % 10 == 0 { mantissa /= 10 }
            // mantissa's digits, with a point after the first one.
            var text: [UInt8] = []
            var rest = mantissa
            repeat {
                text.append(UInt8(0x30 + rest % 10))
                rest /= 10
            } while rest > 0
            text.reverse()
            out.append(text[0])
            if text.count > 1 {
                out.append(UInt8(ascii: "."))
                for byte in text[1...] { out.append(byte) }
            }
            out.append("e-0")
            out.append(UInt64(8 - (digits - 1)))
            return
        }
        out.append(units / 100_000_000)
        out.append(UInt8(ascii: "."))
        var fraction = Int(units % 100_000_000)
        var width = 8
        while width > 1 && fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        out.append(fraction, width: width)
    }

    /// The wrapper's timestamp, in one of the styles gateways write:
    /// - 12 %: epoch milliseconds, a JSON number (`1793491200123`);
    /// - 1 %: epoch milliseconds as a digit string (`"1793491200123"`);
    /// - 25 %: JavaScript's `toISOString()` (`"2026-11-01T00:00:00.123Z"`);
    /// - 62 %: RFC 3339 with microseconds and an offset (`Z`, `+00:00`, `+01:00`, `-05:00`,
    ///   `+05:30`, `-08:00`), as Python's `isoformat()` writes it.
    private mutating func appendTimestamp(_ seconds: Int64, to out: ByteBuffer) {
        let style = random.below(100)
        if style < 13 {
            statistics.epochTimestamps += 1
            let milliseconds = UInt64(seconds) * 1000 + UInt64(random.below(1000))
            if style == 12 { out.append(UInt8(ascii: "\"")) }
            out.append(milliseconds)
            if style == 12 { out.append(UInt8(ascii: "\"")) }
            return
        }
        let offsets = [0, 0, 0, 0, 60, -300, 330, -480]
        let offsetIndex = style < 38 ? 0 : random.below(offsets.count)
        let offsetMinutes = offsets[offsetIndex]
        let local = seconds + Int64(offsetMinutes) * 60
        var days = local / 86_400
        var rest = local % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (year, month, day) = civil(days)
        out.append(UInt8(ascii: "\""))
        out.append(year, width: 4)
        out.append(UInt8(ascii: "-"))
        out.append(month, width: 2)
        out.append(UInt8(ascii: "-"))
        out.append(day, width: 2)
        out.append(UInt8(ascii: "T"))
        out.append(Int(rest / 3600), width: 2)
        out.append(UInt8(ascii: ":"))
        out.append(Int(rest / 60 % 60), width: 2)
        out.append(UInt8(ascii: ":"))
        out.append(Int(rest % 60), width: 2)
        out.append(UInt8(ascii: "."))
        if style < 38 {
            out.append(random.below(1000), width: 3)
            out.append("Z\"")
            return
        }
        out.append(random.below(1_000_000), width: 6)
        switch offsetIndex {
        case 0...2: out.append("Z")
        case 3: out.append("+00:00")
        default:
            out.append(UInt8(ascii: offsetMinutes < 0 ? "-" : "+"))
            out.append(abs(offsetMinutes) / 60, width: 2)
            out.append(UInt8(ascii: ":"))
            out.append(abs(offsetMinutes) % 60, width: 2)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A model id; in 2 % of bodies with its `/` escaped as `\/` (valid JSON, as PHP writes it).
    private mutating func appendModel(_ model: Int, plainOnly: Bool = false, to out: ByteBuffer) {
        let bytes = !plainOnly && random.chance(0.02) ? escapedModelBytes[model] : modelBytes[model]
        bytes.withUnsafeBufferPointer { out.append($0.baseAddress!, $0.count) }
    }

    /// The model's answer: 200–1000 bytes of text, remembered as conversation history for
    /// later lines.
    private mutating func appendAnswer(ascii: Bool, to out: ByteBuffer) {
        let start = out.count
        appendText(random.within(200...1000), ascii: ascii, to: out)
        let slot = statistics.lines % recentOutputs.count
        recentOutputs[slot].removeAll(keepingCapacity: true)
        recentOutputs[slot].append(contentsOf: UnsafeBufferPointer(start: out.base + start, count: out.count - start))
    }

    /// About `length` bytes of message text: words, spaces, and the odd escape.
    private mutating func appendText(_ length: Int, ascii: Bool, to out: ByteBuffer) {
        let end = out.count + length
        let starts = ascii ? words.asciiStart : words.rawStart
        let lengths = ascii ? words.asciiLength : words.rawLength
        var first = true
        while out.count < end {
            var bits = random.next()
            for _ in 0..<6 {
                let slot = Int(truncatingIfNeeded: bits) & (Vocabulary.tableSize - 1)
                bits >>= Vocabulary.tableBits
                if !first { out.append(UInt8(ascii: " ")) }
                first = false
                out.append(words.blob + Int(starts[slot]), Int(lengths[slot]))
                if out.count >= end { break }
            }
        }
    }

    private mutating func appendHex(_ count: Int, to out: ByteBuffer) {
        appendDigits(count, alphabet: Self.hexDigits, bits: 4, to: out)
    }

    private mutating func appendBase62(_ count: Int, to out: ByteBuffer) {
        appendDigits(count, alphabet: Self.base62Digits, bits: 6, to: out)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    /// 64 symbols (base62 and two repeats), so one pick is 6 bits.
    private static let base62Digits: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzAb".utf8)

    private mutating func appendDigits(_ count: Int, alphabet: [UInt8], bits: Int, to out: ByteBuffer) {
        var left = count
        let mask = UInt64(alphabet.count - 1)
        alphabet.withUnsafeBufferPointer { symbols in
            while left > 0 {
                var draw = random.next()
                for _ in 0..<min(left, 64 / bits) {
                    out.append(symbols[Int(draw & mask)])
                    draw >>= UInt64(bits)
                    left -= 1
                }
            }
        }
    }
}

/// Writes the fixed system prompts: 300–900 bytes of words each, from a seed of their own.
private struct SystemPromptWriter {
    let words: Vocabulary
    var random = SplitMix64(seed: 0x5157_454D)

    mutating func prompt(number: Int) -> (ascii: [UInt8], raw: [UInt8]) {
        let length = random.within(300...900)
        var ascii: [UInt8] = Array("You are assistant #\(number). ".utf8)
        var raw = ascii
        while raw.count < length {
            let slot = random.below(Vocabulary.tableSize)
            ascii += UnsafeBufferPointer(start: words.blob + Int(words.asciiStart[slot]), count: Int(words.asciiLength[slot]))
            raw += UnsafeBufferPointer(start: words.blob + Int(words.rawStart[slot]), count: Int(words.rawLength[slot]))
            ascii.append(UInt8(ascii: " "))
            raw.append(UInt8(ascii: " "))
        }
        return (ascii, raw)
    }
}

/// Picks an index in `0..<count` with Zipf-like weights `1 / (rank + 1)^skew`, from 12 random bits.
struct PickTable {
    static let bits = 12
    private let slots: [UInt8]

    init(count: Int, skew: Double) {
        let weights = (0..<count).map { 1 / pow(Double($0 + 1), skew) }
        let total = weights.reduce(0, +)
        var slots: [UInt8] = []
        var carried = 0.0
        for (index, weight) in weights.enumerated() {
            carried += weight / total * Double(1 << Self.bits)
            let wanted = max(1, Int(carried.rounded()) - slots.count)
            slots += repeatElement(UInt8(index), count: wanted)
        }
        while slots.count > 1 << Self.bits { slots.remove(at: 0) }
        while slots.count < 1 << Self.bits { slots.insert(0, at: 0) }
        self.slots = slots
    }

    @inline(__always)
    func pick(_ random: inout SplitMix64) -> Int {
        Int(slots[Int(truncatingIfNeeded: random.next() >> 52)])
    }
}

/// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
/// tokentally's `CivilTime` does the same; the generator keeps its own copy on purpose, so the
/// data it writes does not depend on the code it is used to measure and check.
func civil(_ days: Int64) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
}
