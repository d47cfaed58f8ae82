import Testing

@testable import UsageDecoding

// The scanner on its own: exactly RFC 8259 JSON in UTF-8, failures with their byte offset,
// nesting limits, and the values it records for planned paths. Offsets are 0-based and were
// counted by hand (or from the length of a literal prefix, as noted).

/// Scans `bytes` and describes the result: `object`, `array`, …, or
/// `invalid_json leadingZero @1`, `invalid_utf8 @10`, `too_deep @256`.
func scanResult(_ bytes: [UInt8], maxDepth: Int = JSONScanner.defaultMaxDepth) -> String {
    scanResult(bytes, using: JSONScanner(plan: CapturePlan(paths: []), maxDepth: maxDepth))
}

func scanResult(_ bytes: [UInt8], using scanner: JSONScanner) -> String {
    describe(bytes.withUnsafeBytes { scanner.scan($0) })
}

func scanResult(_ text: String, maxDepth: Int = JSONScanner.defaultMaxDepth) -> String {
    scanResult(Array(text.utf8), maxDepth: maxDepth)
}

func describe(_ result: Result<JSONKind, JSONScanFailure>) -> String {
    switch result {
    case .success(let kind):
        return "\(kind)"
    case .failure(let failure):
        let kind: String
        switch failure.kind {
        case .invalidJSON: kind = "invalid_json"
        case .invalidUTF8: kind = "invalid_utf8"
        case .tooDeep: kind = "too_deep"
        }
        return "\(kind) \(failure.problem) @\(failure.offset)"
    }
}

/// A scanner with planned paths; `captures` scans a line and returns each path's raw value.
final class Capturing {
    let plan: CapturePlan
    let scanner: JSONScanner

    init(_ pointers: [String]) {
        plan = CapturePlan(paths: pointers.map { try! JSONPointer(parsing: $0).tokens })
        scanner = JSONScanner(plan: plan)
    }

    /// The scan result and, per pointer, `kind:rawText` or nil.
    func captures(_ bytes: [UInt8]) -> (result: String, values: [String?], duplicate: Bool) {
        bytes.withUnsafeBytes { line in
            let result = describe(scanner.scan(line))
            let values = plan.nodeIDs.map { node in
                scanner.value(node).map { "\($0.kind):\(rawText($0, in: line))" + ($0.hasEscapes ? " (escaped)" : "") }
            }
            return (result, values, scanner.sawDuplicateKey)
        }
    }

    func captures(_ text: String) -> (result: String, values: [String?], duplicate: Bool) {
        captures(Array(text.utf8))
    }
}

@Suite struct JSONScannerValidityTests {
    @Test(arguments: [
        ("{}", "object"), ("[]", "array"), ("\"s\"", "string"), ("0", "number"), ("-0", "number"),
        ("1e3", "number"), ("12.0", "number"), ("-1.5E-7", "number"), ("true", "true"), ("false", "false"),
        ("null", "null"), (" \t\r\n{} \t\r\n", "object"), ("{\"a\":[1,{\"b\":null},\"c\",[]],\"d\":{}}", "object"),
        ("[ 1 , 2 ]", "array"), ("{ \"a\" : 1 }", "object"), ("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"", "string"),
        ("\"\u{7F}\"", "string"),  // DEL is not a control character in JSON
    ])
    func validJSON(_ text: String, _ expected: String) {
        #expect(scanResult(text) == expected)
    }

    @Test(arguments: [
        ("", "invalid_json unexpectedEnd @0"),
        ("   ", "invalid_json unexpectedEnd @3"),
        ("{", "invalid_json unexpectedEnd @1"),
        ("{\"a\"", "invalid_json unexpectedEnd @4"),
        ("{\"a\":", "invalid_json unexpectedEnd @5"),
        ("{\"a\":1", "invalid_json unexpectedEnd @6"),
        ("[1,", "invalid_json unexpectedEnd @3"),
        ("{\"a\" 1}", "invalid_json expectedColon @5"),
        ("{a:1}", "invalid_json expectedKey @1"),
        ("{'a':1}", "invalid_json expectedKey @1"),
        ("{\"a\":1,}", "invalid_json expectedKey @7"),
        ("{\"a\":1 \"b\":2}", "invalid_json expectedCommaOrEndOfObject @7"),
        ("{\"a\":1]", "invalid_json expectedCommaOrEndOfObject @6"),
        ("[1 2]", "invalid_json expectedCommaOrEndOfArray @3"),
        ("[1}", "invalid_json expectedCommaOrEndOfArray @2"),
        ("[1,]", "invalid_json unexpectedCharacter @3"),
        ("[,1]", "invalid_json unexpectedCharacter @1"),
        ("{}{}", "invalid_json trailingData @2"),
        ("{} x", "invalid_json trailingData @3"),
        ("{\"a\":1}}", "invalid_json trailingData @7"),
        ("{\"a\":1},", "invalid_json trailingData @7"),
        ("012", "invalid_json leadingZero @1"),
        ("-012", "invalid_json leadingZero @2"),
        ("00", "invalid_json leadingZero @1"),
        ("+5", "invalid_json unexpectedCharacter @0"),
        ("NaN", "invalid_json unexpectedCharacter @0"),
        ("nan", "invalid_json invalidLiteral @0"),
        ("Infinity", "invalid_json unexpectedCharacter @0"),
        ("-Infinity", "invalid_json missingDigits @1"),
        ("1.", "invalid_json missingDigits @2"),
        ("1.e5", "invalid_json missingDigits @2"),
        (".5", "invalid_json unexpectedCharacter @0"),
        ("1e", "invalid_json missingDigits @2"),
        ("1e+", "invalid_json missingDigits @3"),
        ("1e5.5", "invalid_json trailingData @3"),
        ("0x10", "invalid_json trailingData @1"),
        ("-", "invalid_json unexpectedEnd @1"),
        ("--1", "invalid_json missingDigits @1"),
        ("tru", "invalid_json invalidLiteral @0"),
        ("True", "invalid_json unexpectedCharacter @0"),
        ("nul", "invalid_json invalidLiteral @0"),
        ("falsey", "invalid_json trailingData @5"),
        ("\"abc", "invalid_json unexpectedEnd @4"),
        ("\"a\\x\"", "invalid_json invalidEscape @2"),
        ("\"\\'\"", "invalid_json invalidEscape @1"),
        ("\"\\u12G4\"", "invalid_json invalidEscape @5"),
        ("\"\\u12\"", "invalid_json unexpectedEnd @6"),
        ("\"\\", "invalid_json unexpectedEnd @2"),
        ("\"a\tb\"", "invalid_json controlCharacter @2"),
        ("\"a\nb\"", "invalid_json controlCharacter @2"),
        ("\"\u{0}\"", "invalid_json controlCharacter @1"),
        ("\"\u{1F}\"", "invalid_json controlCharacter @1"),
        ("\"0123456789abcdef\u{1}\"", "invalid_json controlCharacter @17"),  // found by the 8-byte loop
    ])
    func invalidJSON(_ text: String, _ expected: String) {
        #expect(scanResult(text) == expected)
    }

    @Test func everySingleByteInsideAString() {
        // Hand rule: controls are invalid JSON, ASCII is fine, a lone byte ≥ 0x80 is never UTF-8.
        for byte in UInt8(0)...UInt8(255) where byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
            let expected: String
            switch byte {
            case 0x00..<0x20: expected = "invalid_json controlCharacter @1"
            case 0x20..<0x80: expected = "string"
            default: expected = "invalid_utf8 invalidUTF8 @1"
            }
            #expect(scanResult([0x22, byte, 0x22]) == expected, "byte \(byte)")
        }
    }
}

@Suite struct JSONScannerUTF8Tests {
    @Test(arguments: [
        ("overlong /", [0xC0, 0xAF] as [UInt8]), ("overlong C1", [0xC1, 0xBF]),
        ("overlong 3-byte", [0xE0, 0x80, 0xAF]), ("overlong 3-byte max", [0xE0, 0x9F, 0xBF]),
        ("overlong 4-byte", [0xF0, 0x80, 0x80, 0xAF]), ("overlong 4-byte max", [0xF0, 0x8F, 0xBF, 0xBF]),
        ("surrogate D800", [0xED, 0xA0, 0x80]), ("surrogate DFFF", [0xED, 0xBF, 0xBF]),
        ("surrogate pair as CESU-8", [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]),
        ("U+110000", [0xF4, 0x90, 0x80, 0x80]), ("F5 lead", [0xF5, 0x80, 0x80, 0x80]), ("FF", [0xFF]), ("FE", [0xFE]),
        ("lone continuation", [0x80]), ("truncated 2-byte", [0xC3]), ("truncated 3-byte", [0xE2, 0x82]),
        ("truncated 4-byte", [0xF0, 0x9F, 0x98]), ("ASCII where a continuation belongs", [0xE2, 0x41, 0x82]),
    ])
    func invalidSequencesInAString(_ name: String, _ sequence: [UInt8]) {
        // The opening quote is byte 0, the sequence starts at byte 1.
        #expect(scanResult([0x22] + sequence + [0x22]) == "invalid_utf8 invalidUTF8 @1")
        // Also after 16 ASCII bytes (the 8-bytes-at-a-time loop) and cut off at the end of the line.
        #expect(scanResult(Array("\"0123456789abcdef".utf8) + sequence + [0x22]) == "invalid_utf8 invalidUTF8 @17")
        #expect(scanResult([0x22] + sequence) == "invalid_utf8 invalidUTF8 @1")
    }

    @Test(arguments: [
        ("é U+00E9", [0xC3, 0xA9] as [UInt8]), ("U+0080", [0xC2, 0x80]), ("U+07FF", [0xDF, 0xBF]),
        ("U+0800", [0xE0, 0xA0, 0x80]), ("€ U+20AC", [0xE2, 0x82, 0xAC]), ("U+D7FF", [0xED, 0x9F, 0xBF]),
        ("U+E000", [0xEE, 0x80, 0x80]), ("BOM U+FEFF", [0xEF, 0xBB, 0xBF]), ("U+FFFF", [0xEF, 0xBF, 0xBF]),
        ("U+10000", [0xF0, 0x90, 0x80, 0x80]), ("😀 U+1F600", [0xF0, 0x9F, 0x98, 0x80]),
        ("U+10FFFF", [0xF4, 0x8F, 0xBF, 0xBF]), ("日本語", Array("日本語".utf8)),
    ])
    func validSequencesInAString(_ name: String, _ sequence: [UInt8]) {
        #expect(scanResult([0x22] + sequence + [0x22]) == "string")
        #expect(scanResult(Array("\"0123456789abcdef".utf8) + sequence + Array("0123456789\"".utf8)) == "string")
    }

    @Test func agreesWithTheStandardLibraryOnEveryTwoByteSequenceAndManyLongerOnes() {
        // Oracle: String(validating:as:), the standard library's UTF-8 validator. Bytes below
        // 0x80 are kept out of the sequences except 'A', so JSON rules (controls, quote,
        // backslash) do not interfere.
        let interesting: [UInt8] = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        var sequences: [[UInt8]] = []
        for b0 in UInt8(0x80)...0xFF {
            for b1 in UInt8(0x80)...0xFF { sequences.append([b0, b1]) }
            sequences.append([b0, 0x41])
        }
        for b0 in UInt8(0xE0)...0xF7 {
            for b1 in UInt8(0x80)...0xBF {
                for b2 in interesting { sequences.append([b0, b1, b2]) }
                for b3 in interesting where b0 >= 0xF0 { sequences.append([b0, b1, 0x80, b3]) }
            }
            for b1 in interesting { sequences.append([b0, b1, 0x80, 0x80]) }
        }
        let scanner = JSONScanner(plan: CapturePlan(paths: []))
        var disagreements: [[UInt8]] = []
        var validCount = 0
        for sequence in sequences {
            let valid = String(validating: sequence, as: UTF8.self) != nil
            if valid { validCount += 1 }
            for prefix in ["\"", "\"0123456789abcdef"] {
                let line = Array(prefix.utf8) + sequence + [0x22]
                let scanned = scanResult(line, using: scanner)
                if (scanned == "string") != valid { disagreements.append(sequence) }
                if !valid && !scanned.hasPrefix("invalid_utf8") { disagreements.append(sequence) }
            }
        }
        #expect(disagreements.isEmpty, "first: \(disagreements.prefix(5))")
        #expect(sequences.count > 30_000)
        #expect(validCount > 2_000)  // the table is not all invalid
    }

    @Test(arguments: [
        (bytes("{\"a\":1}\u{FFFF}", [0xFF]), "invalid_utf8 invalidUTF8 @7"),  // after the value
        (bytes("{\"a\":\u{FFFF}}", [0xFF]), "invalid_utf8 invalidUTF8 @5"),  // where a value belongs
        (bytes("{\u{FFFF}:1}", [0xFF]), "invalid_utf8 invalidUTF8 @1"),  // where a key belongs
        (bytes("[1\u{FFFF}]", [0xFF]), "invalid_utf8 invalidUTF8 @2"),  // where ',' belongs
        (bytes("{\"\u{FFFF}\":1}", [0xFF]), "invalid_utf8 invalidUTF8 @2"),  // inside a key
        (bytes("{\"a\":\u{FFFF}}", [0xC3, 0xA9]), "invalid_json unexpectedCharacter @5"),  // valid é, not JSON
        (bytes("\u{FFFF}{}", [0xEF, 0xBB, 0xBF]), "invalid_json unexpectedCharacter @0"),  // a BOM is not JSON
        // The first defect decides the reason.
        (bytes("{\"a\":01,\"b\":\"\u{FFFF}\"}", [0xFF]), "invalid_json leadingZero @6"),
        (bytes("{\"b\":\"\u{FFFF}\",\"a\":01}", [0xFF]), "invalid_utf8 invalidUTF8 @6"),
    ])
    func invalidUTF8OutsideStrings(_ line: [UInt8], _ expected: String) {
        #expect(scanResult(line) == expected)
    }
}

@Suite struct JSONScannerDepthTests {
    @Test func exactly256LevelsAreAcceptedAnd257Rejected() {
        #expect(JSONScanner.defaultMaxDepth == 256)
        let ok = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(scanResult(ok) == "array")
        let deep = String(repeating: "[", count: 257) + String(repeating: "]", count: 257)
        #expect(scanResult(deep) == "too_deep tooDeep @256")
        // Objects count too: 128 objects around 128 arrays.
        let mixed = String(repeating: "{\"a\":[", count: 128) + String(repeating: "]}", count: 128)
        #expect(scanResult(mixed) == "object")
        let mixedDeeper = "[" + mixed + "]"
        #expect(scanResult(mixedDeeper) == "too_deep tooDeep @" + String(1 + 127 * 6 + 5))  // the 257th opener
    }

    @Test func oneHundredThousandOpenBracketsFailWithoutCrashing() {
        let line = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(scanResult(line) == "too_deep tooDeep @256")
        let objects = Array(String(repeating: "{\"a\":", count: 100_000).utf8)
        #expect(scanResult(objects) == "too_deep tooDeep @1280")  // 256 × 5 bytes, then the 257th '{'
    }

    /// The loop that skips unplanned containers (in C) keeps 4096 levels; deeper nesting is
    /// left to the scanner, which applies whatever limit was set.
    @Test func aLimitAboveTheSkippingLoopsOwn() {
        let deep = "{\"z\":" + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}"
        for fastPaths: JSONScanner.FastPaths in [[], .all] {
            let scanner = JSONScanner(plan: CapturePlan(paths: [["a"]]), maxDepth: 6000, fastPaths: fastPaths)
            #expect(scanResult(Array(deep.utf8), using: scanner) == "object")
            let shallower = JSONScanner(plan: CapturePlan(paths: [["a"]]), maxDepth: 4500, fastPaths: fastPaths)
            // 4500 levels: the root and 4499 '['; the 4500th '[' (offset 5 + 4499) is one too many.
            #expect(scanResult(Array(deep.utf8), using: shallower) == "too_deep tooDeep @4504")
        }
    }

    /// A defect deep in nested unplanned containers is reached once by the skipping loop, not
    /// again from each level (which would make a line of n bytes nested d deep cost n × d).
    @Test func aFailedSkipIsNotRetriedLevelByLevel() {
        let body = String(repeating: "[", count: 200) + String(repeating: "1,", count: 5000) + "x"
            + String(repeating: "]", count: 200)
        let line = Array(("{\"z\":" + body + "}").utf8)
        let scanner = JSONScanner(plan: CapturePlan(paths: [["a"]]))
        // 5 bytes, 200 '[' and 5000 "1,": the 'x' is where a value was expected.
        #expect(scanResult(line, using: scanner) == "invalid_json unexpectedCharacter @\(5 + 200 + 10_000)")
        #expect(scanner.skipFailures == 1)
        // The next line starts afresh.
        #expect(scanResult(Array(#"{"z":[[1]],"y":{"b":[]}}"#.utf8), using: scanner) == "object")
        #expect(scanner.skipFailures == 0)
    }

    @Test func aSmallerLimit() {
        #expect(scanResult("[[]]", maxDepth: 2) == "array")
        #expect(scanResult("[[[]]]", maxDepth: 2) == "too_deep tooDeep @2")
        #expect(scanResult("{\"a\":{\"b\":{}}}", maxDepth: 2) == "too_deep tooDeep @10")
        #expect(scanResult("{\"a\":{\"b\":1}}", maxDepth: 2) == "object")
    }
}

@Suite struct JSONScannerCaptureTests {
    @Test func recordsPlannedValuesWithTheirKinds() {
        let c = Capturing(["/a/b/0", "/a/b/1", "/a/b/2", "/a/b/3", "/a", "/missing", "/a/b/1/x"])
        let got = c.captures(#"{"z":[{"a":1}],"a":{"b":[1.5e3,"x\n",true,null]},"q":"a"}"#)
        #expect(got.result == "object")
        #expect(got.values == [
            "number:1.5e3", "string:\"x\\n\" (escaped)", "true:true", "null:null",
            #"object:{"b":[1.5e3,"x\n",true,null]}"#, nil, nil,
        ])
        #expect(!got.duplicate)
    }

    @Test func valuesOfOneLineDoNotLeakIntoTheNext() {
        let c = Capturing(["/model", "/usage/input_tokens"])
        #expect(c.captures(#"{"model":"m1","usage":{"input_tokens":5}}"#).values == ["string:\"m1\"", "number:5"])
        #expect(c.captures(#"{"usage":{}}"#).values == [nil, nil])
        #expect(c.captures(#"{"model":"m2"}"#).values == ["string:\"m2\"", nil])
    }

    @Test func onlyObjectKeysAndArrayIndexesOnThePlanAreRecorded() {
        let c = Capturing(["/tags/1", "/m/1/0", "/o/0"])
        #expect(c.captures(#"{"tags":["a","b","c"],"m":[[1,2],[3,4]],"o":{"0":"zero"}}"#).values
            == ["string:\"b\"", "number:3", "string:\"zero\""])
        // RFC 6901: a token of digits is a key in an object and an index in an array.
        #expect(c.captures(#"{"tags":{"1":"one"},"m":[{"0":1},{"0":2}],"o":["x"]}"#).values
            == ["string:\"one\"", "number:2", "string:\"x\""])
        // Only digits without a leading zero index an array.
        let padded = Capturing(["/tags/01", "/tags/-"])
        #expect(padded.captures(#"{"tags":["a","b"]}"#).values == [nil, nil])
        #expect(padded.captures(#"{"tags":{"01":"x","-":"y"}}"#).values == ["string:\"x\"", "string:\"y\""])
        #expect(c.captures(#"{"tags":["only"]}"#).values == [nil, nil, nil])
    }

    @Test func duplicateKeysLastOneWinsAndEarlierDescendantsAreForgotten() {
        let c = Capturing(["/u", "/u/x", "/u/y", "/k"])
        let got = c.captures(#"{"u":{"x":1,"y":2},"k":1,"u":{"y":3}}"#)
        #expect(got.values == [#"object:{"y":3}"#, nil, "number:3", "number:1"])
        #expect(got.duplicate)
        // The flag is per line.
        #expect(!c.captures(#"{"u":{"x":1}}"#).duplicate)
        // Nested duplicate, and a duplicate that replaces an object with null.
        #expect(c.captures(#"{"u":{"x":1,"x":2}}"#).values == [#"object:{"x":1,"x":2}"#, "number:2", nil, nil])
        let toNull = c.captures(#"{"u":{"x":1},"u":null}"#)
        #expect(toNull.values == ["null:null", nil, nil, nil])
        #expect(toNull.duplicate)
        // Keys off the plan are not compared, so their duplicates are not seen.
        #expect(!c.captures(#"{"other":1,"other":2,"u":{}}"#).duplicate)
    }

    @Test func keysCompareAfterUnescaping() {
        let c = Capturing(["/usage/input_tokens", "/😀", "/a\"b"])
        let got = c.captures(#"{"\u0075sage":{"input\u005ftokens":7},"\uD83D\uDE00":1,"a\"b":2}"#)
        #expect(got.values == ["number:7", "number:1", "number:2"])
        #expect(c.captures(#"{"usage":{"input\u005Ftokens":8}}"#).values == ["number:8", nil, nil])
        // Escaped spellings that unescape to something else do not match.
        #expect(c.captures(#"{"usage":{"input_tokens\u0000":9,"input_token\u0073s":10}}"#).values == [nil, nil, nil])
        // An escaped key too long to unescape into the scratch buffer is not a planned key.
        let long = String(repeating: "\\u0061", count: 300)
        #expect(c.captures(#"{"usage":{""# + long + #"":1}}"#).result == "object")
    }

    @Test func escapedAndUnescapedSpellingsOfOneKeyAreDuplicates() {
        let c = Capturing(["/usage/input_tokens"])
        let got = c.captures(#"{"usage":{"input_tokens":1,"input\u005ftokens":2}}"#)
        #expect(got.values == ["number:2"])
        #expect(got.duplicate)
    }
}

/// Every string up to 5 characters over `0 1 - + . e E`, scanned as a whole line, checked
/// against the RFC 8259 number grammar written as a regular expression.
@Test func numbersFollowExactlyTheJSONGrammar() throws {
    let grammar = try Regex(#"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?"#)
    let alphabet: [Character] = ["0", "1", "-", "+", ".", "e", "E"]
    let scanner = JSONScanner(plan: CapturePlan(paths: []))
    var texts: [String] = [""]
    var disagreements: [String] = []
    for _ in 1...5 {
        texts = texts.flatMap { prefix in alphabet.map { prefix + String($0) } }
        for text in texts {
            let isNumber = text.wholeMatch(of: grammar) != nil
            let scanned = scanResult(Array(text.utf8), using: scanner)
            if (scanned == "number") != isNumber || (!isNumber && !scanned.hasPrefix("invalid_json")) {
                disagreements.append("\(text): \(scanned)")
            }
        }
    }
    #expect(disagreements.isEmpty, "first: \(disagreements.prefix(10))")
}
