import Testing

@testable import TallyPrimitives

// Dates come from Python's `datetime` (make-civil-cases.py → CivilCases.swift); outside
// Python's years 1…9999 the tests use calendar facts instead: the Gregorian calendar repeats
// every 400 years (146 097 days) and days follow each other one by one.

/// One row of the generated table.
struct CivilCase: Sendable, CustomTestStringConvertible {
    let days: Int64
    let year: Int64
    let month: Int
    let day: Int

    var testDescription: String { "\(days) = \(year)-\(month)-\(day)" }
}

@Suite struct CivilTimeTests {
    @Test("day numbers agree with Python's datetime", arguments: generatedCivilCases)
    func agreesWithPython(_ row: CivilCase) {
        #expect(CivilTime.days(year: row.year, month: row.month, day: row.day) == row.days)
        #expect(CivilTime.date(days: row.days) == CivilTime.Date(year: row.year, month: row.month, day: row.day))
    }

    @Test func handCheckedDays() {
        #expect(CivilTime.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilTime.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilTime.days(year: 2000, month: 3, day: 1) == 11_017)  // 30 years, 7 leap days: 30·365 + 7 + 31 + 29
        #expect(CivilTime.days(year: 2026, month: 11, day: 28) == 20_785)  // 1764288000 / 86400
        #expect(CivilTime.date(days: 20_785) == CivilTime.Date(year: 2026, month: 11, day: 28))
        #expect(CivilTime.days(year: 1, month: 1, day: 1) * CivilTime.secondsPerDay == CivilTime.earliest)
        #expect(CivilTime.days(year: 9999, month: 12, day: 31) * CivilTime.secondsPerDay + 86_399 == CivilTime.latest)
    }

    @Test func theCalendarRepeatsEvery400YearsIncludingNegativeYears() {
        // Astronomical year numbering: year 0 is 1 BC, a leap year.
        for row in generatedCivilCases.prefix(60) {
            for cycles: Int64 in [-30, -5, -1, 1, 25] {
                let shifted = CivilTime.days(year: row.year + 400 * cycles, month: row.month, day: row.day)
                #expect(shifted == row.days + 146_097 * cycles)
                #expect(CivilTime.date(days: shifted) == CivilTime.Date(year: row.year + 400 * cycles, month: row.month, day: row.day))
            }
        }
        #expect(CivilTime.days(year: 0, month: 2, day: 29) + 1 == CivilTime.days(year: 0, month: 3, day: 1))
        #expect(CivilTime.date(days: CivilTime.days(year: 1, month: 1, day: 1) - 1) == CivilTime.Date(year: 0, month: 12, day: 31))
    }

    @Test func everyDayFollowsTheOneBeforeFromYearMinus500To2600() {
        // The successor of a date, written with the leap rule spelled out here.
        func leap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var expected = CivilTime.Date(year: -500, month: 1, day: 1)
        let first = CivilTime.days(year: -500, month: 1, day: 1)
        // Python: (date(300, 1, 1) - date(1970, 1, 1)).days - 2 * 146097, two 400-year cycles back.
        #expect(first == -902_149)
        var mismatches = 0
        var day = first
        while expected.year < 2600 {
            if CivilTime.date(days: day) != expected || CivilTime.days(year: expected.year, month: expected.month, day: expected.day) != day {
                mismatches += 1
            }
            let length = expected.month == 2 && leap(expected.year) ? 29 : lengths[expected.month - 1]
            if expected.day < length {
                expected.day += 1
            } else if expected.month < 12 {
                expected = CivilTime.Date(year: expected.year, month: expected.month + 1, day: 1)
            } else {
                expected = CivilTime.Date(year: expected.year + 1, month: 1, day: 1)
            }
            day += 1
        }
        #expect(mismatches == 0)
        #expect(day == CivilTime.days(year: 2600, month: 1, day: 1))
    }

    @Test(arguments: [
        (Int64(2000), true), (1900, false), (2100, false), (2400, true), (2024, true), (2023, false),
        (1600, true), (0, true), (-4, true), (-100, false), (-400, true), (-1, false),
    ])
    func leapYears(_ year: Int64, _ isLeap: Bool) {
        #expect(CivilTime.isLeapYear(year) == isLeap)
        #expect(CivilTime.daysInMonth(year: year, month: 2) == (isLeap ? 29 : 28))
    }

    @Test func daysInMonth() {
        let expected = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        for month in 1...12 {
            #expect(CivilTime.daysInMonth(year: 2023, month: month) == expected[month - 1])
        }
    }

    @Test(arguments: [
        (Int64(-1), Int64(86_400), Int64(-1)), (-86_400, 86_400, -1), (-86_401, 86_400, -2),
        (0, 86_400, 0), (86_399, 86_400, 0), (86_400, 86_400, 1), (7, -2, -4), (-7, -2, 3), (-7, 2, -4),
    ])
    func floorDivision(_ value: Int64, _ divisor: Int64, _ quotient: Int64) {
        #expect(CivilTime.floorDiv(value, divisor) == quotient)
    }
}
