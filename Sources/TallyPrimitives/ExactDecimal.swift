/// A non-negative decimal number with 18 fractional digits that sums exactly.
///
/// Token counts are whole numbers almost always, but the OpenRouter SDK types them as JSON
/// `number`, so `1321.0` and even `1321.53` occur; costs are small fractions such as
/// `4.05e-06`. Binary floating point would lose both (`9007199254740993 + 0.5` is not
/// representable as a `Double`), so every measure is kept as a 128-bit whole part and a fraction
/// counted in units of 10⁻¹⁸. Sums are exact: the whole part cannot realistically overflow
/// (2⁶⁴ values of 2⁶³ each), and ``add(_:)`` still reports it if it ever does, instead of
/// wrapping or trapping.
public struct ExactDecimal: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Digits kept after the decimal point; digits beyond are rounded half-to-even.
    public static let fractionDigits = 18
    /// 10¹⁸: one whole unit in fraction units.
    @usableFromInline static let fractionScale: UInt64 = 1_000_000_000_000_000_000

    /// The whole part.
    public var whole: UInt128 { wholeStorage }
    /// The fractional part in units of 10⁻¹⁸, always below 10¹⁸.
    public var fraction: UInt64 { fractionStorage }

    // The whole part as two 64-bit halves, not a UInt128: a UInt128 is 16-byte aligned and
    // would make each value take 32 bytes instead of 24, and a group's measures 8 of them.
    @usableFromInline var wholeLow: UInt64
    @usableFromInline var wholeHigh: UInt64
    @usableFromInline var fractionStorage: UInt64

    @inlinable
    var wholeStorage: UInt128 {
        get { UInt128(wholeHigh) << 64 | UInt128(wholeLow) }
        set {
            wholeLow = UInt64(truncatingIfNeeded: newValue)
            wholeHigh = UInt64(truncatingIfNeeded: newValue >> 64)
        }
    }

    /// Zero (computed: a stored static would be a lazily initialised global, checked at
    /// every use).
    @inlinable
    public static var zero: ExactDecimal { ExactDecimal(0) }

    /// A whole number.
    @inlinable
    public init(_ whole: UInt64) {
        wholeLow = whole
        wholeHigh = 0
        fractionStorage = 0
    }

    /// A number from its whole part and its fraction in units of 10⁻¹⁸ (must be below 10¹⁸).
    public init(whole: UInt128, fraction: UInt64) {
        precondition(fraction < Self.fractionScale, "fraction out of range")
        wholeLow = UInt64(truncatingIfNeeded: whole)
        wholeHigh = UInt64(truncatingIfNeeded: whole >> 64)
        fractionStorage = fraction
    }

    /// True when the number has no fractional part.
    @inlinable
    public var isInteger: Bool { fractionStorage == 0 }

    /// True when the number does not fit a signed 64-bit integer column (BIGINT).
    public var exceedsInt64: Bool { whole > UInt128(Int64.max) || (whole == UInt128(Int64.max) && fraction != 0) }

    /// Adds `other` exactly; returns false (and leaves `self` unchanged) on overflow.
    @inlinable
    @discardableResult
    public mutating func add(_ other: ExactDecimal) -> Bool {
        var newFraction = fractionStorage &+ other.fractionStorage  // both < 10¹⁸: no overflow
        var carry: UInt128 = 0
        if newFraction >= Self.fractionScale {
            newFraction -= Self.fractionScale
            carry = 1
        }
        let (partial, overflow1) = wholeStorage.addingReportingOverflow(other.wholeStorage)
        let (sum, overflow2) = partial.addingReportingOverflow(carry)
        if overflow1 || overflow2 { return false }
        wholeStorage = sum
        fractionStorage = newFraction
        return true
    }

    /// The decimal text: no exponent, no separators, `.` as decimal point, no trailing zeros
    /// after it (`12`, `0.000225`, `9007199254740993.5`).
    public var description: String {
        var bytes: [UInt8] = []
        appendText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the ``description`` text as UTF-8, without creating a `String` (the output
    /// stage writes millions of cells).
    public func appendText(to bytes: inout [UInt8]) {
        // The whole part in chunks of 19 digits (10¹⁹ < 2⁶⁴), most significant first.
        let chunk: UInt128 = 10_000_000_000_000_000_000
        if wholeStorage <= UInt128(UInt64.max) {
            Self.appendDigits(UInt64(wholeStorage), minimumWidth: 1, to: &bytes)
        } else {
            var chunks: [UInt64] = []
            var rest = wholeStorage
            while rest > 0 {
                chunks.append(UInt64(rest % chunk))
                rest /= chunk
            }
            Self.appendDigits(chunks.removeLast(), minimumWidth: 1, to: &bytes)
            while let next = chunks.popLast() { Self.appendDigits(next, minimumWidth: 19, to: &bytes) }
        }
        guard fractionStorage != 0 else { return }
        bytes.append(UInt8(ascii: "."))
        var fraction = fractionStorage
        var width = Self.fractionDigits
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        Self.appendDigits(fraction, minimumWidth: width, to: &bytes)
    }

    /// Decimal digits of `value`, zero-padded on the left to `minimumWidth`.
    public static func appendDigits(_ value: UInt64, minimumWidth: Int, to bytes: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, no heap
        withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            var rest = value
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            while scratch.count - position < minimumWidth {
                position -= 1
                scratch[position] = UInt8(ascii: "0")
            }
            bytes.append(contentsOf: scratch[position...])
        }
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        (lhs.whole, lhs.fraction) < (rhs.whole, rhs.fraction)
    }
}

// MARK: - Parsing JSON number text

extension ExactDecimal {
    /// What a JSON number's text means as a non-negative measure.
    public enum ParseResult: Equatable, Sendable {
        /// The value, and whether its exact value had a non-zero fraction (before rounding to
        /// 18 digits: `1e-400` is fractional and rounds to 0).
        case value(ExactDecimal, isFractional: Bool)
        /// Below zero (`-0` is zero, not negative).
        case negative
        /// Above the allowed maximum (2⁶³−1 by default).
        case outOfRange
        /// Not JSON number syntax.
        case invalid
    }

    /// Parses the text of a JSON number (RFC 8259 grammar) exactly.
    ///
    /// `1e3`, `12.0` and `-0` are whole numbers; a value above `maximum` is out of range;
    /// digits beyond the 18th decimal are rounded half to even.
    public static func parse(
        jsonNumber text: UnsafeRawBufferPointer,
        maximum: UInt64 = UInt64(Int64.max)
    ) -> ParseResult {
        let count = text.count
        guard count > 0 else { return .invalid }
        if count <= 8, let whole = eightDigits(text) {
            return whole > maximum ? .outOfRange : .value(ExactDecimal(whole), isFractional: false)
        }
        var index = 0
        let isNegative = text[0] == UInt8(ascii: "-")
        if isNegative { index = 1 }

        // Fast paths for what logs hold almost always: up to 18 digits (a count), or up to 18
        // digits, a point and up to 18 digits (a cost such as 0.0123), without an exponent.
        if count - index <= 37 {
            var whole: UInt64 = 0
            var scan = index
            while scan < count, scan - index < 18 {
                let digit = text[scan] &- UInt8(ascii: "0")
                if digit > 9 { break }
                whole = whole &* 10 &+ UInt64(digit)
                scan += 1
            }
            let wholeDigits = scan - index
            let leadingZeroOK = wholeDigits == 1 || (wholeDigits > 1 && text[index] != UInt8(ascii: "0"))
            if leadingZeroOK && scan == count {
                if isNegative && whole != 0 { return .negative }
                if whole > maximum { return .outOfRange }
                return .value(ExactDecimal(whole), isFractional: false)
            }
            if leadingZeroOK && text[scan] == UInt8(ascii: ".") && count - scan - 1 >= 1 && count - scan - 1 <= 18 {
                var fraction: UInt64 = 0
                var digits = 0
                var plain = true
                for position in (scan + 1)..<count {
                    let digit = text[position] &- UInt8(ascii: "0")
                    if digit > 9 { plain = false; break }
                    fraction = fraction &* 10 &+ UInt64(digit)
                    digits += 1
                }
                if plain {
                    for _ in digits..<fractionDigits { fraction &*= 10 }
                    if isNegative && (whole != 0 || fraction != 0) { return .negative }
                    if whole > maximum || (whole == maximum && fraction != 0) { return .outOfRange }
                    return .value(ExactDecimal(whole: UInt128(whole), fraction: fraction), isFractional: fraction != 0)
                }
            }
        }
        return parseGeneral(text, from: index, isNegative: isNegative, maximum: maximum)
    }

    /// The value of 1 to 8 bytes that are all digits, without a leading zero (a JSON integer
    /// such as a token count), or nil. No loop: the digits are read as one word, checked and
    /// combined with three multiplications (as simdjson's `parse_eight_digits_unrolled`), so
    /// no loop runs over the digits and a count's length costs almost nothing.
    @inline(__always)
    static func eightDigits(_ text: UnsafeRawBufferPointer) -> UInt64? {
        let count = text.count
        guard count == 1 || text[0] != UInt8(ascii: "0") else { return nil }
        // Read little-endian, the first digit is the lowest byte: two overlapping 4-byte loads
        // (or the first, middle and last byte of a shorter text), no byte loop or call.
        let p = text.baseAddress!
        var word: UInt64
        if count >= 4 {
            let head = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            let tail = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)))
            word = head | tail &<< UInt64((count &- 4) &* 8)
        } else {
            let middle = count >> 1, last = count &- 1
            word = UInt64(p.load(as: UInt8.self))
                | UInt64(p.load(fromByteOffset: middle, as: UInt8.self)) &<< UInt64(middle &* 8)
                | UInt64(p.load(fromByteOffset: last, as: UInt8.self)) &<< UInt64(last &* 8)
        }
        // Shifted up, the digits end the word and the bytes before them are filled with "0".
        let free = UInt64(8 &- count) &* 8  // 0…56 bits
        // (x >> (63 − free)) >> 1 is x >> (64 − free), and 0 when free is 0.
        let zeros = ((0x3030_3030_3030_3030 as UInt64) &>> (63 &- free)) &>> 1
        word = (word &<< free) | zeros
        // All digits: every byte is 0x30…0x39.
        guard (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) &>> 4)
            == 0x3333_3333_3333_3333
        else { return nil }
        var value = word & 0x0F0F_0F0F_0F0F_0F0F
        value = (value &* 2561) &>> 8
        value = ((value & 0x00FF_00FF_00FF_00FF) &* 6_553_601) &>> 16
        return ((value & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) &>> 32
    }

    private static func parseGeneral(
        _ text: UnsafeRawBufferPointer, from start: Int, isNegative: Bool, maximum: UInt64
    ) -> ParseResult {
        let count = text.count
        let zero = UInt8(ascii: "0")
        func isDigit(_ byte: UInt8) -> Bool { byte &- zero <= 9 }

        // Integer digits.
        var index = start
        let integerStart = index
        while index < count, isDigit(text[index]) { index += 1 }
        let integerEnd = index
        let integerCount = integerEnd - integerStart
        guard integerCount > 0 else { return .invalid }
        if integerCount > 1 && text[integerStart] == zero { return .invalid }

        // Fraction digits.
        var fractionStart = index
        var fractionEnd = index
        if index < count, text[index] == UInt8(ascii: ".") {
            index += 1
            fractionStart = index
            while index < count, isDigit(text[index]) { index += 1 }
            fractionEnd = index
            guard fractionEnd > fractionStart else { return .invalid }
        }
        let fractionCount = fractionEnd - fractionStart

        // Exponent, saturated far beyond any value that matters.
        var exponent = 0
        if index < count, text[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            let exponentStart = index
            while index < count, isDigit(text[index]) {
                if exponent < 1_000_000_000 { exponent = exponent * 10 + Int(text[index] - zero) }
                index += 1
            }
            guard index > exponentStart else { return .invalid }
            if exponentNegative { exponent = -exponent }
        }
        guard index == count else { return .invalid }

        // The digits as one sequence D (integer digits then fraction digits).
        let digitCount = integerCount + fractionCount
        func digit(_ k: Int) -> UInt8 {
            k < integerCount ? text[integerStart + k] - zero : text[fractionStart + k - integerCount] - zero
        }
        var firstNonZero = 0
        while firstNonZero < digitCount, digit(firstNonZero) == 0 { firstNonZero += 1 }
        if firstNonZero == digitCount {
            return .value(.zero, isFractional: false)  // 0, -0, 0.000, 0e5
        }
        if isNegative { return .negative }

        // Significant digits S = D[firstNonZero...]; the decimal point sits after `point` of them.
        let significantCount = digitCount - firstNonZero
        let point = integerCount - firstNonZero + exponent
        func significant(_ k: Int) -> UInt8 {
            k >= 0 && k < significantCount ? digit(firstNonZero + k) : 0
        }
        // S[0] is non-zero, so the whole part has `point` digits; more than 20 exceed UInt64,
        // and 20 may (the epoch parser allows up to UInt64.max).
        if point > 20 { return .outOfRange }

        var wholePart: UInt64 = 0
        if point > 0 {
            for k in 0..<point {
                let (times10, overflow1) = wholePart.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = times10.addingReportingOverflow(UInt64(significant(k)))
                if overflow1 || overflow2 { return .outOfRange }
                wholePart = next
            }
        }
        var fractionPart: UInt64 = 0
        for j in 0..<fractionDigits { fractionPart = fractionPart * 10 + UInt64(significant(point + j)) }

        // Any non-zero digit at or after the point makes the value fractional.
        var isFractional = point <= 0
        if !isFractional {
            var k = point
            while k < significantCount {
                if significant(k) != 0 { isFractional = true; break }
                k += 1
            }
        }

        // The exact value decides the range, not the rounded one: 2⁶³−1 + 10⁻¹⁹ is beyond 2⁶³−1.
        // Below the maximum, rounding up reaches at most the maximum itself, with no fraction.
        if wholePart > maximum || (wholePart == maximum && isFractional) { return .outOfRange }

        // Round half to even at the 19th decimal.
        let roundIndex = point + fractionDigits
        var roundDigit: UInt8 = 0
        var sticky = false
        if roundIndex < 0 {
            sticky = true
        } else if roundIndex < significantCount {
            roundDigit = significant(roundIndex)
            var k = roundIndex + 1
            while k < significantCount {
                if significant(k) != 0 { sticky = true; break }
                k += 1
            }
        }
        if roundDigit > 5 || (roundDigit == 5 && (sticky || fractionPart & 1 == 1)) {
            fractionPart += 1
            if fractionPart == fractionScale {
                fractionPart = 0
                let (bumped, overflow) = wholePart.addingReportingOverflow(1)
                if overflow { return .outOfRange }
                wholePart = bumped
            }
        }
        return .value(ExactDecimal(whole: UInt128(wholePart), fraction: fractionPart), isFractional: isFractional)
    }
}

/// Stored exactly as text: the whole part, a point, and the 18 fraction digits
/// (`"12.000000000000000000"`), so no reader rounds it through a double.
extension ExactDecimal: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == Self.fractionDigits, let whole = UInt128(String(parts[0])),
            let fraction = UInt64(String(parts[1])), fraction < Self.fractionScale
        else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an exact decimal: \(text)"))
        }
        self.init(whole: whole, fraction: fraction)
    }

    public func encode(to encoder: any Encoder) throws {
        var digits = String(fraction)
        digits = String(repeating: "0", count: Self.fractionDigits - digits.count) + digits
        var container = encoder.singleValueContainer()
        try container.encode("\(whole).\(digits)")
    }
}

// MARK: - Prices: products and differences

extension ExactDecimal {
    /// The number in units of 10⁻¹⁸, when that fits 128 bits (below about 3.4 · 10²⁰).
    public var scaled: UInt128? {
        let (product, overflow) = wholeStorage.multipliedReportingOverflow(by: UInt128(Self.fractionScale))
        if overflow { return nil }
        let (sum, carry) = product.addingReportingOverflow(UInt128(fractionStorage))
        return carry ? nil : sum
    }

    /// The number of `units` × 10⁻¹⁸ (128-bit units always fit the 128-bit whole part).
    @inlinable
    public init(units: UInt128) {
        if units <= UInt128(UInt64.max) {
            let small = UInt64(units)  // 64-bit division: the common case, and much faster
            self.init(whole: UInt128(small / Self.fractionScale), fraction: small % Self.fractionScale)
        } else {
            self.init(whole: units / UInt128(Self.fractionScale), fraction: UInt64(units % UInt128(Self.fractionScale)))
        }
    }

    /// The value as a 64-bit integer when it is a whole number that fits.
    @inlinable
    public var wholeUInt64: UInt64? {
        fractionStorage == 0 && wholeStorage <= UInt128(UInt64.max) ? UInt64(wholeStorage) : nil
    }

    /// `self − other`, or nil when that is below zero (an `ExactDecimal` is never negative).
    public func subtracting(_ other: ExactDecimal) -> ExactDecimal? {
        if self < other { return nil }
        var whole = wholeStorage - other.wholeStorage
        var fraction = fractionStorage
        if fraction < other.fractionStorage {
            fraction += Self.fractionScale
            whole -= 1
        }
        return ExactDecimal(whole: whole, fraction: fraction - other.fractionStorage)
    }

    /// `self × other ÷ 10^shift`, rounded half to even at the 18th decimal (a price per million
    /// tokens times a token count: `shift` 6). Nil when a factor is 3.4 · 10²⁰ or more, or the
    /// result does not fit.
    ///
    /// The product is taken in 256 bits and rounded once, so it is exact whenever the exact
    /// result has at most 18 decimals: a whole token count times a price with at most 12
    /// decimals per million tokens.
    public func multiplied(by other: ExactDecimal, dividedByPowerOfTen shift: Int = 0) -> ExactDecimal? {
        precondition((0...20).contains(shift), "shift out of range")
        guard let a = scaled, let b = other.scaled else { return nil }
        // a · b is in units of 10⁻³⁶; the result is in units of 10⁻¹⁸, divided by 10^shift.
        var divisor: UInt128 = UInt128(Self.fractionScale)
        for _ in 0..<shift { divisor *= 10 }
        let product = a.multipliedFullWidth(by: b)
        guard product.high < divisor else { return nil }
        let (quotient, remainder) = divisor.dividingFullWidth(product)
        var units = quotient
        // Half to even: compare the remainder with half the divisor without overflowing.
        let half = divisor / 2  // divisor is even (a power of ten)
        if remainder > half || (remainder == half && units & 1 == 1) {
            let (bumped, overflow) = units.addingReportingOverflow(1)
            if overflow { return nil }
            units = bumped
        }
        return ExactDecimal(units: units)
    }

    /// Parses decimal text such as `3`, `0.30` or `1.25e-1` (JSON number syntax, not negative).
    public init?(decimalText text: Substring) {
        var bytes = Array(text.utf8)
        let result = bytes.withUnsafeMutableBytes { ExactDecimal.parse(jsonNumber: UnsafeRawBufferPointer($0)) }
        guard case .value(let value, _) = result else { return nil }
        self = value
    }
}
