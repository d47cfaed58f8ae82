/// JSON string escapes, for the few strings whose text is kept (keys on planned paths, model
/// and key values).
public enum JSONString {
    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// The text of a string body (the bytes between the quotes, already validated by the
    /// scanner), unescaped; empty when its escapes are not valid. Allocates: for `inspect` and
    /// messages, not for the decoding path.
    public static func text(of body: UnsafeRawBufferPointer) -> String {
        var buffer = [UInt8](repeating: 0, count: body.count)  // unescaping never lengthens
        let length = buffer.withUnsafeMutableBytes { unescape(body, into: $0) } ?? 0
        return String(decoding: buffer[..<length], as: UTF8.self)
    }

    /// Writes the unescaped UTF-8 of a string body (the bytes between the quotes, already
    /// validated by the scanner) into `output`; returns the length, or nil when it does not fit.
    ///
    /// A `\uXXXX` that is half of a surrogate pair without its other half becomes U+FFFD, the
    /// replacement character, so the result is always valid UTF-8.
    public static func unescape(_ body: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        var i = 0
        var o = 0
        let n = body.count
        @inline(__always) func put(_ byte: UInt8) -> Bool {
            guard o < output.count else { return false }
            output[o] = byte
            o += 1
            return true
        }
        @inline(__always) func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= n else { return nil }
            var value: UInt32 = 0
            for k in 0..<4 {
                guard let digit = hexValue(body[at + k]) else { return nil }
                value = value << 4 | digit
            }
            return value
        }
        while i < n {
            let c = body[i]
            guard c == UInt8(ascii: "\\"), i + 1 < n else {
                guard put(c) else { return nil }
                i += 1
                continue
            }
            let escaped = body[i + 1]
            i += 2
            let simple: UInt8?
            switch escaped {
            case UInt8(ascii: "b"): simple = 0x08
            case UInt8(ascii: "f"): simple = 0x0C
            case UInt8(ascii: "n"): simple = 0x0A
            case UInt8(ascii: "r"): simple = 0x0D
            case UInt8(ascii: "t"): simple = 0x09
            case UInt8(ascii: "u"): simple = nil
            default: simple = escaped  // " \ /
            }
            if let simple {
                guard put(simple) else { return nil }
                continue
            }
            guard var scalar = hex4(i) else { return nil }
            i += 4
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                if i + 6 <= n, body[i] == UInt8(ascii: "\\"), body[i + 1] == UInt8(ascii: "u"),
                    let low = hex4(i + 2), low >= 0xDC00 && low <= 0xDFFF
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                } else {
                    scalar = 0xFFFD
                }
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                scalar = 0xFFFD
            }
            // Encode as UTF-8.
            if scalar < 0x80 {
                guard put(UInt8(scalar)) else { return nil }
            } else if scalar < 0x800 {
                guard put(UInt8(0xC0 | scalar >> 6)), put(UInt8(0x80 | scalar & 0x3F)) else { return nil }
            } else if scalar < 0x10000 {
                guard put(UInt8(0xE0 | scalar >> 12)), put(UInt8(0x80 | scalar >> 6 & 0x3F)),
                    put(UInt8(0x80 | scalar & 0x3F))
                else { return nil }
            } else {
                guard put(UInt8(0xF0 | scalar >> 18)), put(UInt8(0x80 | scalar >> 12 & 0x3F)),
                    put(UInt8(0x80 | scalar >> 6 & 0x3F)), put(UInt8(0x80 | scalar & 0x3F))
                else { return nil }
            }
        }
        return o
    }
}
