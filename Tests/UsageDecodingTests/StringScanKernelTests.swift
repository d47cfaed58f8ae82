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

    /// Whether this CPU runs the validated-line kernels (AVX2).
    static let validatedPathAvailable = tokentally_validated_path_available() != 0

    /// Valid pieces for the validated-line kernel: runs of backslashes of every length up to
    /// past a 64-byte block (an odd run escapes the `n` after it), escapes, text.
    static let validPieces: [[UInt8]] = pieces.filter { reference($0 + [0x22], from: 0).problem == 0 }
        + stride(from: 2, through: 130, by: 2).map { [UInt8](repeating: 0x5C, count: $0) }
        + stride(from: 1, through: 129, by: 2).map { [UInt8](repeating: 0x5C, count: $0) + [UInt8(ascii: "n")] }
        + [Array(#"\u0041"#.utf8), Array(#"\\"#.utf8), Array(#"\\\""#.utf8), Array(#"\\\\"#.utf8), Array("\"\"".utf8)]

    /// `tokentally_scan_validated_string`, on lines that are valid UTF-8 (Swift's own
    /// validation says so), finds what the reference finds, wherever the body starts relative
    /// to its 16-, 32- and 64-byte blocks.
    @Test(.enabled(if: validatedPathAvailable), arguments: 0..<8)
    func validatedKernelAgreesWithTheReference(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &+ 0xBA5E)
        var checked = 0
        var ended = 0
        while checked < 1500 {
            var body: [UInt8] = []
            let count = Int(random.next() % 48)
            for _ in 0..<count {
                // Plain text half the time, so that bodies get long; a defect (or a piece
                // that is not UTF-8, which makes the line one this kernel is not given)
                // one time in 40.
                switch random.next() % 40 {
                case 0: body += Self.pieces[Int(random.next() % UInt64(Self.pieces.count))]
                case 1...20: body += Self.pieces[Int(random.next() % 3)]
                default: body += Self.validPieces[Int(random.next() % UInt64(Self.validPieces.count))]
                }
            }
            let prefix = [UInt8](repeating: UInt8(ascii: "a"), count: Int(random.next() % 70))
            let closed = random.next() % 8 != 0
            let suffix: [UInt8] = closed ? [0x22] + Array(#", "é": "x\"y", "more": 1 }"#.utf8).prefix(Int(random.next() % 40)) : []
            let line = prefix + body + suffix
            guard String(validating: line, as: UTF8.self) != nil else { continue }
            checked += 1
            let expected = Self.reference(line, from: prefix.count)
            if expected.problem == 0 { ended += 1 }
            let actual = line.withUnsafeBufferPointer { buffer in
                tokentally_scan_validated_string(buffer.baseAddress!, prefix.count, line.count)
            }
            let got = Verdict(index: Int(actual.index), problem: actual.problem, hasEscapes: actual.has_escapes != 0)
            if got.problem == 0 || expected.problem == 0 {
                #expect(got == expected, "line \(line)")
            } else {
                #expect(got.index == expected.index && got.problem == expected.problem, "line \(line)")
            }
        }
        // Both outcomes are exercised.
        #expect(ended > 300 && ended < 1450, "\(ended) of 1500 bodies ended")
    }

    /// The validated kernel's hex check of `\uXXXX` (nibble tables over 64 bytes, and byte by
    /// byte for the last four positions of a block): a `\u` at every offset of a block, with
    /// each of its four digits replaced by every byte class next to the hex ranges.
    @Test(.enabled(if: validatedPathAvailable))
    func unicodeEscapeDigitsAtEveryOffset() {
        let digits = Array("0123456789abcdefABCDEF/:@G`g \"".utf8).map { [$0] } + [Array("é".utf8)]
        var mismatches = 0
        var rejected = 0
        for offset in 0..<140 {
            for position in 0..<4 {
                for digit in digits {
                    var escape = Array(#"\u00e9"#.utf8)
                    escape.replaceSubrange((2 + position)...(2 + position), with: digit)
                    // The first escape starts the 64-byte blocks (the kernel's inline part
                    // hands over at the first backslash), so `offset` places the `\u` in them.
                    let body = Array(#"\n"#.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: offset) + escape
                        + Array(String(repeating: "tail text ", count: 12).utf8) + [0x22]
                    let line = Array("\"".utf8) + body + Array(", 1".utf8)
                    guard String(validating: line, as: UTF8.self) != nil else { continue }
                    let expected = Self.reference(line, from: 1)
                    if expected.problem != 0 { rejected += 1 }
                    let actual = line.withUnsafeBufferPointer { tokentally_scan_validated_string($0.baseAddress!, 1, line.count) }
                    let got = Verdict(index: Int(actual.index), problem: actual.problem, hasEscapes: actual.has_escapes != 0)
                    // Escapes are only reported for bodies that scanned to their end.
                    let same = got.problem == 0 || expected.problem == 0
                        ? got == expected : got.index == expected.index && got.problem == expected.problem
                    if !same {
                        mismatches += 1
                        if mismatches <= 5 { Issue.record("line \(String(decoding: line, as: UTF8.self)): \(got), reference \(expected)") }
                    }
                }
            }
        }
        #expect(mismatches == 0)
        #expect(rejected > 140 * 4 * 6)
    }

    /// `tokentally_utf8_valid` against Swift's UTF-8 validation: every one- and two-byte
    /// sequence, every three-byte sequence with an interesting last byte, and four-byte
    /// sequences, each around the validator's 32-byte blocks and the end of the input; then
    /// random text with random damage.
    @Test(.enabled(if: validatedPathAvailable))
    func utf8ValidatorAgreesWithSwift() {
        var buffer = [UInt8](repeating: UInt8(ascii: "a"), count: 160)
        var mismatches = 0
        // `from`: where the non-ASCII part begins (what comes before is ASCII, valid anyway).
        func check(_ count: Int, from: Int = 0) {
            let expected = String(validating: buffer[from..<count], as: UTF8.self) != nil
            let actual = buffer.withUnsafeBufferPointer { tokentally_utf8_valid($0.baseAddress!, count) != 0 }
            if actual != expected {
                mismatches += 1
                if mismatches <= 10 { Issue.record("\(buffer[..<count].map { String($0, radix: 16) }): validator \(actual), Swift \(expected)") }
            }
        }
        func place(_ sequence: [UInt8], at offset: Int) {
            for k in 0..<4 { buffer[offset + k] = k < sequence.count ? sequence[k] : UInt8(ascii: "a") }
        }
        let offsets = [0, 31, 62]  // at the start, and across the first and second 32-byte boundaries
        let lastBytes: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF0, 0xFF]
        for offset in offsets {
            for k in buffer.indices { buffer[k] = UInt8(ascii: "a") }
            for first in 0...255 {
                for second in 0...255 {
                    let pair = [UInt8(first), UInt8(second)]
                    place(pair, at: offset)
                    if second == 0 { check(offset + 1, from: offset) }
                    check(offset + 2, from: offset)
                    check(offset + 3, from: offset)
                    check(130, from: offset)  // in the 64-byte loop, not the tail
                    guard first >= 0xE0 else { continue }
                    for third in lastBytes {
                        place(pair + [third], at: offset)
                        check(offset + 3, from: offset)
                        check(offset + 5, from: offset)
                        check(130, from: offset)
                        guard first >= 0xF0 else { continue }
                        place(pair + [third, 0x80 | (third & 0x3F)], at: offset)
                        check(offset + 4, from: offset)
                        check(offset + 6, from: offset)
                        check(130, from: offset)
                    }
                }
            }
        }
        var random = SplitMix64(seed: 0x07F8)
        let characters = ["a", "\u{E9}", "\u{20AC}", "\u{1F600}", "\u{D7FF}", "\u{E000}", "\u{10FFFF}", "\u{FFFD}"].map { Array($0.utf8) }
        for _ in 0..<20_000 {
            var text: [UInt8] = []
            for _ in 0..<Int(random.next() % 60) { text += characters[Int(random.next() % UInt64(characters.count))] }
            if !text.isEmpty && random.next() % 2 == 0 { text[Int(random.next() % UInt64(text.count))] = UInt8(truncatingIfNeeded: random.next()) }
            if text.count > buffer.count { buffer += [UInt8](repeating: 0, count: text.count - buffer.count) }
            for (k, byte) in text.enumerated() { buffer[k] = byte }
            check(text.count)
            for k in 0..<text.count { buffer[k] = UInt8(ascii: "a") }
        }
        #expect(mismatches == 0)
    }
}
