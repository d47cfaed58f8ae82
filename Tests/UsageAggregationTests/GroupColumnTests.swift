import TallyPrimitives
import Testing

@testable import UsageAggregation

// Time buckets against Python's `datetime`. Every expected value below was printed by this
// script (Python 3, proleptic Gregorian, naive datetimes taken as UTC) and pasted by hand:
//
//   import datetime as dt
//   E = dt.datetime(1970, 1, 1)
//   secs = lambda d: (d - E) // dt.timedelta(seconds=1)
//   for t in instants:
//       h = t.replace(minute=0, second=0); d = t.replace(hour=0, minute=0, second=0)
//       w = d - dt.timedelta(days=d.weekday()); m = d.replace(day=1)   # weekday() 0 = Monday
//       print(t.isoformat(), secs(t), secs(h), h.date().isoformat(), h.hour, secs(d),
//             d.date().isoformat(), secs(w), w.date().isoformat(), secs(m), m.date().isoformat(),
//             t.strftime("%A"))

/// One instant and its four buckets (start in Unix seconds, and label).
struct GrainCase: Sendable, CustomTestStringConvertible {
    let instant: String
    let seconds: Int64
    let hour: (start: Int64, label: String)
    let day: (start: Int64, label: String)
    let week: (start: Int64, label: String)
    let month: (start: Int64, label: String)

    var testDescription: String { instant }

    func expected(_ grain: TimeGrain) -> (start: Int64, label: String) {
        switch grain {
        case .hour: return hour
        case .day: return day
        case .week: return week
        case .month: return month
        }
    }
}

/// The cases, with the weekday of the instant in the comment.
let grainCases: [GrainCase] = [
    // The epoch (a Thursday) and the seconds around it; its ISO week began on Monday 1969-12-29.
    GrainCase(
        instant: "1970-01-01T00:00:00", seconds: 0, hour: (0, "1970-01-01 00:00"), day: (0, "1970-01-01"),
        week: (-259_200, "1969-12-29"), month: (0, "1970-01-01")),  // Thursday
    GrainCase(
        instant: "1969-12-31T23:59:59", seconds: -1, hour: (-3_600, "1969-12-31 23:00"), day: (-86_400, "1969-12-31"),
        week: (-259_200, "1969-12-29"), month: (-2_678_400, "1969-12-01")),  // Wednesday
    GrainCase(
        instant: "1969-12-29T00:00:00", seconds: -259_200, hour: (-259_200, "1969-12-29 00:00"),
        day: (-259_200, "1969-12-29"), week: (-259_200, "1969-12-29"), month: (-2_678_400, "1969-12-01")),  // Monday
    GrainCase(
        instant: "1969-12-28T23:59:59", seconds: -259_201, hour: (-262_800, "1969-12-28 23:00"),
        day: (-345_600, "1969-12-28"), week: (-864_000, "1969-12-22"), month: (-2_678_400, "1969-12-01")),  // Sunday
    // Saturday → Sunday → Monday at midnight: Sunday still belongs to the week of the Monday before.
    GrainCase(
        instant: "2026-11-28T23:59:59", seconds: 1_795_910_399, hour: (1_795_906_800, "2026-11-28 23:00"),
        day: (1_795_824_000, "2026-11-28"), week: (1_795_392_000, "2026-11-23"), month: (1_793_491_200, "2026-11-01")),  // Saturday
    GrainCase(
        instant: "2026-11-29T00:00:00", seconds: 1_795_910_400, hour: (1_795_910_400, "2026-11-29 00:00"),
        day: (1_795_910_400, "2026-11-29"), week: (1_795_392_000, "2026-11-23"), month: (1_793_491_200, "2026-11-01")),  // Sunday
    GrainCase(
        instant: "2026-11-29T23:59:59", seconds: 1_795_996_799, hour: (1_795_993_200, "2026-11-29 23:00"),
        day: (1_795_910_400, "2026-11-29"), week: (1_795_392_000, "2026-11-23"), month: (1_793_491_200, "2026-11-01")),  // Sunday
    GrainCase(
        instant: "2026-11-30T00:00:00", seconds: 1_795_996_800, hour: (1_795_996_800, "2026-11-30 00:00"),
        day: (1_795_996_800, "2026-11-30"), week: (1_795_996_800, "2026-11-30"), month: (1_793_491_200, "2026-11-01")),  // Monday
    // Month end.
    GrainCase(
        instant: "2026-01-31T23:59:59", seconds: 1_769_903_999, hour: (1_769_900_400, "2026-01-31 23:00"),
        day: (1_769_817_600, "2026-01-31"), week: (1_769_385_600, "2026-01-26"), month: (1_767_225_600, "2026-01-01")),  // Saturday
    GrainCase(
        instant: "2026-02-01T00:00:00", seconds: 1_769_904_000, hour: (1_769_904_000, "2026-02-01 00:00"),
        day: (1_769_904_000, "2026-02-01"), week: (1_769_385_600, "2026-01-26"), month: (1_769_904_000, "2026-02-01")),  // Sunday
    // Year end: the ISO week crosses into the new year, the month does not.
    GrainCase(
        instant: "2025-12-31T23:59:59", seconds: 1_767_225_599, hour: (1_767_222_000, "2025-12-31 23:00"),
        day: (1_767_139_200, "2025-12-31"), week: (1_766_966_400, "2025-12-29"), month: (1_764_547_200, "2025-12-01")),  // Wednesday
    GrainCase(
        instant: "2026-01-01T00:00:00", seconds: 1_767_225_600, hour: (1_767_225_600, "2026-01-01 00:00"),
        day: (1_767_225_600, "2026-01-01"), week: (1_766_966_400, "2025-12-29"), month: (1_767_225_600, "2026-01-01")),  // Thursday
    // Leap days (2024; 2000, a 400-year leap year) and 1900, a century without one.
    GrainCase(
        instant: "2024-02-29T12:34:56", seconds: 1_709_210_096, hour: (1_709_208_000, "2024-02-29 12:00"),
        day: (1_709_164_800, "2024-02-29"), week: (1_708_905_600, "2024-02-26"), month: (1_706_745_600, "2024-02-01")),  // Thursday
    GrainCase(
        instant: "2024-03-01T00:00:00", seconds: 1_709_251_200, hour: (1_709_251_200, "2024-03-01 00:00"),
        day: (1_709_251_200, "2024-03-01"), week: (1_708_905_600, "2024-02-26"), month: (1_709_251_200, "2024-03-01")),  // Friday
    GrainCase(
        instant: "2000-02-29T23:59:59", seconds: 951_868_799, hour: (951_865_200, "2000-02-29 23:00"),
        day: (951_782_400, "2000-02-29"), week: (951_696_000, "2000-02-28"), month: (949_363_200, "2000-02-01")),  // Tuesday
    GrainCase(
        instant: "1900-02-28T23:59:59", seconds: -2_203_891_201, hour: (-2_203_894_800, "1900-02-28 23:00"),
        day: (-2_203_977_600, "1900-02-28"), week: (-2_204_150_400, "1900-02-26"), month: (-2_206_310_400, "1900-02-01")),  // Wednesday
    GrainCase(
        instant: "1900-03-01T00:00:00", seconds: -2_203_891_200, hour: (-2_203_891_200, "1900-03-01 00:00"),
        day: (-2_203_891_200, "1900-03-01"), week: (-2_204_150_400, "1900-02-26"), month: (-2_203_891_200, "1900-03-01")),  // Thursday
    // Mid-hour before 1970: the hour is floored, not truncated towards zero.
    GrainCase(
        instant: "1950-06-15T07:30:00", seconds: -616_869_000, hour: (-616_870_800, "1950-06-15 07:00"),
        day: (-616_896_000, "1950-06-15"), week: (-617_155_200, "1950-06-12"), month: (-618_105_600, "1950-06-01")),  // Thursday
    // The extremes: 0001-01-01 (a Monday) and 9999-12-31 (a Friday).
    GrainCase(
        instant: "0001-01-01T00:00:00", seconds: -62_135_596_800, hour: (-62_135_596_800, "0001-01-01 00:00"),
        day: (-62_135_596_800, "0001-01-01"), week: (-62_135_596_800, "0001-01-01"), month: (-62_135_596_800, "0001-01-01")),  // Monday
    GrainCase(
        instant: "0001-01-07T23:59:59", seconds: -62_134_992_001, hour: (-62_134_995_600, "0001-01-07 23:00"),
        day: (-62_135_078_400, "0001-01-07"), week: (-62_135_596_800, "0001-01-01"), month: (-62_135_596_800, "0001-01-01")),  // Sunday
    GrainCase(
        instant: "9999-12-31T23:59:59", seconds: 253_402_300_799, hour: (253_402_297_200, "9999-12-31 23:00"),
        day: (253_402_214_400, "9999-12-31"), week: (253_401_868_800, "9999-12-27"), month: (253_399_622_400, "9999-12-01")),  // Friday
    GrainCase(
        instant: "9999-12-27T00:00:00", seconds: 253_401_868_800, hour: (253_401_868_800, "9999-12-27 00:00"),
        day: (253_401_868_800, "9999-12-27"), week: (253_401_868_800, "9999-12-27"), month: (253_399_622_400, "9999-12-01")),  // Monday
]

@Suite struct TimeGrainTests {
    /// The table's own seconds agree with the accepted range, so the extremes really are the extremes.
    @Test func extremesAreTheAcceptedRange() {
        #expect(grainCases.first { $0.instant == "0001-01-01T00:00:00" }?.seconds == CivilTime.earliest)
        #expect(grainCases.first { $0.instant == "9999-12-31T23:59:59" }?.seconds == CivilTime.latest)
    }

    /// Each grain's bucket start is the Unix second Python computes for the start of the bucket.
    @Test(arguments: grainCases)
    func bucketStartAgreesWithPython(_ row: GrainCase) {
        for grain in TimeGrain.allCases {
            #expect(grain.bucketStart(row.seconds) == row.expected(grain).start, "\(grain)")
        }
    }

    /// Each grain's label of its bucket start is Python's date (and hour) of that start.
    @Test(arguments: grainCases)
    func labelAgreesWithPython(_ row: GrainCase) {
        for grain in TimeGrain.allCases {
            #expect(grain.label(bucketStart: grain.bucketStart(row.seconds)) == row.expected(grain).label, "\(grain)")
        }
    }

    /// A bucket start lies in its own bucket: bucketing it again changes nothing.
    @Test(arguments: grainCases)
    func bucketStartIsAFixedPoint(_ row: GrainCase) {
        for grain in TimeGrain.allCases {
            let start = grain.bucketStart(row.seconds)
            #expect(grain.bucketStart(start) == start, "\(grain)")
        }
    }

    /// Every hour over ten weeks around the epoch falls in the week that began on the Monday at
    /// or before it: 1970-01-05 was a Monday (Python: `date(1970, 1, 5).weekday() == 0`).
    @Test func everyHourAroundTheEpochFallsInItsMondayWeek() {
        let monday: Int64 = 4 * 86_400  // 1970-01-05T00:00:00Z
        let week: Int64 = 7 * 86_400
        var seconds: Int64 = -35 * 86_400 - 1
        while seconds < 35 * 86_400 {
            let start = TimeGrain.week.bucketStart(seconds)
            #expect((start - monday) % week == 0, "\(seconds)")
            #expect(start <= seconds && seconds < start + week, "\(seconds)")
            seconds += 3_599  // not a divisor of an hour, so every offset within the hour is visited
        }
    }

    /// Hour and day buckets floor towards the past for negative times too (not towards zero).
    @Test(arguments: [
        (Int64(-1), Int64(-3_600), Int64(-86_400)),
        (-3_599, -3_600, -86_400),
        (-3_600, -3_600, -86_400),
        (-3_601, -7_200, -86_400),
        (-86_400, -86_400, -86_400),
        (-86_401, -90_000, -172_800),
        (3_599, 0, 0),
        (86_399, 82_800, 0),
    ])
    func negativeTimesFloor(_ seconds: Int64, _ hour: Int64, _ day: Int64) {
        #expect(TimeGrain.hour.bucketStart(seconds) == hour)
        #expect(TimeGrain.day.bucketStart(seconds) == day)
    }

    /// The grains are spelled as the `--by` names and header columns.
    @Test func rawValues() {
        #expect(TimeGrain.allCases.map(\.rawValue) == ["hour", "day", "week", "month"])
    }
}

@Suite struct GroupColumnTests {
    /// Header names of every kind of column, a custom one verbatim.
    @Test(arguments: [
        (GroupColumn.time(.hour), "hour"), (.time(.day), "day"), (.time(.week), "week"), (.time(.month), "month"),
        (.model, "model"), (.key, "key"), (.status, "status"), (.file, "file"),
        (.custom("team"), "team"), (.custom("cost center, EU"), "cost center, EU"),
    ])
    func headerNames(_ column: GroupColumn, _ name: String) {
        #expect(column.description == name)
    }

    /// Only the four time grains are time columns.
    @Test func isTime() {
        #expect(TimeGrain.allCases.allSatisfy { GroupColumn.time($0).isTime })
        let others: [GroupColumn] = [.model, .key, .status, .file, .custom("day")]
        #expect(others.allSatisfy { !$0.isTime })
    }
}
