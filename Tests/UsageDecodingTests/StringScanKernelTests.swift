import CScanKernels
import TestSupport
import Testing

/// The C string-body kernel (`tokentally_scan_string`) against a plain byte-by-byte reference,
/// on generated bodies full of escapes, multi-byte UTF-8 and defects, at every offset relative
/// to its 16- and 64-byte blocks: the vector paths must find exactly the same end, or the same
/// first problem at the same byte.
@Suite struct StringScanKernelTests {
    /// What the reference finds: the index just past the closing quote, or the first problem.
    struct Verdict: Equatable, CustomStringConvertible {
        var index: Int
        var problem: Int32
        var hasEscapes: Bool
        var description: String { "index \(index), problem \(problem), escapes \(hasEscapes)" }
    }

    /// RFC 8259 string bodies, one byte at a time; UTF-8 per Unicode Table 3-7.
    static func reference(_ p: [UInt8], from start: Int) -> Verdict {
        var i = start
        var escapes = false
        let n = p.count
        func fail(_ at: Int, _ problem: Int32) -> Verdict { Verdict(index: at, problem: problem, hasEscapes: escapes) }
        func isHex(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c) }
        while i < n {
            let c = p[i]
            switch c {
            case 0x22:
                return Verdict(index: i + 1, problem: 0, hasEscapes: escapes)
            case 0x5C:
                escapes = true
                guard i + 1 < n else { return fail(i + 1, 1) }
                switch p[i + 1] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                    i += 2
                case 0x75:
                    guard i + 6 <= n else { return fail(n, 1) }
                    if let bad = (2..<6).first(where: { !isHex(p[i + $0]) }) { return fail(i + bad, 2) }
                    i += 6
                default:
                    return fail(i, 2)
                }
            case 0..<0x20:
                return fail(i, 3)
            case 0x20..<0x80:
                i += 1
            default:
                // Expected length and the allowed range of the second byte.
                let (length, low, high): (Int, UInt8, UInt8)
                switch c {
                case 0xC2...0xDF: (length, low, high) = (2, 0x80, 0xBF)
                case 0xE0: (length, low, high) = (3, 0xA0, 0xBF)
                case 0xE1...0xEC, 0xEE, 0xEF: (length, low, high) = (3, 0x80, 0xBF)
                case 0xED: (length, low, high) = (3, 0x80, 0x9F)
                case 0xF0: (length, low, high) = (4, 0x90, 0xBF)
                case 0xF1...0xF3: (length, low, high) = (4, 0x80, 0xBF)
                case 0xF4: (length, low, high) = (4, 0x80, 0x8F)
                default: return fail(i, 4)
                }
                guard i + length <= n, (low...high).contains(p[i + 1]),
                    (2..<length).allSatisfy({ (0x80...0xBF).contains(p[i + $0]) })
                else { return fail(i, 4) }
                i += length
            }
        }
        return fail(n, 1)
    }

    /// Pieces a generated body is made of: plain text, every escape, multi-byte UTF-8, and
    /// every kind of defect.
    static let pieces: [[UInt8]] = [
        Array("plain words and more plain words ".utf8), Array("x".utf8), Array("0123456789abcdef".utf8),
        Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\/"#.utf8), Array(#"\n"#.utf8), Array(#"\t"#.utf8),
        Array(#"\u00e9"#.utf8), Array(#"\uD83D\uDE00"#.utf8), Array("é".utf8), Array("日本".utf8), Array("😀".utf8),
        [UInt8](repeating: 0x5C, count: 64), [UInt8](repeating: 0x5C, count: 70) + Array("\"".utf8),
        [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x01], [0x1F],
        Array(#"\x"#.utf8), Array(#"\u12G4"#.utf8), Array(#"\u12"#.utf8),
    ]

    @Test(arguments: 0..<8)
    func agreesWithTheReference(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &+ 0x5EED)
        for _ in 0..<1500 {
            var body: [UInt8] = []
            let count = Int(random.next() % 40)
            for _ in 0..<count {
                // Mostly valid pieces, so most bodies get far before a defect.
                let index = Int(random.next() % UInt64(random.next() % 4 == 0 ? Self.pieces.count : 15))
                body += Self.pieces[index]
            }
            let prefix = [UInt8](repeating: UInt8(ascii: "a"), count: Int(random.next() % 70))
            let closed = random.next() % 8 != 0
            let suffix: [UInt8] = closed ? [0x22] + Array(#",  "more":  1 } and some more text to keep going"#.utf8) : []
            let line = prefix + body + suffix
            let expected = Self.reference(line, from: prefix.count)
            // With AVX2 where this CPU has it, and with SSE2 only.
            for allowAVX2: Int32 in [1, 0] {
                let actual = line.withUnsafeBufferPointer { buffer in
                    tokentally_scan_string_with(buffer.baseAddress!, prefix.count, line.count, allowAVX2)
                }
                let got = Verdict(index: Int(actual.index), problem: actual.problem, hasEscapes: actual.has_escapes != 0)
                // Escapes are only reported for bodies that scanned to their end or failed after one.
                if got.problem == 0 || expected.problem == 0 {
                    #expect(got == expected, "line \(line), AVX2 allowed: \(allowAVX2)")
                } else {
                    #expect(got.index == expected.index && got.problem == expected.problem, "line \(line), AVX2 allowed: \(allowAVX2)")
                }
            }
        }
    }
}
