import Testing

@testable import TallyPrimitives

/// `--since`/`--until` values and the half-open window. Expected instants are worked out by
/// hand from the zones' offsets (see ZoneRulesTests), with ``utc(_:_:_:_:_:_:)``.
@Suite struct TimeWindowTests {
    @Test("dates and local times are read in the zone; RFC 3339 with Z or an offset is absolute")
    func parsesInTheZone() throws {
        let newYork = try ZoneRules.named("America/New_York")
        // Local midnight of the fall-back day is still EDT (-4); the next midnight is EST (-5).
        #expect(TimeWindow.parseBound("2026-11-01", zone: newYork) == utc(2026, 11, 1, 4))
        #expect(TimeWindow.parseBound("2026-11-02", zone: newYork) == utc(2026, 11, 2, 5))
        #expect(TimeWindow.parseBound("2026-11-02", zone: .utc) == utc(2026, 11, 2))
        #expect(TimeWindow.parseBound("2026-11-28T10:15", zone: newYork) == utc(2026, 11, 28, 15, 15))
        #expect(TimeWindow.parseBound("2026-11-28 10:15", zone: newYork) == utc(2026, 11, 28, 15, 15))
        #expect(TimeWindow.parseBound("2026-11-28 10:15:30", zone: newYork) == utc(2026, 11, 28, 15, 15, 30))
        #expect(TimeWindow.parseBound("2026-11-28t10:15:30", zone: newYork) == utc(2026, 11, 28, 15, 15, 30))
        // Overlap: the earlier 01:30 (EDT); gap: 02:30 read as EST, which is 03:30 EDT.
        #expect(TimeWindow.parseBound("2026-11-01T01:30", zone: newYork) == utc(2026, 11, 1, 5, 30))
        #expect(TimeWindow.parseBound("2026-03-08T02:30", zone: newYork) == utc(2026, 3, 8, 7, 30))
        // Absolute forms ignore the zone.
        #expect(TimeWindow.parseBound("2026-11-28T10:00:00Z", zone: newYork) == utc(2026, 11, 28, 10))
        #expect(TimeWindow.parseBound("2026-11-28T10:00:00z", zone: newYork) == utc(2026, 11, 28, 10))
        #expect(TimeWindow.parseBound("2026-11-28T10:00:00+05:30", zone: newYork) == utc(2026, 11, 28, 4, 30))
        #expect(TimeWindow.parseBound("2026-11-28T10:00-05:00", zone: .utc) == utc(2026, 11, 28, 15))
        #expect(TimeWindow.parseBound("2026-11-28 10:00:00Z", zone: newYork) == utc(2026, 11, 28, 10))
        // Kolkata's and Kathmandu's days start at 18:30Z and 18:15Z the day before.
        #expect(TimeWindow.parseBound("2026-11-29", zone: try .named("Asia/Kolkata")) == utc(2026, 11, 28, 18, 30))
        #expect(TimeWindow.parseBound("2026-11-29", zone: try .named("Asia/Kathmandu")) == utc(2026, 11, 28, 18, 15))
        #expect(TimeWindow.parseBound("2028-02-29", zone: .utc) == utc(2028, 2, 29))
    }

    @Test("malformed or impossible values are refused", arguments: [
        "", "2026", "2026-11", "26-11-01", "2026/11/01", "2026-13-01", "2026-00-10", "2026-02-29", "2026-11-31",
        "2026-11-00", "2026-11-01 ", "2026-11-01T", "2026-11-01T10", "2026-11-01T24:00", "2026-11-01T10:60",
        "2026-11-01T10:00:60", "2026-11-01T10:00:00.5Z", "2026-11-01T10:00:00+0530", "2026-11-01T10:00:00+05",
        "2026-11-01T10:00:00Z ", "2026-11-01X10:00", "yesterday", "1764288000",
    ])
    func refusesBadValues(_ text: String) {
        #expect(TimeWindow.parseBound(text, zone: .utc) == nil)
    }

    @Test("the window is half-open, and a bounded window leaves out records without time")
    func halfOpen() {
        let window = TimeWindow(since: 100, until: 200)
        #expect(!window.contains(99))
        #expect(window.contains(100))
        #expect(window.contains(199))
        #expect(!window.contains(200))
        #expect(!window.contains(nil))
        #expect(TimeWindow(since: 100).contains(Int64.max))
        #expect(!TimeWindow(since: 100).contains(nil))
        #expect(TimeWindow(until: 100).contains(Int64.min))
        #expect(!TimeWindow(until: 100).contains(100))
        #expect(TimeWindow.all.contains(nil))
        #expect(TimeWindow.all.isUnbounded)
        #expect(!window.isUnbounded)
    }
}
