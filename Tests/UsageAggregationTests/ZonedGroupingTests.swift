import TallyPrimitives
import Testing

@testable import UsageAggregation

/// Time columns in a `--tz` zone: cells hold the bucket start of the local civil time (as
/// Unix seconds of that wall-clock reading in UTC). Expected figures are worked out by hand:
/// New York is UTC-4 until 2026-11-01 06:00:00Z and UTC-5 after; Kolkata is always +05:30,
/// Kathmandu +05:45. Day numbers: 2026-10-26 = 1792972800, 2026-10-31 = 1793404800,
/// 2026-11-01 = 1793491200, 2026-11-28 = 1795824000, 2026-11-29 = 1795910400 (Python).
@Suite struct ZonedGroupingTests {
    static let day: Int64 = 86_400

    func line(_ time: String) -> String {
        #"{"timestamp":""# + time + #"","# + usageMember + "}"
    }

    @Test("New York: the local day, ISO week and month of instants around midnight of the fall-back day")
    func newYorkBuckets() throws {
        let keys = try KeyHarness([.time(.hour), .time(.day), .time(.week), .time(.month)], zone: .named("America/New_York"))
        // 2026-11-01T03:59:59Z is Saturday 2026-10-31 23:59:59 EDT.
        #expect(keys.values(line("2026-11-01T03:59:59Z")) == [
            "time:\(1_793_404_800 + 23 * 3600)", "time:1793404800", "time:1792972800", "time:1790812800",
        ])
        // One second later it is Sunday 2026-11-01 00:00:00 EDT: a new day and month, the same week.
        #expect(keys.values(line("2026-11-01T04:00:00Z")) == [
            "time:1793491200", "time:1793491200", "time:1792972800", "time:1793491200",
        ])
        // The naive timestamp is UTC, then shifted like any other.
        #expect(keys.values(line("2026-11-01 04:00:00")) == keys.values(line("2026-11-01T04:00:00Z")))
    }

    @Test("the repeated hour of a fall-back change is one hour bucket, labelled 01:00")
    func repeatedHourMerges() throws {
        let keys = try KeyHarness([.time(.hour)], zone: .named("America/New_York"))
        let firstTime = keys.values(line("2026-11-01T05:30:00Z"))  // 01:30 EDT
        let secondTime = keys.values(line("2026-11-01T06:30:00Z"))  // 01:30 EST
        #expect(firstTime == ["time:\(1_793_491_200 + 3600)"])
        #expect(secondTime == firstTime)
        #expect(TimeGrain.hour.label(bucketStart: 1_793_491_200 + 3600) == "2026-11-01 01:00")
        // 07:00Z is 02:00 EST.
        #expect(keys.values(line("2026-11-01T07:00:00Z")) == ["time:\(1_793_491_200 + 2 * 3600)"])
    }

    @Test("Kolkata's day starts at 18:30:00Z, Kathmandu's at 18:15:00Z")
    func halfAndQuarterHourZones() throws {
        let kolkata = try KeyHarness([.time(.day), .time(.hour)], zone: .named("Asia/Kolkata"))
        #expect(kolkata.values(line("2026-11-28T18:29:59Z")) == ["time:1795824000", "time:\(1_795_824_000 + 23 * 3600)"])
        #expect(kolkata.values(line("2026-11-28T18:30:00Z")) == ["time:1795910400", "time:1795910400"])
        let kathmandu = try KeyHarness([.time(.day), .time(.hour)], zone: .named("Asia/Kathmandu"))
        #expect(kathmandu.values(line("2026-11-28T18:14:59Z")) == ["time:1795824000", "time:\(1_795_824_000 + 23 * 3600)"])
        #expect(kathmandu.values(line("2026-11-28T18:15:00Z")) == ["time:1795910400", "time:1795910400"])
        // An offset in the log line changes nothing: it names the same instant.
        #expect(kathmandu.values(line("2026-11-29T00:00:00+05:45")) == kathmandu.values(line("2026-11-28T18:15:00Z")))
    }

    @Test("setTimeCells (deduplication winners) uses the plan's zone")
    func setTimeCellsUsesTheZone() throws {
        let plan = GroupingPlan(columns: [.model, .time(.day)], zone: try .named("America/New_York"))
        var cells: [UInt64] = [7, 0]
        plan.setTimeCells(&cells, seconds: 1_793_505_600 - 1)  // 2026-11-01T03:59:59Z
        #expect(cells == [7, GroupingPlan.timeCell(1_793_404_800)])
        plan.setTimeCells(&cells, seconds: 1_793_505_600)
        #expect(cells == [7, GroupingPlan.timeCell(1_793_491_200)])
        plan.setTimeCells(&cells, seconds: nil)
        #expect(cells == [7, 0])
    }

    @Test("the builder's cached span gives what a fresh lookup gives, whatever the order of instants")
    func cachedSpanMatchesFreshLookups() throws {
        let zone = try ZoneRules.named("Australia/Lord_Howe")
        let keys = try KeyHarness([.time(.hour)], zone: zone)
        // 2026-04-04T15:00:00Z (DST ends) and 2026-10-03T15:30:00Z (DST starts), visited out of order.
        let instants: [Int64] = [
            1_775_314_800, 1_775_314_799, 1_791_041_400, 1_775_314_800 - 1800, 1_791_041_399, 1_791_041_400 + 60,
            1_600_000_000, 1_775_314_799, 2_000_000_000,
        ]
        for instant in instants {
            let text = TimeGrain.hour.label(bucketStart: instant).prefix(10) + "T" + utcClock(instant) + "Z"
            let expected = "time:\(TimeGrain.hour.bucketStart(instant + zone.offset(at: instant)))"
            #expect(keys.values(line(String(text))) == [expected], "at \(instant)")
        }
    }

    /// `HH:MM:SS` of a UTC instant.
    func utcClock(_ instant: Int64) -> String {
        let seconds = instant - CivilTime.floorDiv(instant, 86_400) * 86_400
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }
}
