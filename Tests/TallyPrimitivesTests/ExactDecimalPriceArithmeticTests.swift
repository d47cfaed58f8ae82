import Testing

@testable import TallyPrimitives

/// Products and differences used by `--prices` (issue 6). Expected values are worked out by
/// hand in the comments.
@Suite struct ExactDecimalPriceArithmeticTests {
    func d(_ text: String) -> ExactDecimal { ExactDecimal(decimalText: Substring(text))! }

    @Test func parsesDecimalText() {
        #expect(d("3").description == "3")
        #expect(d("0.30").description == "0.3")
        #expect(d("1.25e-1").description == "0.125")
        #expect(ExactDecimal(decimalText: "-1") == nil)
        #expect(ExactDecimal(decimalText: "abc") == nil)
        #expect(ExactDecimal(decimalText: "") == nil)
        #expect(ExactDecimal(decimalText: "1,5") == nil)
    }

    @Test func subtracts() {
        #expect(d("5").subtracting(d("3")) == d("2"))
        // 1.2 − 0.5: borrow from the whole part.
        #expect(d("1.2").subtracting(d("0.5")) == d("0.7"))
        #expect(d("1").subtracting(d("0.000000000000000001"))?.description == "0.999999999999999999")
        #expect(d("3").subtracting(d("3")) == .zero)
        #expect(d("3").subtracting(d("3.000000000000000001")) == nil)
    }

    @Test func multipliesPerMillionTokens() {
        // 1,000,000 × $3 / 10⁶ = $3.
        #expect(d("1000000").multiplied(by: d("3"), dividedByPowerOfTen: 6) == d("3"))
        // 800,000 × $3 / 10⁶ = $2.4; 200,000 × $0.30 / 10⁶ = $0.06; 500 × $15 / 10⁶ = $0.0075.
        #expect(d("800000").multiplied(by: d("3"), dividedByPowerOfTen: 6)?.description == "2.4")
        #expect(d("200000").multiplied(by: d("0.30"), dividedByPowerOfTen: 6)?.description == "0.06")
        #expect(d("500").multiplied(by: d("15"), dividedByPowerOfTen: 6)?.description == "0.0075")
        // 1 token at $0.000000000001 per Mtok = 10⁻¹⁸: exactly representable.
        #expect(d("1").multiplied(by: d("0.000000000001"), dividedByPowerOfTen: 6)?.description == "0.000000000000000001")
        // Fractional counts: 1321.53 × $0.15 / 10⁶ = 0.0001982295.
        #expect(d("1321.53").multiplied(by: d("0.15"), dividedByPowerOfTen: 6)?.description == "0.0001982295")
        #expect(d("0").multiplied(by: d("15"), dividedByPowerOfTen: 6) == .zero)
        #expect(d("2.5").multiplied(by: d("4")) == d("10"))
    }

    @Test func roundsHalfToEven() {
        // 1 × 0.0000000000005 / 10⁶ = 5 · 10⁻¹⁹: half, rounds to the even 0.
        #expect(d("1").multiplied(by: d("0.0000000000005"), dividedByPowerOfTen: 6) == .zero)
        // 3 × 0.0000000000005 / 10⁶ = 1.5 · 10⁻¹⁸: half, rounds to the even 2 · 10⁻¹⁸.
        #expect(d("3").multiplied(by: d("0.0000000000005"), dividedByPowerOfTen: 6)?.description == "0.000000000000000002")
        // 1 × 0.0000000000006 / 10⁶ = 6 · 10⁻¹⁹: above half, rounds up to 10⁻¹⁸.
        #expect(d("1").multiplied(by: d("0.0000000000006"), dividedByPowerOfTen: 6)?.description == "0.000000000000000001")
        // 1 × 0.0000000000004 / 10⁶ = 4 · 10⁻¹⁹: below half, rounds down to 0.
        #expect(d("1").multiplied(by: d("0.0000000000004"), dividedByPowerOfTen: 6) == .zero)
    }

    @Test func reportsResultsBeyondRange() {
        let huge = ExactDecimal(whole: UInt128(1) << 100, fraction: 0)
        #expect(huge.multiplied(by: d("1")) == nil)  // 2¹⁰⁰ · 10¹⁸ does not fit 128 bits
        // (2⁶³−1)² ≈ 8.5 · 10³⁷: beyond the 128-bit whole part in units of 10⁻¹⁸.
        let big = ExactDecimal(UInt64(Int64.max))
        #expect(big.multiplied(by: big) == nil)
        // (2⁶³−1) × $1000 / 10⁶ = 9223372036854775.807: fits.
        #expect(big.multiplied(by: d("1000"), dividedByPowerOfTen: 6)?.description == "9223372036854775.807")
    }
}
