import Testing

@testable import UsageDecoding

@Suite struct JSONPointerTests {
    /// RFC 6901, section 5: the example pointers and the tokens they denote.
    @Test(arguments: [
        ("", [String]()), ("/foo", ["foo"]), ("/foo/0", ["foo", "0"]), ("/", [""]), ("/a~1b", ["a/b"]),
        ("/c%d", ["c%d"]), ("/e^f", ["e^f"]), ("/g|h", ["g|h"]), ("/i\\j", ["i\\j"]), ("/k\"l", ["k\"l"]),
        ("/ ", [" "]), ("/m~0n", ["m~n"]),
    ])
    func rfc6901Examples(_ text: String, _ tokens: [String]) throws {
        #expect(try JSONPointer(parsing: text).tokens == tokens)
    }

    @Test(arguments: [
        ("/~01", ["~1"]),  // RFC 6901 §4: ~0 first turns into ~, which does not start a new escape
        ("/~10", ["/0"]), ("//", ["", ""]), ("/a/", ["a", ""]), ("/metadata/user_api_key_hash", ["metadata", "user_api_key_hash"]),
        ("/a~1b/c~0d", ["a/b", "c~d"]), ("/tags/0", ["tags", "0"]), ("/日本", ["日本"]), ("/~0~0~1~1", ["~~//"]),
    ])
    func moreTokens(_ text: String, _ tokens: [String]) throws {
        #expect(try JSONPointer(parsing: text).tokens == tokens)
    }

    @Test(arguments: [
        ("foo", "'foo' is not a JSON Pointer: it must start with '/' (for example /metadata/team)"),
        ("metadata/team", "'metadata/team' is not a JSON Pointer: it must start with '/' (for example /metadata/team)"),
        ("#/foo", "'#/foo' is not a JSON Pointer: it must start with '/' (for example /metadata/team)"),
        ("/a~", "'/a~' is not a JSON Pointer: '~' must be followed by 0 or 1"),
        ("/a~2", "'/a~2' is not a JSON Pointer: '~' must be followed by 0 or 1"),
        ("/~a", "'/~a' is not a JSON Pointer: '~' must be followed by 0 or 1"),
        ("/ok/~", "'/ok/~' is not a JSON Pointer: '~' must be followed by 0 or 1"),
    ])
    func invalidPointers(_ text: String, _ message: String) {
        #expect(throws: JSONPointer.ParseError.self) { try JSONPointer(parsing: text) }
        do {
            _ = try JSONPointer(parsing: text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func descriptionEscapesAgain() throws {
        #expect(JSONPointer(tokens: ["a/b", "m~n"]).description == "/a~1b/m~0n")
        #expect(JSONPointer(tokens: []).description == "")
        #expect(JSONPointer(tokens: [""]).description == "/")
        #expect(JSONPointer(tokens: ["~/"]).description == "/~0~1")
        for text in ["/a~1b/c~0d", "/~01", "//", "/metadata/team", ""] {
            #expect(try JSONPointer(parsing: text).description == text)
        }
    }

    @Test(arguments: [
        ("0", Int32(0) as Int32?), ("7", 7), ("10", 10), ("999999999", 999_999_999),
        ("01", nil), ("00", nil), ("-", nil), ("", nil), ("1a", nil), ("-1", nil), ("+1", nil),
        ("1000000000", nil), ("٣", nil),
    ])
    func arrayIndexes(_ token: String, _ index: Int32?) {
        #expect(JSONPointer.arrayIndex(token) == index)
    }
}

/// Regression (found by these tests): the pointer was split by `Character`, so a combining
/// mark after `/` or `~` (one grapheme cluster with it) hid the separator or the escape.
/// RFC 6901 works on code points.
@Test func combiningMarksDoNotHideSeparatorsOrEscapes() throws {
    #expect(try JSONPointer(parsing: "/a/\u{338}b").tokens == ["a", "\u{338}b"])
    #expect(try JSONPointer(parsing: "/\u{301}").tokens == ["\u{301}"])
    #expect(try JSONPointer(parsing: "/a~0\u{301}").tokens == ["a~\u{301}"])
    #expect(try JSONPointer(parsing: "/a~1\u{301}").tokens == ["a/\u{301}"])
    #expect(JSONPointer(tokens: ["~\u{301}", "/\u{338}"]).description == "/~0\u{301}/~1\u{338}")
}
