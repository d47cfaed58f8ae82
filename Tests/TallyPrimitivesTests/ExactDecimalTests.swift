import Testing

@testable import TallyPrimitives

// Expected values come from Python's `decimal` module (make-decimal-cases.py →
// DecimalCases.swift) or are worked out by hand in the comments; none is copied from the
// code's own output.

/// What a parse should give, in a form a Python script can write down.
enum ExpectedParse: Sendable, Equatable {
    /// `whole` in decimal digits, `fraction` in units of 10⁻¹⁸, and the plain decimal text.
    case value(whole: String, fraction: UInt64, isFractional: Bool, text: String)
    case negative, outOfRange, invalid
}

/// One row of the generated parse table.
struct DecimalParseCase: Sendable, CustomTestStringConvertible {
    let text: String
    let maximum: UInt64
    let expected: ExpectedParse

    init(_ text: String, maximum: UInt64, _ expected: ExpectedParse) {
        self.text = text
        self.maximum = maximum
        self.expected = expected
    }

    var testDescription: String { "\"\(text)\" (maximum \(maximum))" }
}

/// One row of the generated sum table.
struct DecimalSumCase: Sendable, CustomTestStringConvertible {
    let terms: [String]
    let whole: String
    let fraction: UInt64
    let text: String

    init(_ terms: [String], whole: String, fraction: UInt64, text: String) {
        self.terms = terms
        self.whole = whole
        self.fraction = fraction
        self.text = text
    }

    var testDescription: String { terms.joined(separator: " + ") }
}

/// Parses `text` as JSON number bytes.
func parseDecimal(_ text: String, maximum: UInt64 = UInt64(Int64.max)) -> ExactDecimal.ParseResult {
    Array(text.utf8).withUnsafeBytes { ExactDecimal.parse(jsonNumber: $0, maximum: maximum) }
}

/// A parse result in the table's terms.
func expectedForm(_ result: ExactDecimal.ParseResult) -> ExpectedParse {
    switch result {
    case .value(let value, let isFractional):
        return .value(whole: String(value.whole), fraction: value.fraction, isFractional: isFractional, text: value.description)
    case .negative: return .negative
    case .outOfRange: return .outOfRange
    case .invalid: return .invalid
    }
}

/// The value of a text that must parse.
func decimal(_ text: String) -> ExactDecimal {
    guard case .value(let value, _) = parseDecimal(text) else {
        Issue.record("\(text) did not parse")
        return .zero
    }
    return value
}

@Suite struct ExactDecimalParseTests {
    @Test("parse agrees with Python's decimal module", arguments: generatedParseCases)
    func parseAgreesWithOracle(_ row: DecimalParseCase) {
        #expect(expectedForm(parseDecimal(row.text, maximum: row.maximum)) == row.expected)
    }

    @Test func theGeneratedTableCoversEveryOutcome() {
        // Guards against a regenerated table that silently lost a category.
        var values = 0, fractional = 0, negative = 0, outOfRange = 0, invalid = 0
        for row in generatedParseCases {
            switch row.expected {
            case .value(_, _, let isFractional, _):
                values += 1
                if isFractional { fractional += 1 }
            case .negative: negative += 1
            case .outOfRange: outOfRange += 1
            case .invalid: invalid += 1
            }
        }
        #expect(generatedParseCases.count >= 500)
        #expect(values >= 300 && fractional >= 150 && negative >= 25 && outOfRange >= 20 && invalid >= 30)
    }

    // The brief's cases, spelled out by hand.

    @Test(arguments: [("1e3", "1000"), ("12.0", "12"), ("-0", "0"), ("1E+03", "1000"), ("0.5e1", "5")])
    func wholeNumbersInOtherSpellingsAreIntegers(_ text: String, _ expected: String) {
        guard case .value(let value, let isFractional) = parseDecimal(text) else {
            Issue.record("\(text) did not parse")
            return
        }
        #expect(!isFractional)
        #expect(value.isInteger)
        #expect(value.description == expected)
    }

    @Test func costsKeepEveryDigit() {
        // 0.00022500000000000002: 22 decimals, the 19th onward is "0002" < half → rounds down.
        #expect(parseDecimal("0.00022500000000000002")
            == .value(ExactDecimal(whole: 0, fraction: 225_000_000_000_000), isFractional: true))
        // 4.05e-06 = 0.00000405 = 4_050_000_000_000 × 10⁻¹⁸.
        #expect(parseDecimal("4.05e-06") == .value(ExactDecimal(whole: 0, fraction: 4_050_000_000_000), isFractional: true))
        #expect(decimal("0.0123").description == "0.0123")
        #expect(decimal("1321.53").description == "1321.53")
    }

    @Test func tinyValuesAreFractionalZeros() {
        #expect(parseDecimal("1e-400") == .value(.zero, isFractional: true))
        #expect(parseDecimal("1e-19") == .value(.zero, isFractional: true))  // 0.1 × 10⁻¹⁸ rounds down
        #expect(parseDecimal("5e-19") == .value(.zero, isFractional: true))  // exactly half, 0 is even
        #expect(parseDecimal("15e-19") == .value(ExactDecimal(whole: 0, fraction: 2), isFractional: true))  // 1.5 → 2
        #expect(parseDecimal("25e-19") == .value(ExactDecimal(whole: 0, fraction: 2), isFractional: true))  // 2.5 → 2
        #expect(parseDecimal("6e-19") == .value(ExactDecimal(whole: 0, fraction: 1), isFractional: true))
    }

    @Test func halfEvenRoundingCanCarryIntoTheWholePart() {
        // 0.9999999999999999995: 18 nines then 5, odd last kept digit → rounds up to 1.
        #expect(parseDecimal("0.9999999999999999995") == .value(ExactDecimal(1), isFractional: true))
        // 0.9999999999999999994 → stays at 0.999999999999999999.
        #expect(parseDecimal("0.9999999999999999994")
            == .value(ExactDecimal(whole: 0, fraction: 999_999_999_999_999_999), isFractional: true))
    }

    @Test func int64Boundary() {
        #expect(parseDecimal("9223372036854775807") == .value(ExactDecimal(UInt64(Int64.max)), isFractional: false))
        #expect(parseDecimal("9223372036854775808") == .outOfRange)
        #expect(parseDecimal("9223372036854775807.5") == .outOfRange)
        #expect(parseDecimal("9.223372036854775807e18") == .value(ExactDecimal(UInt64(Int64.max)), isFractional: false))
        #expect(parseDecimal("1e400") == .outOfRange)
        #expect(parseDecimal("1e9999999999999") == .outOfRange)
    }

    /// Regression (found by these tests): the maximum was compared with the value *after*
    /// rounding to 18 decimals, so 2⁶³−1 + 10⁻¹⁹ — beyond 2⁶³−1 — was accepted.
    @Test func theMaximumIsComparedWithTheExactValue() {
        #expect(parseDecimal("9223372036854775807.0000000000000000001") == .outOfRange)
        #expect(parseDecimal("9223372036854775806.9999999999999999999")
            == .value(ExactDecimal(UInt64(Int64.max)), isFractional: true))
        #expect(parseDecimal("100.5", maximum: 100) == .outOfRange)
        #expect(parseDecimal("99.99999999999999999999", maximum: 100) == .value(ExactDecimal(100), isFractional: true))
    }

    /// Regression (found by these tests): whole parts of 20 digits were out of range even when
    /// `maximum` is `UInt64.max` (the epoch parser's maximum).
    @Test func twentyDigitWholePartsUpToUInt64Max() {
        #expect(parseDecimal("18446744073709551615", maximum: .max) == .value(ExactDecimal(.max), isFractional: false))
        #expect(parseDecimal("10000000000000000000", maximum: .max) == .value(ExactDecimal(10_000_000_000_000_000_000), isFractional: false))
        #expect(parseDecimal("18446744073709551616", maximum: .max) == .outOfRange)
        #expect(parseDecimal("18446744073709551615.5", maximum: .max) == .outOfRange)
        #expect(parseDecimal("99999999999999999999", maximum: .max) == .outOfRange)
    }

    @Test(arguments: ["-5", "-1", "-0.5", "-1e-400", "-1e400", "-9223372036854775808"])
    func belowZeroIsNegative(_ text: String) {
        #expect(parseDecimal(text) == .negative)
    }

    @Test(arguments: ["", "-", "012", "+5", "NaN", "Infinity", "-Infinity", "1.", ".5", "1e", "1e+", "00", "-012", "1.e5", " 1", "1 ", "0x1F"])
    func notJSONNumberSyntaxIsInvalid(_ text: String) {
        #expect(parseDecimal(text) == .invalid)
    }
}

@Suite struct ExactDecimalArithmeticTests {
    @Test("sums agree with Python's decimal module", arguments: generatedSumCases)
    func sumAgreesWithOracle(_ row: DecimalSumCase) {
        var sum = ExactDecimal.zero
        for term in row.terms {
            let added = sum.add(decimal(term))
            #expect(added)
        }
        #expect(String(sum.whole) == row.whole)
        #expect(sum.fraction == row.fraction)
        #expect(sum.description == row.text)
    }

    @Test func twoToTheFiftyThreePlusOnePlusAHalf() {
        // 2⁵³ + 1 = 9007199254740993 is not a Double; the sum must still be exact.
        var sum = decimal("9007199254740993")
        let added = sum.add(decimal("0.5"))
        #expect(added)
        #expect(sum.description == "9007199254740993.5")
        #expect(sum.whole == 9_007_199_254_740_993)
        #expect(sum.fraction == 500_000_000_000_000_000)
    }

    @Test func fractionsCarryIntoTheWholePart() {
        var sum = decimal("0.999999999999999999")
        let added = sum.add(decimal("0.000000000000000001"))
        #expect(added)
        #expect(sum == ExactDecimal(1))
        #expect(sum.description == "1")

        var costs = decimal("0.6")
        let addedCosts = costs.add(decimal("0.7"))
        #expect(addedCosts)
        #expect(costs.description == "1.3")

        var many = ExactDecimal.zero
        for _ in 0..<10 {
            let added = many.add(decimal("0.1"))
            #expect(added)
        }
        #expect(many == ExactDecimal(1))  // 0.1 × 10 is exactly 1, unlike in binary floating point
    }

    @Test func int64SumsGoBeyondInt64WithoutWrapping() {
        var sum = ExactDecimal(UInt64(Int64.max))
        #expect(!sum.exceedsInt64)
        let added = sum.add(ExactDecimal(UInt64(Int64.max)))
        #expect(added)
        #expect(sum.description == "18446744073709551614")  // 2 × (2⁶³ − 1)
        #expect(sum.exceedsInt64)
        let addedTwo = sum.add(ExactDecimal(2))
        #expect(addedTwo)
        #expect(sum.description == "18446744073709551616")  // 2⁶⁴: beyond UInt64 too
    }

    @Test func exceedsInt64() {
        #expect(!ExactDecimal(UInt64(Int64.max)).exceedsInt64)
        #expect(ExactDecimal(whole: UInt128(Int64.max), fraction: 1).exceedsInt64)
        #expect(ExactDecimal(UInt64(Int64.max) + 1).exceedsInt64)
        #expect(!ExactDecimal(whole: UInt128(Int64.max) - 1, fraction: 999_999_999_999_999_999).exceedsInt64)
    }

    @Test func wholePartOverflowAt2To128IsReportedAndLeavesTheValueUnchanged() {
        let max = ExactDecimal(whole: .max, fraction: 0)
        var a = max
        let added = a.add(ExactDecimal(1))
        #expect(!added)
        #expect(a == max)

        // 2¹²⁷ + 2¹²⁷ = 2¹²⁸.
        var half = ExactDecimal(whole: UInt128(1) << 127, fraction: 0)
        let addedHalf = half.add(ExactDecimal(whole: UInt128(1) << 127, fraction: 0))
        #expect(!addedHalf)
        #expect(half.description == "170141183460469231731687303715884105728")  // 2¹²⁷, unchanged

        // Only the carry from the fraction overflows.
        let almost = ExactDecimal(whole: .max, fraction: 500_000_000_000_000_000)
        var b = almost
        let addedB = b.add(ExactDecimal(whole: 0, fraction: 500_000_000_000_000_000))
        #expect(!addedB)
        #expect(b == almost)

        // One below: the carry lands exactly on 2¹²⁸ − 1.
        var c = ExactDecimal(whole: .max - 1, fraction: 500_000_000_000_000_000)
        let addedC = c.add(ExactDecimal(whole: 0, fraction: 500_000_000_000_000_000))
        #expect(addedC)
        #expect(c.description == "340282366920938463463374607431768211455")  // 2¹²⁸ − 1
    }

    @Test func description() {
        #expect(ExactDecimal.zero.description == "0")
        #expect(ExactDecimal(whole: 0, fraction: 1).description == "0.000000000000000001")
        #expect(ExactDecimal(whole: 12, fraction: 500_000_000_000_000_000).description == "12.5")
        #expect(ExactDecimal(whole: 7, fraction: 10).description == "7.00000000000000001")
        #expect(ExactDecimal(whole: .max, fraction: 999_999_999_999_999_999).description
            == "340282366920938463463374607431768211455.999999999999999999")
    }

    @Test func ordering() {
        #expect(decimal("1.5") < decimal("2"))
        #expect(decimal("2") < decimal("2.000000000000000001"))
        #expect(!(decimal("2") < decimal("2.0")))
        #expect(decimal("0.9") < decimal("1"))
        #expect(ExactDecimal(whole: 1, fraction: 999_999_999_999_999_999) < ExactDecimal(2))
        #expect(decimal("12.0") == ExactDecimal(12))
    }

    @Test func aFractionOfOneWholeUnitOrMoreIsRejected() async {
        await #expect(processExitsWith: .failure) {
            _ = ExactDecimal(whole: 0, fraction: 1_000_000_000_000_000_000)
        }
    }
}

/// Every string up to 5 characters over `0 1 - + . e E`, checked against the RFC 8259 number
/// grammar written as a regular expression.
@Test func parseAcceptsExactlyTheJSONNumberGrammar() throws {
    let grammar = try Regex(#"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?"#)
    let alphabet: [Character] = ["0", "1", "-", "+", ".", "e", "E"]
    var texts: [String] = [""]
    var all: [String] = []
    for _ in 1...5 {
        texts = texts.flatMap { prefix in alphabet.map { prefix + String($0) } }
        all += texts
    }
    var disagreements: [String] = []
    var numbers = 0
    for text in all {
        let isNumber = text.wholeMatch(of: grammar) != nil
        if isNumber { numbers += 1 }
        if (parseDecimal(text) != .invalid) != isNumber { disagreements.append(text) }
    }
    #expect(disagreements.isEmpty, "first: \(disagreements.prefix(10))")
    #expect(all.count == 19_607)
    #expect(numbers == 336)  // counted with Python's re over the same strings
}

/// The word-at-a-time path for short integers, against Swift's own integer parsing: every
/// length from 1 to 8, every digit in every position, and every byte that is not a digit in
/// every position; the expected values come from `UInt64(_:radix:)`.
@Suite struct EightDigitTests {
    static func eightDigits(_ text: String) -> UInt64? {
        Array(text.utf8).withUnsafeBytes { ExactDecimal.eightDigits($0) }
    }

    @Test func everyNumberBelowOneHundredThousand() {
        for value in 0..<100_000 {
            #expect(Self.eightDigits(String(value)) == UInt64(value))
        }
    }

    @Test func everyDigitInEveryPositionOfEveryLength() {
        for length in 1...8 {
            for position in 0..<length {
                for digit in (position == 0 && length > 1 ? 1 : 0)...9 {
                    var digits = Array(repeating: UInt8(ascii: "7"), count: length)
                    digits[position] = UInt8(ascii: "0") + UInt8(digit)
                    let text = String(decoding: digits, as: UTF8.self)
                    #expect(Self.eightDigits(text) == UInt64(text, radix: 10), "\(text)")
                }
            }
        }
        #expect(Self.eightDigits("99999999") == 99_999_999)
        #expect(Self.eightDigits("10000000") == 10_000_000)
    }

    @Test func anyOtherByteOrALeadingZeroIsNotForThisPath() {
        for length in 1...8 {
            for position in 0..<length {
                for byte in 0...255 where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(UInt8(byte)) {
                    var digits = Array(repeating: UInt8(ascii: "5"), count: length)
                    digits[position] = UInt8(byte)
                    let result = digits.withUnsafeBytes { ExactDecimal.eightDigits($0) }
                    #expect(result == nil, "byte \(byte) at \(position) of \(length)")
                }
            }
        }
        for text in ["00", "01", "0123", "00000000", "-1", "+1", "1.5", "1e3"] {
            #expect(Self.eightDigits(text) == nil, "\(text)")
        }
        #expect(Self.eightDigits("0") == 0)
    }
}
