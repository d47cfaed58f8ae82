import Testing

@testable import UsageAggregation

@Suite struct StringInternerTests {
    /// Ids are handed out 1, 2, 3, … in order of first appearance; 0 is never an id.
    @Test func idsStartAtOneInOrderOfFirstAppearance() {
        var strings = StringInterner()
        #expect(strings.count == 0)
        #expect(intern("gpt-4o", &strings) == 1)
        #expect(intern("claude", &strings) == 2)
        #expect(intern("gpt-4o", &strings) == 1)
        #expect(intern("gemini", &strings) == 3)
        #expect(strings.count == 3)
    }

    /// The same bytes get the same id, whether given as a `String` or as raw bytes.
    @Test func sameBytesSameID() {
        var strings = StringInterner()
        let id = intern("openai/gpt-4o", &strings)
        #expect(intern(bytes: Array("openai/gpt-4o".utf8), &strings) == id)
        #expect(intern(String("openai/gpt-4o-mini".prefix(13)), &strings) == id)
        #expect(strings.count == 1)
    }

    /// "é" precomposed (C3 A9) and decomposed (65 CC 81) are canonically equivalent, so Swift's
    /// `==` calls them equal; as bytes they differ, and each keeps its own id and bytes.
    @Test func canonicallyEquivalentSpellingsAreDistinct() {
        let precomposed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(precomposed == decomposed)  // what the interner must not rely on
        var strings = StringInterner()
        let a = intern(precomposed, &strings)
        let b = intern(decomposed, &strings)
        #expect(a != b)
        #expect(storedBytes(a, strings) == [0x63, 0x61, 0x66, 0xC3, 0xA9])
        #expect(storedBytes(b, strings) == [0x63, 0x61, 0x66, 0x65, 0xCC, 0x81])
        #expect(Array(strings.string(a).utf8) == Array(precomposed.utf8))
        #expect(Array(strings.string(b).utf8) == Array(decomposed.utf8))
        #expect(intern(decomposed, &strings) == b)
    }

    /// Strings that share a prefix, differ only past the first 8-byte word, only in length,
    /// or only in case are all different.
    @Test func nearNeighboursAreDistinct() {
        let texts = [
            "a", "ab", "abc", "A", "abcdefgh", "abcdefghi", "abcdefgX", "abcdefghijklmnop", "abcdefghijklmnoq",
            "model\u{0}", "model", "model\u{0}\u{0}", " model", "model ",
        ]
        var strings = StringInterner()
        let ids = texts.map { intern($0, &strings) }
        #expect(ids == (1...UInt32(texts.count)).map { $0 })
        for (id, text) in zip(ids, texts) {
            #expect(storedBytes(id, strings) == Array(text.utf8))
            #expect(intern(text, &strings) == id)
        }
    }

    /// Two strings with the same 64-bit hash are still two strings: equal hashes are checked
    /// byte by byte. (The pair was found by solving the word-wise hash for the second word: with
    /// the same first-word state difference, `w2' = w2 ^ h1 ^ h1'` collides.)
    @Test func fullHashCollisionsStayDistinct() {
        let first = "model-aaaapabaaa", second = "model-95aa0HcaID"
        let hashes = [first, second].map { text in
            Array(text.utf8).withUnsafeBytes { StringInterner.hash($0) }
        }
        #expect(hashes[0] == hashes[1])  // a real collision, or this test proves nothing
        var strings = StringInterner()
        #expect(intern(first, &strings) == 1)
        #expect(intern(second, &strings) == 2)
        #expect(intern(first, &strings) == 1)
        #expect(strings.string(2) == second)
    }

    /// The empty string is a value like any other here (the builder maps it to 0 before it
    /// gets this far): it gets an id, round-trips, and is found again, also from a buffer
    /// without a base address.
    @Test func emptyString() {
        var strings = StringInterner()
        _ = intern("x", &strings)
        let id = intern("", &strings)
        #expect(id == 2)
        #expect(strings.string(id) == "")
        #expect(storedBytes(id, strings) == [])
        #expect(strings.id(of: UnsafeRawBufferPointer(start: nil, count: 0)) == id)
        #expect(intern("x", &strings) == 1)
    }

    /// Past many thousands of strings (and so many table growths) every string keeps its id,
    /// is found again, and reads back; long strings too.
    @Test func growsPastManyThousands() {
        var strings = StringInterner()
        let count = 60_000
        func text(_ i: Int) -> String {
            i % 1_000 == 0 ? "long-\(i)-" + String(repeating: "x", count: 300 + i % 7) : "model-\(i)"
        }
        for i in 0..<count {
            #expect(intern(text(i), &strings) == UInt32(i + 1))
        }
        #expect(strings.count == count)
        var mismatches = 0
        for i in stride(from: count - 1, through: 0, by: -1) {
            if intern(text(i), &strings) != UInt32(i + 1) { mismatches += 1 }
            if strings.string(UInt32(i + 1)) != text(i) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(strings.count == count)
    }

    /// `string(_:)` and `withBytes` give back exactly what was interned, non-ASCII included.
    @Test(arguments: ["gpt-4o", "anthropic/claude-sonnet-4", "caf\u{E9}", "\u{1F600}", "a,b\n\"c\"", "\u{FFFD}", "日本語"])
    func roundTrip(_ text: String) {
        var strings = StringInterner()
        _ = intern("filler", &strings)
        let id = intern(text, &strings)
        #expect(strings.string(id) == text)
        #expect(storedBytes(id, strings) == Array(text.utf8))
    }

    /// A copy is a separate interner: ids added to one do not appear in the other.
    @Test func copiesAreIndependent() {
        var original = StringInterner()
        _ = intern("a", &original)
        var copy = original
        #expect(intern("b", &copy) == 2)
        #expect(original.count == 1)
        #expect(intern("c", &original) == 2)
        #expect(original.string(2) == "c")
        #expect(copy.string(2) == "b")
    }
}
