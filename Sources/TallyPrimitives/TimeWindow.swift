/// The instants a run keeps (`--since`, `--until`): half-open, `since <= t < until`, in Unix
/// seconds. A record with no time is outside any bounded window.
public struct TimeWindow: Sendable, Equatable {
    /// The first instant kept; nil for no lower bound.
    public var since: Int64?
    /// The first instant no longer kept; nil for no upper bound.
    public var until: Int64?

    /// Every instant, and records without time too.
    public static let all = TimeWindow()

    public init(since: Int64? = nil, until: Int64? = nil) {
        self.since = since
        self.until = until
    }

    /// Whether neither bound is set (then nothing is filtered, not even records without time).
    @inlinable
    public var isUnbounded: Bool { since == nil && until == nil }

    /// Whether a record at `time` is kept.
    @inlinable
    public func contains(_ time: Int64?) -> Bool {
        if isUnbounded { return true }
        guard let time else { return false }
        if let since, time < since { return false }
        if let until, time >= until { return false }
        return true
    }

    /// Parses a `--since`/`--until` value into Unix seconds:
    ///
    /// - `YYYY-MM-DD`: local midnight in `zone`;
    /// - `YYYY-MM-DDTHH:MM[:SS]` or `YYYY-MM-DD HH:MM[:SS]`: that local time in `zone`;
    /// - either of these with `Z` or `±HH:MM` at the end (RFC 3339): that instant, whatever
    ///   the zone.
    ///
    /// A local time that the clock skips (a spring-forward gap) or shows twice (fall back)
    /// is resolved by ``ZoneRules/instant(ofLocal:)``: after the gap, the earlier of the two.
    /// Fractions of a second are refused (record times are whole seconds).
    public static func parseBound(_ text: String, zone: ZoneRules) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<(index + count)] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += count
            return value
        }
        func take(_ character: Character) -> Bool {
            guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
            index += 1
            return true
        }

        guard let year = digits(4), take("-"), let month = digits(2), take("-"), let day = digits(2),
            (1...12).contains(month), day >= 1, day <= Int64(CivilTime.daysInMonth(year: year, month: Int(month)))
        else { return nil }
        var local = CivilTime.days(year: year, month: Int(month), day: Int(day)) * CivilTime.secondsPerDay
        if index == bytes.count { return zone.instant(ofLocal: local) }

        guard take("T") || take("t") || take(" "), let hour = digits(2), take(":"), let minute = digits(2),
            hour < 24, minute < 60
        else { return nil }
        var second: Int64 = 0
        if take(":") {
            guard let value = digits(2), value < 60 else { return nil }
            second = value
        }
        local += hour * 3600 + minute * 60 + second
        if index == bytes.count { return zone.instant(ofLocal: local) }

        if take("Z") || take("z") {
            return index == bytes.count ? local : nil
        }
        let sign: Int64
        if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
        guard let offsetHours = digits(2), take(":"), let offsetMinutes = digits(2), index == bytes.count,
            offsetHours < 24, offsetMinutes < 60
        else { return nil }
        return local - sign * (offsetHours * 3600 + offsetMinutes * 60)
    }
}
