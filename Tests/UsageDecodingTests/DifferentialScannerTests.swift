import Foundation
import TestSupport
import Testing

@testable import UsageDecoding

/// Differential test of the scanner against Python's `json` module
/// (`Tests/Oracles/json_reference.py`): seeded random documents — valid ones with escapes,
/// unicode, odd numbers, duplicate keys and deep nesting, and mutated ones that are mostly
/// invalid — must be accepted or rejected alike, with the same root kind and the same values at
/// a few planned paths. Any disagreement is printed with its document, so it can become a
/// regression test of its own.
@Suite struct DifferentialScannerTests {
    /// The paths compared; the same list as the reference's `PATHS`.
    static let paths: [[String]] = [["a"], ["a", "b"], ["a", "b", "c"], ["k"], ["usage", "input_tokens"], ["\u{E9}"], ["x\"y"], ["a", "k"]]

    /// Random documents from a seed.
    struct Generator {
        var random: SplitMix64

        mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

        /// A key: mostly the planned names (sometimes escaped), sometimes others.
        mutating func key() -> String {
            switch random.next() % 10 {
            case 0: return #"\u0061"#  // "a", escaped
            case 1: return #"x\"y"#
            case 2: return "\u{E9}"
            case 3: return #"\u00e9"#
            case 4: return pick(["input_tokens", "input\\u005ftokens", "usage"])
            default: return pick(["a", "b", "c", "k", "z", "usage", "long" + String(repeating: "q", count: Int(random.next() % 300))])
            }
        }

        mutating func number() -> String {
            switch random.next() % 12 {
            case 0: return "-0"
            case 1: return "0.5e-3"
            case 2: return "1E+400"
            case 3: return String(repeating: "9", count: 1 + Int(random.next() % 40))
            case 4: return "-" + String(random.next() % 100000) + "." + String(random.next() % 1000)
            case 5: return String(random.next() % 10) + "e" + String(random.next() % 30)
            default: return String(random.next() % 1_000_000)
            }
        }

        mutating func string() -> String {
            var text = "\""
            for _ in 0..<(random.next() % 12) {
                switch random.next() % 14 {
                case 0: text += pick([#"\n"#, #"\t"#, #"\""#, #"\\"#, #"\/"#, #"\b"#, #"\f"#, #"\r"#])
                case 1: text += String(format: "\\u%04x", Int(random.next() % 0xD7FF))
                case 2: text += #"\ud83d\ude00"#  // a surrogate pair
                case 3: text += pick(["\u{E9}", "\u{4E2D}", "\u{1F600}", "\u{7F}"])
                case 4: text += pick([#"\ud800"#, #"\udc00x"#])  // lone surrogates
                default: text += pick(["a", "b", " ", "z", "0", ":", ",", "{", "]"])
                }
            }
            return text + "\""
        }

        mutating func value(depth: Int) -> String {
            let roll = random.next() % 10
            if depth > 0 && roll < 3 { return object(depth: depth - 1) }
            if depth > 0 && roll < 4 { return array(depth: depth - 1) }
            switch random.next() % 6 {
            case 0: return string()
            case 1: return pick(["true", "false", "null"])
            default: return number()
            }
        }

        /// Whitespace between tokens: mostly none, as in logs; any JSON whitespace otherwise.
        mutating func space() -> String {
            chance(80) ? "" : pick([" ", "\t", "\r", "  ", " \t\r "])
        }

        mutating func object(depth: Int) -> String {
            let members = (0..<(random.next() % 5)).map { _ in
                space() + "\"" + key() + "\"" + space() + ":" + space() + value(depth: depth) + space()
            }
            return "{" + space() + members.joined(separator: ",") + "}"
        }

        mutating func array(depth: Int) -> String {
            "[" + space() + (0..<(random.next() % 4)).map { _ in value(depth: depth) + space() }.joined(separator: "," + space()) + "]"
        }

        /// A document: valid, deep, or mutated; never with a `\n`.
        mutating func document() -> [UInt8] {
            var text: String
            switch random.next() % 20 {
            case 0:
                let depth = 1 + Int(random.next() % 200)
                text = String(repeating: #"{"a":["#, count: depth / 2) + number() + String(repeating: "]}", count: depth / 2)
            case 1:
                text = value(depth: 3)  // any root
            case 2:
                text = pick(["NaN", "[Infinity]", "{\"a\":-Infinity}", "{\"a\":012}", "{\"a\":1,}", "[1,]", "{\"a\" 1}", " {} ", "{}{}", "\"\\x\""])
            default:
                text = object(depth: Int(random.next() % 5))
            }
            var bytes = Array(text.utf8)
            if chance(35) { mutate(&bytes) }
            return bytes.map { $0 == 0x0A ? 0x20 : $0 }
        }

        /// One random edit: a byte removed, duplicated, replaced, or the text cut.
        mutating func mutate(_ bytes: inout [UInt8]) {
            guard !bytes.isEmpty else { return }
            let at = Int(random.next() % UInt64(bytes.count))
            switch random.next() % 6 {
            case 0: bytes.remove(at: at)
            case 1: bytes.insert(bytes[at], at: at)
            case 2: bytes[at] = pick(Array("{}[],:\"\\0123456789eE+-.tfn ".utf8) + [0x00, 0x1F, 0x09])
            case 3: bytes[at] = pick([0xFF, 0xC0, 0x80, 0xED])  // never valid UTF-8 here
            case 4: bytes.removeLast(bytes.count - at)
            default: bytes.insert(contentsOf: [0xED, 0xA0, 0x80], at: at)  // an encoded surrogate
            }
        }
    }

    /// What the scanner makes of a document, in the reference's notation.
    static func describe(_ document: [UInt8], scanner: JSONScanner, nodes: [Int32]) -> String {
        document.withUnsafeBytes { line in
            guard case .success(let kind) = scanner.scan(line) else { return "bad" }
            var fields = ["ok", String(kindCode(kind, nil, line).prefix(1))]
            for (path, node) in zip(paths, nodes) {
                guard let span = scanner.value(node) else { continue }
                let name = Array(path.joined(separator: "/").utf8).map { String(format: "%02x", $0) }.joined()
                fields.append(name + "=" + kindCode(span.kind, span, line))
            }
            return fields.joined(separator: " ")
        }
    }

    static func kindCode(_ kind: JSONKind, _ span: JSONValueSpan?, _ line: UnsafeRawBufferPointer) -> String {
        switch kind {
        case .object: return "o"
        case .array: return "a"
        case .true: return "t"
        case .false: return "f"
        case .null: return "z"
        case .number:
            guard let span else { return "n:?" }
            return "n:" + String(decoding: line[Int(span.start)..<Int(span.end)], as: UTF8.self)
        case .string:
            guard let span else { return "s:?" }
            let body = UnsafeRawBufferPointer(rebasing: line[Int(span.start + 1)..<Int(span.end - 1)])
            var buffer = [UInt8](repeating: 0, count: body.count)
            guard let length = buffer.withUnsafeMutableBytes({ JSONString.unescape(body, into: $0) }) else { return "s:!" }
            return "s:" + buffer[..<length].map { String(format: "%02x", $0) }.joined()
        }
    }

    /// Everything a scan tells: the result (with a failure's kind, offset and problem) and
    /// every planned value's span.
    static func outcome(_ document: [UInt8], scanner: JSONScanner, nodes: [Int32]) -> String {
        document.withUnsafeBytes { line in
            "\(scanner.scan(line)) " + nodes.map { "\(String(describing: scanner.value($0)))" }.joined(separator: " ")
        }
    }

    @Test("The fast paths (UTF-8 checked first, unplanned containers skipped) change no result, value or error offset")
    func fastPathsChangeNothing() {
        let plan = CapturePlan(paths: Self.paths)
        let variants: [JSONScanner.FastPaths] = [.prevalidation, .containerSkipping, .all]
        // A deep limit, and a shallow one that the deep documents exceed inside skipped containers.
        let scanners = [1024, 16].map { maxDepth in
            (exact: JSONScanner(plan: plan, maxDepth: maxDepth, fastPaths: []),
             fast: variants.map { JSONScanner(plan: plan, maxDepth: maxDepth, fastPaths: $0) })
        }
        var generator = Generator(random: SplitMix64(seed: 20261130))
        var random = SplitMix64(seed: 0xF00D)
        var differences = 0
        var valid = 0
        for round in 0..<40_000 {
            var document = generator.document()
            if round % 4 == 2 {
                // The whole document (and its defects) in a container no planned path goes into.
                document = Array(#"{"z": ["#.utf8) + document + Array(#"], "k": 1}"#.utf8)
            } else if round % 2 == 1 {
                // A long string value of escapes, backslash runs, non-ASCII text and defects,
                // in a planned place or in an unplanned container.
                var body: [UInt8] = []
                for _ in 0..<Int(random.next() % 40) {
                    let pieces = StringScanKernelTests.pieces
                    body += pieces[Int(random.next() % UInt64(random.next() % 4 == 0 ? pieces.count : 15))]
                }
                let open = random.next() % 2 == 0 ? #"{"k": ""# : #"{"z": [{"y": 1}, ""#
                let close = open.hasPrefix(#"{"k""#) ? #"""# : #"", -0.5e3, [true, false, null]]"#
                document = Array(open.utf8) + body + Array(close.utf8) + Array(#", "a": {"b": "\u00e9é"}, "\u0061": 1}"#.utf8)
            }
            if String(validating: document, as: UTF8.self) != nil { valid += 1 }
            for (exact, fast) in scanners {
                let reference = Self.outcome(document, scanner: exact, nodes: plan.nodeIDs)
                for (variant, scanner) in zip(variants, fast) {
                    let outcome = Self.outcome(document, scanner: scanner, nodes: plan.nodeIDs)
                    if outcome != reference {
                        differences += 1
                        if differences <= 10 {
                            Issue.record("document \(String(decoding: document, as: UTF8.self).debugDescription), max depth \(exact.maxDepth): fast paths \(variant.rawValue) \(outcome), none \(reference)")
                        }
                    }
                }
            }
        }
        #expect(differences == 0)
        #expect(valid > 20_000 && valid < 39_000, "\(valid) of 40 000 documents are valid UTF-8")
    }

    /// Defects an unplanned container can hold, each cut at every length, in a few places: the
    /// skipping loop must never accept what the scanner rejects, nor end a container elsewhere.
    @Test("Unplanned containers with every hand-written defect, cut at every length, scan as without skipping")
    func skippedContainersWithDefects() {
        let snippets = [
            #"[1}"#, #"{"a":1]"#, #"{"a" 1}"#, #"{"a":1,}"#, #"[1,]"#, #"[,1]"#, #"{,}"#, #"{"a":}"#, #"{1:2}"#,
            #"{"a"::1}"#, #"{"a",1}"#, #"[01]"#, #"[-01]"#, #"[1.]"#, #"[.5]"#, #"[1e]"#, #"[1e+]"#, #"[-]"#, #"[--1]"#,
            #"[+1]"#, #"[1.5e-3,-0,0e0,2E+9]"#, #"[tru]"#, #"[nul]"#, #"[fals]"#, #"[True]"#, #"[truex]"#, #"[nulll]"#,
            #"["a" "b"]"#, #"[1 2]"#, #"{"a":1 "b":2}"#, "[\u{01}]", "[\"\u{01}\"]", #"[]]"#, #"[[]"#, #"{}}"#,
            #"["\u12"]"#, #"["\x"]"#, #"["\u12G4"]"#, #"[1]x"#, "[ 1 ,\t2\r,\n3 ]", "{ \"a\" :\t1 , \"b\":[ ] }",
            "[\u{0B}1]", "[1\u{0C}]", #"[{"a":[{"b":null}]},{"c":{}},[[[]]],"]\"}",true,false]"#, "[\"é\u{80}\"]",
            "[\"\\\\\"]", #"[{"a":"b"}{"c":1}]"#, #"[[1],[2]]]"#, #"{"a":{"b":{"c":[1,{"d":"e"}]}}}"#,
        ]
        let plan = CapturePlan(paths: Self.paths)
        let exact = JSONScanner(plan: plan, maxDepth: 1024, fastPaths: [])
        let skipping = [JSONScanner(plan: plan, maxDepth: 1024, fastPaths: .containerSkipping),
                        JSONScanner(plan: plan, maxDepth: 1024, fastPaths: .all)]
        var differences = 0
        var compared = 0
        for snippet in snippets {
            let bytes = Array(snippet.utf8)
            for cut in 1...bytes.count {
                let part = Array(bytes[..<cut])
                let documents = [Array(#"{"z": "#.utf8) + part + Array(#", "k": 1}"#.utf8),
                                 Array(#"{"z": "#.utf8) + part, part, part + Array(#" ,"#.utf8)]
                for document in documents {
                    compared += 1
                    let reference = Self.outcome(document, scanner: exact, nodes: plan.nodeIDs)
                    for scanner in skipping where Self.outcome(document, scanner: scanner, nodes: plan.nodeIDs) != reference {
                        differences += 1
                        if differences <= 10 {
                            Issue.record("document \(String(decoding: document, as: UTF8.self).debugDescription): skipping \(Self.outcome(document, scanner: scanner, nodes: plan.nodeIDs)), none \(reference)")
                        }
                    }
                }
            }
        }
        #expect(differences == 0)
        #expect(compared > 1500)
    }

    @Test("100 000 generated documents: the scanner agrees with Python's json module")
    func agreesWithPython() throws {
        let count = 100_000
        var generator = Generator(random: SplitMix64(seed: 20261129))
        let documents = (0..<count).map { _ in generator.document() }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("documents.jsonl", documents.flatMap { $0 + [0x0A] })

        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Oracles/json_reference.py").path
        python.arguments = ["python3", script, input]
        let output = Pipe()
        python.standardOutput = output
        try python.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        try #require(python.terminationStatus == 0, "python3 Tests/Oracles/json_reference.py failed")
        let expected = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        try #require(expected.count == count)

        let plan = CapturePlan(paths: Self.paths)
        // A deep limit, so that only the reference's rules decide (the depth limit is tested apart).
        let scanner = JSONScanner(plan: plan, maxDepth: 1024)
        var disagreements = 0
        var accepted = 0
        for (document, reference) in zip(documents, expected) {
            let ours = Self.describe(document, scanner: scanner, nodes: plan.nodeIDs)
            if ours.hasPrefix("ok") { accepted += 1 }
            // A lone surrogate: Python keeps it, tokentally writes U+FFFD; compare the rest.
            let same = ours == reference
                || (reference.contains("s:?") && ours.split(separator: " ").count == reference.split(separator: " ").count
                    && zip(ours.split(separator: " "), reference.split(separator: " ")).allSatisfy { $0 == $1 || $1.hasSuffix("s:?") })
            if !same {
                disagreements += 1
                if disagreements <= 10 {
                    Issue.record("document \(String(decoding: document, as: UTF8.self).debugDescription): ours \(ours), python \(reference)")
                }
            }
        }
        #expect(disagreements == 0)
        // The corpus exercises both sides.
        #expect(accepted > count / 2 && accepted < count * 95 / 100, "accepted \(accepted) of \(count)")
    }
}
