import UsageDecoding

/// A JSON value as a tree, for `inspect`'s look at the lines it samples; never on the
/// decoding path, which reads lines without building anything.
///
/// Objects are dictionaries: of a key that appears twice, the last value wins, as in the
/// decoder. Numbers are kept as written in the line, so a timestamp suggested from one is the
/// literal the log has.
enum JSONTree: Equatable {
    case object([String: JSONTree])
    case array([JSONTree])
    case string(String)
    /// The number's literal, as written.
    case number(String)
    case bool(Bool)
    case null

    /// The line as an object; nil when it is not one JSON object. `inspect` parses only lines
    /// the decoder found valid, so nil is for another value at the top, never a surprise.
    static func object(parsing line: UnsafeRawBufferPointer) -> [String: JSONTree]? {
        var parser = Parser(bytes: line)
        guard case .object(let members)? = parser.value(depth: 0), parser.isAtEnd else { return nil }
        return members
    }

    /// The members, when this is an object.
    var members: [String: JSONTree]? {
        if case .object(let members) = self { members } else { nil }
    }

    /// The text, when this is a string.
    var text: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// Nesting accepted: far more than the decoder accepts (``JSONScanner/defaultMaxDepth``),
    /// a bound on the recursion, never reached by a line the decoder found valid.
    static let maxDepth = 4096

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var isAtEnd: Bool {
            mutating get {
                skipWhitespace()
                return index == bytes.count
            }
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        /// Takes `byte` if it comes next (after whitespace).
        mutating func take(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func value(depth: Int) -> JSONTree? {
            skipWhitespace()
            guard index < bytes.count, depth < JSONTree.maxDepth else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [String: JSONTree] = [:]
                if take(UInt8(ascii: "}")) { return .object(members) }
                repeat {
                    skipWhitespace()
                    guard let key = string(), take(UInt8(ascii: ":")), let member = value(depth: depth + 1) else { return nil }
                    members[key] = member
                } while take(UInt8(ascii: ","))
                return take(UInt8(ascii: "}")) ? .object(members) : nil
            case UInt8(ascii: "["):
                index += 1
                var elements: [JSONTree] = []
                if take(UInt8(ascii: "]")) { return .array(elements) }
                repeat {
                    guard let element = value(depth: depth + 1) else { return nil }
                    elements.append(element)
                } while take(UInt8(ascii: ","))
                return take(UInt8(ascii: "]")) ? .array(elements) : nil
            case UInt8(ascii: "\""):
                return string().map(JSONTree.string)
            case UInt8(ascii: "t"):
                return literal("true", .bool(true))
            case UInt8(ascii: "f"):
                return literal("false", .bool(false))
            case UInt8(ascii: "n"):
                return literal("null", .null)
            default:
                let start = index
                while index < bytes.count, Self.numberBytes.contains(bytes[index]) { index += 1 }
                guard index > start else { return nil }
                return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
            }
        }

        static let numberBytes = Set("+-0123456789.eE".utf8)

        mutating func literal(_ word: StaticString, _ value: JSONTree) -> JSONTree? {
            let length = word.utf8CodeUnitCount
            guard bytes.count - index >= length,
                UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]).elementsEqual(
                    UnsafeRawBufferPointer(start: word.utf8Start, count: length))
            else { return nil }
            index += length
            return value
        }

        /// A string at `index` (its opening quote), unescaped.
        mutating func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let start = index + 1
            var end = start
            var escaped = false
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") {
                    escaped = true
                    end += 1  // the escaped byte cannot end the string
                }
                end += 1
            }
            guard end < bytes.count else { return nil }
            index = end + 1
            let body = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            return escaped ? JSONString.text(of: body) : String(decoding: body, as: UTF8.self)
        }
    }
}
