import Testing

@testable import UsageDecoding

/// Unescapes a string body (the text between the quotes) with an output buffer of `capacity`.
func unescaped(_ body: String, capacity: Int = 64) -> [UInt8]? {
    let output = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
    defer { output.deallocate() }
    return Array(body.utf8).withUnsafeBytes { input in
        JSONString.unescape(input, into: output).map { Array(output[0..<$0]) }
    }
}

@Suite struct JSONStringTests {
    @Test(arguments: [
        (#"plain"#, Array("plain".utf8)),
        (#"a\"b"#, [0x61, 0x22, 0x62]),
        (#"\\"#, [0x5C]),
        (#"\/"#, [0x2F]),
        (#"\b\f\n\r\t"#, [0x08, 0x0C, 0x0A, 0x0D, 0x09]),
        (#"input\u005ftokens"#, Array("input_tokens".utf8)),
        (#"\u0000"#, [0x00]),
        (#"\u00e9"#, [0xC3, 0xA9]),  // é
        (#"\u00E9"#, [0xC3, 0xA9]),
        (#"\u20AC"#, [0xE2, 0x82, 0xAC]),  // €
        (#"\uD83D\uDE00"#, [0xF0, 0x9F, 0x98, 0x80]),  // 😀 from a surrogate pair
        (#"\uDBFF\uDFFF"#, [0xF4, 0x8F, 0xBF, 0xBF]),  // U+10FFFF
        (#"\uD83D"#, [0xEF, 0xBF, 0xBD]),  // a lone high surrogate becomes U+FFFD
        (#"\uDE00"#, [0xEF, 0xBF, 0xBD]),  // a lone low surrogate too
        (#"\uD83Dx"#, [0xEF, 0xBF, 0xBD, 0x78]),
        (#"\uD83D\u0041"#, [0xEF, 0xBF, 0xBD, 0x41]),  // high surrogate, then not a low one
        ("é", [0xC3, 0xA9]),  // raw UTF-8 passes through
    ])
    func unescapes(_ body: String, _ expected: [UInt8]) {
        #expect(unescaped(body) == expected)
    }

    @Test func reportsWhenTheOutputDoesNotFit() {
        #expect(unescaped("abcd", capacity: 4) == Array("abcd".utf8))
        #expect(unescaped("abcde", capacity: 4) == nil)
        #expect(unescaped(#"abc\u00e9"#, capacity: 4) == nil)  // é needs 2 bytes, 1 left
        #expect(unescaped(#"ab\u00e9"#, capacity: 4) == [0x61, 0x62, 0xC3, 0xA9])
    }
}
