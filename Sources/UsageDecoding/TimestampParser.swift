import TallyPrimitives

/// Turns a JSON timestamp value into Unix seconds (UTC), or Unix milliseconds, without
/// Foundation.
///
/// Accepted (PRODUCT.md, "Record shapes"):
/// - RFC 3339 / ISO 8601 strings with any offset and any fraction: `2026-11-28T09:15:02Z`,
///   `2026-11-28T10:15:02.123456+01:00`, `…+0100`, `…+01`; `T`, `t` or a space between
///   date and time; seconds optional; a date alone is its midnight.
/// - Naive strings without an offset (`2026-11-28 09:15:02.847371`, as LiteLLM writes): UTC.
/// - Epoch numbers, or strings of digits, told apart by magnitude: below 10¹¹ seconds,
///   below 10¹⁴ milliseconds, below 10¹⁷ microseconds, else nanoseconds.
///
/// ``seconds(of:in:)`` floors times to the second (fractions are dropped);
/// ``milliseconds(of:in:)`` truncates them to the millisecond (`.847371` is 847 ms). Both
/// share one parser, so they always agree on the second.
///
/// Years 0001–9999 only; anything else is not a usable time.
public enum TimestampParser {
    /// A parsed instant: Unix seconds, and the millisecond within that second (0–999).
    struct Instant {
        var seconds: Int64
        var millisecond: Int64
    }

    /// Unix seconds of a JSON value, or nil when it is not a usable timestamp.
    public static func seconds(of span: JSONValueSpan, in line: UnsafeRawBufferPointer) -> Int64? {
        instant(of: span, in: line)?.seconds
    }

    /// Unix milliseconds of a JSON value (the fraction of a second truncated to the
    /// millisecond), or nil when it is not a usable timestamp.
    public static func milliseconds(of span: JSONValueSpan, in line: UnsafeRawBufferPointer) -> Int64? {
        // Years 0001–9999 are about ±2.6 × 10¹⁴ s: in milliseconds far from overflowing Int64.
        instant(of: span, in: line).map { $0.seconds &* 1_000 &+ $0.millisecond }
    }

    /// The instant of a JSON value, or nil when it is not a usable timestamp.
    @inline(__always)
    static func instant(of span: JSONValueSpan, in line: UnsafeRawBufferPointer) -> Instant? {
        let start = Int(span.start), end = Int(span.end)
        switch span.kind {
        case .number:
            return epoch(UnsafeRawBufferPointer(rebasing: line[start..<end]))
        case .string:
            let body = UnsafeRawBufferPointer(rebasing: line[(start + 1)..<(end - 1)])
            guard span.hasEscapes else { return instant(ofText: body) }
            // Escapes are legal JSON (`\u005A` is `Z`); a timestamp is short, so unescape it
            // on the stack.
            return withUnsafeTemporaryAllocation(byteCount: 64, alignment: 1) { scratch in
                guard let length = JSONString.unescape(body, into: scratch) else { return nil }
                return instant(ofText: UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
            }
        default:
            return nil
        }
    }

    /// Unix seconds of a timestamp string's text: digits are an epoch, anything else RFC 3339.
    static func seconds(ofText text: UnsafeRawBufferPointer) -> Int64? {
        instant(ofText: text)?.seconds
    }

    /// The instant of a timestamp string's text: digits are an epoch, anything else RFC 3339.
    @inline(__always)
    static func instant(ofText text: UnsafeRawBufferPointer) -> Instant? {
        if !text.isEmpty && text.allSatisfy({ $0 &- 0x30 <= 9 || $0 == UInt8(ascii: ".") }) {
            return epoch(text)
        }
        return rfc3339(text)
    }

    /// The instant of epoch number text, by magnitude: seconds keep their fraction to the
    /// millisecond (`1732780502.25` is 250 ms into its second); milliseconds, microseconds and
    /// nanoseconds drop what is below a millisecond.
    static func epoch(_ text: UnsafeRawBufferPointer) -> Instant? {
        guard case .value(let value, _) = ExactDecimal.parse(jsonNumber: text, maximum: UInt64.max),
            let whole = UInt64(exactly: value.whole)  // always: parsed with that maximum
        else { return nil }
        let milliseconds: UInt64
        switch whole {
        case ..<100_000_000_000:
            // The fraction is in units of 10⁻¹⁸: 10¹⁵ of them make a millisecond.
            guard whole <= UInt64(CivilTime.latest) else { return nil }
            return Instant(seconds: Int64(whole), millisecond: Int64(value.fraction / 1_000_000_000_000_000))
        case ..<100_000_000_000_000: milliseconds = whole
        case ..<100_000_000_000_000_000: milliseconds = whole / 1_000
        default: milliseconds = whole / 1_000_000
        }
        let seconds = milliseconds / 1_000
        guard seconds <= UInt64(CivilTime.latest) else { return nil }
        return Instant(seconds: Int64(seconds), millisecond: Int64(milliseconds &- seconds &* 1_000))
    }

    /// The instant of RFC 3339 / ISO 8601 text (the fraction truncated to the millisecond), or nil.
    static func rfc3339(_ text: UnsafeRawBufferPointer) -> Instant? {
        var i = 0
        let n = text.count
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var value = 0
            for _ in 0..<count {
                let digit = text[i] &- 0x30
                guard digit <= 9 else { return nil }
                value = value * 10 + Int(digit)
                i += 1
            }
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard i < n, text[i] == byte else { return false }
            i += 1
            return true
        }

        guard let year = digits(4), year >= 1, expect(UInt8(ascii: "-")),
            let month = digits(2), (1...12).contains(month), expect(UInt8(ascii: "-")),
            let day = digits(2), day >= 1, day <= CivilTime.daysInMonth(year: Int64(year), month: month)
        else { return nil }

        var hour = 0, minute = 0, second = 0, millisecond = 0
        if i < n, text[i] == UInt8(ascii: "T") || text[i] == UInt8(ascii: "t") || text[i] == UInt8(ascii: " ") {
            i += 1
            guard let h = digits(2), h <= 23, expect(UInt8(ascii: ":")), let m = digits(2), m <= 59 else { return nil }
            hour = h
            minute = m
            if expect(UInt8(ascii: ":")) {
                guard let s = digits(2), s <= 60 else { return nil }
                second = min(s, 59)  // a leap second stays in its minute
                if i < n, text[i] == UInt8(ascii: ".") || text[i] == UInt8(ascii: ",") {
                    i += 1
                    let fractionStart = i
                    while i < n, text[i] &- 0x30 <= 9 { i += 1 }
                    guard i > fractionStart else { return nil }
                    // The first three digits are the millisecond; the rest is truncated.
                    millisecond = Int(text[fractionStart] &- 0x30) &* 100
                    if i - fractionStart > 1 { millisecond &+= Int(text[fractionStart + 1] &- 0x30) &* 10 }
                    if i - fractionStart > 2 { millisecond &+= Int(text[fractionStart + 2] &- 0x30) }
                }
            }
        }

        var offsetSeconds = 0
        if i < n {
            switch text[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                i += 1
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let sign = text[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let offsetHours = digits(2), offsetHours <= 23 else { return nil }
                var offsetMinutes = 0
                if i < n {
                    _ = expect(UInt8(ascii: ":"))
                    guard let m = digits(2), m <= 59 else { return nil }
                    offsetMinutes = m
                }
                offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
            default:
                return nil
            }
        }
        guard i == n else { return nil }

        let days = CivilTime.days(year: Int64(year), month: month, day: day)
        let local = days * CivilTime.secondsPerDay + Int64(hour * 3600 + minute * 60 + second)
        let utc = local - Int64(offsetSeconds)
        guard utc >= CivilTime.earliest && utc <= CivilTime.latest else { return nil }
        return Instant(seconds: utc, millisecond: Int64(millisecond))
    }
}
