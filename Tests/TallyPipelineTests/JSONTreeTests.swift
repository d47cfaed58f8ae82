import Foundation
import TestSupport
import Testing

@testable import TallyPipeline

/// `inspect`'s JSON trees against Foundation's `JSONSerialization`, an independent parser.
@Suite struct JSONTreeTests {
    static let documents = [
        #"{}"#,
        #" { "a" : [ 1 , -2.5e3 , 0 , 1E+2 , true , false , null , "" ] , "b" : { } } "#,
        #"{"model":"gpt-4o","usage":{"input_tokens":12,"output_tokens":3},"metadata":{"team":"a"}}"#,
        #"{"text":"quote \" backslash \\ slash \/ controls \b\f\n\r\t","u":"\u00e9\u4e2d\ud83d\ude00é中😀"}"#,
        #"{"deep":[[[[{"x":[{"y":[[]]}]}]]]],"n":[-0,0.000001,123456789012345678901234567890]}"#,
        #"{"a\u0062c":1,"":{"":[]}}"#,
    ]

    @Test("every document parses to what JSONSerialization makes of it")
    func agreesWithFoundation() throws {
        for document in Self.documents {
            let tree = Array(document.utf8).withUnsafeBytes { JSONTree.object(parsing: $0) }
            let parsed = try #require(tree, "\(document)")
            let reference = try JSONSerialization.jsonObject(with: Data(document.utf8), options: [])
            #expect(Self.matches(.object(parsed), reference), "\(document)")
        }
    }

    @Test("2 000 random documents parse to what JSONSerialization makes of them")
    func randomDocumentsAgreeWithFoundation() throws {
        var generator = Self.Generator(random: SplitMix64(seed: 20261130))
        for _ in 0..<2_000 {
            let document = "{" + generator.members(depth: 0) + "}"
            let tree = try #require(Array(document.utf8).withUnsafeBytes { JSONTree.object(parsing: $0) }, "\(document)")
            let reference = try JSONSerialization.jsonObject(with: Data(document.utf8), options: [])
            #expect(Self.matches(.object(tree), reference), "\(document)")
        }
    }

    /// Random JSON text: every kind of value, escapes, non-ASCII text, whitespace, nesting;
    /// keys distinct within an object (on duplicates, the tree keeps the last value, as the
    /// decoder does; Foundation's choice is its own).
    struct Generator {
        var random: SplitMix64
        mutating func pick(_ count: Int) -> Int { Int(random.next() % UInt64(count)) }
        mutating func space() -> String { ["", "", "", " ", "\n\t "][pick(5)] }
        mutating func string() -> String {
            let pieces = ["a", "key", "é", "中", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\ud83d\\ude00", "\\u0041", " "]
            return "\"" + (0..<pick(6)).map { _ in pieces[pick(pieces.count)] }.joined() + "\""
        }
        mutating func number() -> String {
            ["0", "-0", "7", "-12", "1795938312", "0.5", "-3.25e2", "1E+3", "2e-2", "123456789012345"][pick(10)]
        }
        mutating func value(depth: Int) -> String {
            switch depth >= 4 ? pick(5) : pick(7) {
            case 0: return string()
            case 1: return number()
            case 2: return ["true", "false"][pick(2)]
            case 3: return "null"
            case 4: return number()
            case 5: return "{" + members(depth: depth + 1) + space() + "}"
            default: return "[" + (0..<pick(4)).map { _ in space() + value(depth: depth + 1) + space() }.joined(separator: ",") + "]"
            }
        }
        mutating func members(depth: Int) -> String {
            // Keys escaped like values, kept distinct by their `k<index>` start.
            (0..<pick(5)).map { index in space() + "\"k\(index)" + string().dropFirst() + space() + ":" + space() + value(depth: depth) + space() }
                .joined(separator: ",")
        }
    }

    @Test("numbers are kept as written; of a duplicated key the last wins, as in the decoder")
    func numbersAndDuplicates() throws {
        let object = try #require(Array(#"{"t":1.7643e9,"k":1,"k":{"v":"x"}}"#.utf8).withUnsafeBytes { JSONTree.object(parsing: $0) })
        #expect(object["t"] == .number("1.7643e9"))
        #expect(object["k"] == .object(["v": .string("x")]))
        #expect(object["k"]?.members?["v"]?.text == "x")
    }

    @Test("anything but one object is nil", arguments: [#"[1]"#, #""s""#, #"1"#, #"{"a":1} {"#, #"{"a":1"#, #"{"a" 1}"#, ""])
    func notOneObject(text: String) {
        #expect(Array(text.utf8).withUnsafeBytes { JSONTree.object(parsing: $0) } == nil)
    }

    /// Whether `tree` is what Foundation parsed: the same members, elements and strings, and
    /// numbers of the same value.
    static func matches(_ tree: JSONTree, _ value: Any) -> Bool {
        switch tree {
        case .object(let members):
            guard let dictionary = value as? [String: Any], dictionary.count == members.count else { return false }
            return members.allSatisfy { key, member in dictionary[key].map { matches(member, $0) } ?? false }
        case .array(let elements):
            guard let array = value as? [Any], array.count == elements.count else { return false }
            return zip(elements, array).allSatisfy { matches($0, $1) }
        case .string(let text):
            return value as? String == text
        case .number(let literal):
            guard let number = value as? NSNumber, let double = Double(literal) else { return false }
            return number.doubleValue == double
        case .bool(let flag):
            return (value as? Bool) == flag
        case .null:
            return value is NSNull
        }
    }
}
