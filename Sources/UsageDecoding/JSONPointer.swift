/// A JSON Pointer (RFC 6901): the path of a value inside a JSON document, such as
/// `/metadata/user_api_key_hash` or `/choices/0/message`.
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible {
    /// The reference tokens, unescaped (`~1` → `/`, `~0` → `~`). `""` is the whole document.
    public var tokens: [String]

    /// A pointer from its unescaped tokens.
    public init(tokens: [String]) { self.tokens = tokens }

    /// Why a pointer's text is not a JSON Pointer.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String { "'\(text)' is not a JSON Pointer: \(reason)" }
    }

    /// Parses pointer text: empty (the whole document) or `/`-separated tokens where `~0` is
    /// `~` and `~1` is `/`.
    public init(parsing text: String) throws(ParseError) {
        guard !text.isEmpty else {
            tokens = []
            return
        }
        // RFC 6901 works on code points: scan scalars, not Characters, so a combining mark
        // after '/' or '~' cannot merge with it into one grapheme and hide it.
        var scalars = text.unicodeScalars.makeIterator()
        guard scalars.next() == "/" else {
            throw ParseError(text: text, reason: "it must start with '/' (for example /metadata/team)")
        }
        var parsed: [String] = []
        var token = String.UnicodeScalarView()
        while let scalar = scalars.next() {
            switch scalar {
            case "/":
                parsed.append(String(token))
                token = String.UnicodeScalarView()
            case "~":
                switch scalars.next() {
                case "0": token.append("~")
                case "1": token.append("/")
                default: throw ParseError(text: text, reason: "'~' must be followed by 0 or 1")
                }
            default:
                token.append(scalar)
            }
        }
        parsed.append(String(token))
        tokens = parsed
    }

    /// The pointer's text, escaped again.
    public var description: String {
        tokens.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }
            .joined()
    }

    /// The array index a token denotes (RFC 6901: `0` or digits without a leading zero),
    /// or nil.
    static func arrayIndex(_ token: String) -> Int32? {
        let utf8 = token.utf8
        guard let first = utf8.first, first >= 0x30 && first <= 0x39, utf8.count <= 9 else { return nil }
        guard utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), utf8.count == 1 || first != 0x30 else { return nil }
        return Int32(token)
    }
}

extension String {
    /// Replaces every occurrence of one scalar, code point by code point (see `init(parsing:)`).
    fileprivate func replacingOccurrences(of target: Unicode.Scalar, with replacement: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if scalar == target { result.append(contentsOf: replacement.unicodeScalars) } else { result.append(scalar) }
        }
        return String(result)
    }
}
