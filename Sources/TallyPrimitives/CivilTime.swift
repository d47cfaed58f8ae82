/// Conversions between Unix time and the proleptic Gregorian calendar, in UTC.
///
/// Foundation's `Calendar` allocates and locks; bucketing a timestamp per line cannot afford
/// that. These are Howard Hinnant's branch-light `days_from_civil` / `civil_from_days`
/// algorithms (public domain, http://howardhinnant.github.io/date_algorithms.html).
public enum CivilTime {
    /// Seconds in a day.
    public static let secondsPerDay: Int64 = 86_400

    /// The earliest instant accepted as a timestamp: 0001-01-01T00:00:00Z.
    public static let earliest: Int64 = -62_135_596_800
    /// The latest instant accepted as a timestamp: 9999-12-31T23:59:59Z.
    public static let latest: Int64 = 253_402_300_799

    /// A calendar date.
    public struct Date: Equatable, Sendable {
        public var year: Int64
        public var month: Int  // 1...12
        public var day: Int  // 1...31

        public init(year: Int64, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }
    }

    /// Days since 1970-01-01 of a calendar date (which must be valid).
    @inlinable
    public static func days(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of a day number (days since 1970-01-01).
    @inlinable
    public static func date(days: Int64) -> Date {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return Date(year: year, month: month, day: day)
    }

    /// Whether `year` is a Gregorian leap year.
    @inlinable
    public static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Days in a month of a year.
    @inlinable
    public static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Floor division for possibly negative times.
    @inlinable
    public static func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
