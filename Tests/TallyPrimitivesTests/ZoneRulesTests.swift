#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

@testable import TallyPrimitives

// Expected offsets and instants are worked out by hand from the zones' published rules (the
// Unix seconds of each UTC instant from its calendar date); the cross-check against Python's
// `zoneinfo` reads generated tables (make-zone-cases.py → ZoneCases.swift). Both read the
// system's zone files (/usr/share/zoneinfo, Debian package `tzdata`).

/// Unix seconds of a UTC calendar time (CivilTime's day numbers are checked against Python
/// in CivilTimeTests).
func utc(_ year: Int64, _ month: Int, _ day: Int, _ hour: Int64 = 0, _ minute: Int64 = 0, _ second: Int64 = 0) -> Int64 {
    CivilTime.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
}

@Suite struct ZoneRulesTests {
    static let hour: Int64 = 3600

    func zone(_ name: String) throws -> ZoneRules {
        try ZoneRules.named(name)
    }

    // MARK: - Hand-checked offsets

    @Test("New York springs forward at 2026-03-08 07:00:00Z (2:00 EST) and falls back at 2026-11-01 06:00:00Z (2:00 EDT)")
    func newYork2026() throws {
        let newYork = try zone("America/New_York")
        let spring = utc(2026, 3, 8, 7)
        #expect(spring == 1_772_953_200)
        #expect(newYork.offset(at: spring - 1) == -5 * Self.hour)
        #expect(newYork.offset(at: spring) == -4 * Self.hour)
        let fall = utc(2026, 11, 1, 6)
        #expect(fall == 1_793_512_800)
        #expect(newYork.offset(at: fall - 1) == -4 * Self.hour)
        #expect(newYork.offset(at: fall) == -5 * Self.hour)
        // The span between them is exactly summer time.
        #expect(newYork.span(at: utc(2026, 7, 4, 12)) == ZoneRules.Span(start: spring, end: fall, offset: -4 * Self.hour))
        #expect(!newYork.isUTC)
    }

    @Test("New York in 2090 and 2150: the footer's rules, expanded at load time and computed beyond 2100")
    func newYorkFooter() throws {
        let newYork = try zone("America/New_York")
        // Second Sunday of March 2090 is the 12th; first Sunday of November 2150 is the 1st.
        #expect(newYork.offset(at: utc(2090, 3, 12, 7) - 1) == -5 * Self.hour)
        #expect(newYork.offset(at: utc(2090, 3, 12, 7)) == -4 * Self.hour)
        #expect(newYork.offset(at: utc(2150, 11, 1, 6) - 1) == -4 * Self.hour)
        #expect(newYork.offset(at: utc(2150, 11, 1, 6)) == -5 * Self.hour)
        #expect(newYork.span(at: utc(2150, 12, 25)).start == utc(2150, 11, 1, 6))
    }

    @Test("Kolkata is +05:30; Kathmandu +05:45 since 1986-01-01 local (1985-12-31 18:30:00Z), +05:30 before")
    func halfAndQuarterHours() throws {
        let kolkata = try zone("Asia/Kolkata")
        for instant in [utc(1990, 1, 1), utc(2026, 11, 28, 18, 29, 59), utc(2026, 11, 28, 18, 30), utc(2090, 6, 1)] {
            #expect(kolkata.offset(at: instant) == 19_800)
        }
        let kathmandu = try zone("Asia/Kathmandu")
        #expect(utc(1985, 12, 31, 18, 30) == 504_901_800)
        #expect(kathmandu.offset(at: utc(1985, 12, 31, 18, 30) - 1) == 19_800)
        #expect(kathmandu.offset(at: utc(1985, 12, 31, 18, 30)) == 20_700)
        #expect(kathmandu.offset(at: utc(2026, 11, 28, 18, 15)) == 20_700)
        #expect(kathmandu.offset(at: utc(2095, 1, 1)) == 20_700)
    }

    @Test("London: BST from 2026-03-29 01:00Z to 2026-10-25 01:00Z")
    func london() throws {
        let london = try zone("Europe/London")
        #expect(london.offset(at: utc(2026, 3, 29, 1) - 1) == 0)
        #expect(london.offset(at: utc(2026, 3, 29, 1)) == Self.hour)
        #expect(london.offset(at: utc(2026, 10, 25, 1) - 1) == Self.hour)
        #expect(london.offset(at: utc(2026, 10, 25, 1)) == 0)
    }

    @Test("Lord Howe shifts by 30 minutes: +10:30 standard, +11 from the first Sunday of October")
    func lordHowe() throws {
        let lordHowe = try zone("Australia/Lord_Howe")
        // DST ends on the first Sunday of April at 02:00 +11 (2026-04-04 15:00Z) and starts on
        // the first Sunday of October at 02:00 +10:30 (2026-10-03 15:30Z).
        #expect(lordHowe.offset(at: utc(2026, 4, 4, 15) - 1) == 39_600)
        #expect(lordHowe.offset(at: utc(2026, 4, 4, 15)) == 37_800)
        #expect(lordHowe.offset(at: utc(2026, 10, 3, 15, 30) - 1) == 37_800)
        #expect(lordHowe.offset(at: utc(2026, 10, 3, 15, 30)) == 39_600)
    }

    // MARK: - Days of 23 and 25 hours

    /// Records every 30 minutes from `first` to `last` (UTC), counted by local day and hour.
    func halfHourly(_ zone: ZoneRules, from first: Int64, to last: Int64) -> (days: [Int64: Int], hours: [Int64: Int]) {
        var days: [Int64: Int] = [:], hours: [Int64: Int] = [:]
        var instant = first
        while instant < last {
            let local = zone.localSeconds(instant)
            days[CivilTime.floorDiv(local, 86_400), default: 0] += 1
            hours[CivilTime.floorDiv(local, 3600), default: 0] += 1
            instant += 1800
        }
        return (days, hours)
    }

    @Test("in New York 2026-11-01 has 25 hours of instants and 2026-03-08 has 23")
    func dstDays() throws {
        let newYork = try zone("America/New_York")
        let fall = halfHourly(newYork, from: utc(2026, 10, 31), to: utc(2026, 11, 4))
        let november1 = CivilTime.days(year: 2026, month: 11, day: 1)
        #expect(fall.days[november1] == 50)
        #expect(fall.days[november1 - 1] == 48)
        #expect(fall.days[november1 + 1] == 48)
        // 01:00 happens twice: four half-hours share that local hour; every other hour has two.
        #expect(fall.hours[november1 * 24 + 1] == 4)
        #expect(fall.hours[november1 * 24 + 0] == 2)
        #expect(fall.hours[november1 * 24 + 2] == 2)

        let spring = halfHourly(newYork, from: utc(2026, 3, 7), to: utc(2026, 3, 11))
        let march8 = CivilTime.days(year: 2026, month: 3, day: 8)
        #expect(spring.days[march8] == 46)
        #expect(spring.days[march8 + 1] == 48)
        // 02:00 never happens.
        #expect(spring.hours[march8 * 24 + 2] == nil)
        #expect(spring.hours[march8 * 24 + 1] == 2)
        #expect(spring.hours[march8 * 24 + 3] == 2)
        // The local day starts at local midnight: 2026-11-01 04:00Z (EDT) to 2026-11-02 05:00Z (EST).
        #expect(newYork.localSeconds(utc(2026, 11, 1, 4)) == november1 * 86_400)
        #expect(newYork.localSeconds(utc(2026, 11, 1, 4) - 1) == november1 * 86_400 - 1)
        #expect(newYork.localSeconds(utc(2026, 11, 2, 5)) == (november1 + 1) * 86_400)
    }

    // MARK: - Local time to instant

    @Test("a local reading in a gap is taken with the offset before it; in an overlap the earlier instant")
    func localToInstant() throws {
        let newYork = try zone("America/New_York")
        let march8 = CivilTime.days(year: 2026, month: 3, day: 8) * 86_400
        let november1 = CivilTime.days(year: 2026, month: 11, day: 1) * 86_400
        // 02:30 does not exist on March 8: read as EST (-5), 07:30Z, which is 03:30 EDT.
        #expect(newYork.instant(ofLocal: march8 + 2 * Self.hour + 1800) == utc(2026, 3, 8, 7, 30))
        #expect(newYork.instant(ofLocal: march8 + 2 * Self.hour) == utc(2026, 3, 8, 7))
        #expect(newYork.instant(ofLocal: march8 + 3 * Self.hour) == utc(2026, 3, 8, 7))
        #expect(newYork.instant(ofLocal: march8 + 2 * Self.hour - 1) == utc(2026, 3, 8, 6, 59, 59))
        // 01:30 happens twice on November 1: the first time is EDT (-4), 05:30Z.
        #expect(newYork.instant(ofLocal: november1 + Self.hour + 1800) == utc(2026, 11, 1, 5, 30))
        #expect(newYork.instant(ofLocal: november1 + 2 * Self.hour) == utc(2026, 11, 1, 7))
        #expect(newYork.instant(ofLocal: november1) == utc(2026, 11, 1, 4))
        let kathmandu = try zone("Asia/Kathmandu")
        #expect(kathmandu.instant(ofLocal: CivilTime.days(year: 2026, month: 11, day: 29) * 86_400) == utc(2026, 11, 28, 18, 15))
    }

    // MARK: - Names

    @Test("UTC and fixed offsets need no file")
    func builtins() throws {
        for name in ["UTC", "Etc/UTC"] {
            let zone = try ZoneRules.named(name, directory: "/nonexistent")
            #expect(zone.isUTC)
            #expect(zone.offset(at: utc(2026, 7, 1)) == 0)
            #expect(zone.instant(ofLocal: 1_000) == 1_000)
        }
        #expect(ZoneRules.utc.isUTC)
        let plus = try ZoneRules.named("+05:30", directory: "/nonexistent")
        #expect(plus.offset(at: 0) == 19_800)
        #expect(!plus.isUTC)
        #expect(try ZoneRules.named("-08:00").offset(at: 0) == -28_800)
        #expect(try ZoneRules.named("+0545").offset(at: 0) == 20_700)
    }

    @Test("bad names are refused with one line naming the zone", arguments: [
        "", "../etc/passwd", "America/../../etc/passwd", "/etc/localtime", "America//New_York", "Foo/Bar",
        "America", "+25:00", "+5:30", "America/New York", "./UTC",
    ])
    func badNames(_ name: String) {
        #expect(throws: ZoneError.self) { try ZoneRules.named(name) }
        do {
            _ = try ZoneRules.named(name)
        } catch {
            #expect(error.description.hasPrefix("'\(name)': "))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("a file that is not TZif data is refused")
    func notTZif() throws {
        let directory = "/tmp/tokentally-zone-test-\(getpid())"
        mkdir(directory, 0o700)
        defer {
            unlink(directory + "/Bad")
            rmdir(directory)
        }
        let file = fopen(directory + "/Bad", "w")
        fputs("not a zone file at all\n", file)
        fclose(file)
        #expect(throws: ZoneError.self) { try ZoneRules.named("Bad", directory: directory) }
    }

    // MARK: - Slim files

    /// A version-2 TZif file with no transitions at all and a footer: what a "slim" file
    /// comes down to for instants after its last transition.
    static func slimTZif(types: [Int32], footer: String) -> [UInt8] {
        var bytes: [UInt8] = []
        func u32(_ value: UInt32) { bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
        func header() {
            bytes += Array("TZif2".utf8) + [UInt8](repeating: 0, count: 15)
            // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
            for count in [0, 0, 0, 0, UInt32(types.count), 4] { u32(count) }
        }
        func data() {
            for offset in types {
                u32(UInt32(bitPattern: offset))
                bytes += [0, 0]
            }
            bytes += Array("EST\0".utf8)
        }
        header()
        data()
        header()
        data()
        bytes += Array("\n\(footer)\n".utf8)
        return bytes
    }

    @Test("a file without transitions answers from its POSIX TZ footer")
    func footerOnly() throws {
        let zone = try ZoneRules.parseTZif(Self.slimTZif(types: [-18_000], footer: "EST5EDT,M3.2.0,M11.1.0"), name: "Slim")
        #expect(zone.offset(at: utc(2026, 3, 8, 7) - 1) == -5 * Self.hour)
        #expect(zone.offset(at: utc(2026, 3, 8, 7)) == -4 * Self.hour)
        #expect(zone.offset(at: utc(2026, 11, 1, 6) - 1) == -4 * Self.hour)
        #expect(zone.offset(at: utc(2026, 11, 1, 6)) == -5 * Self.hour)
        #expect(zone.offset(at: utc(2150, 11, 1, 6)) == -5 * Self.hour)

        // Quoted names, minutes, negative and >24h rule times, J and zero-based days.
        let fixed = try ZoneRules.parseTZif(Self.slimTZif(types: [20_700], footer: "<+0545>-5:45"), name: "Fixed")
        #expect(fixed.offset(at: utc(2026, 1, 1)) == 20_700)
        let jerusalem = try ZoneRules.parseTZif(Self.slimTZif(types: [7200], footer: "IST-2IDT,M3.4.4/26,M10.5.0"), name: "J")
        // Friday before the last Sunday of March 2026 (the 27th) at 02:00 IST = 2026-03-27 00:00Z.
        #expect(jerusalem.offset(at: utc(2026, 3, 27) - 1) == 7200)
        #expect(jerusalem.offset(at: utc(2026, 3, 27)) == 10_800)
        let julian = try ZoneRules.parseTZif(Self.slimTZif(types: [0], footer: "AAA0BBB,J60/0,J300/0"), name: "J")
        // J60 is March 1 even in a leap year; J300 is October 27 in every year.
        #expect(julian.offset(at: utc(2028, 3, 1) - 1) == 0)
        #expect(julian.offset(at: utc(2028, 3, 1)) == 3600)
        #expect(julian.offset(at: utc(2028, 10, 27) - 3600 - 1) == 3600)
        #expect(julian.offset(at: utc(2028, 10, 27) - 3600) == 0)
        let zeroBased = try ZoneRules.parseTZif(Self.slimTZif(types: [0], footer: "AAA0BBB,59/0,299/0"), name: "Z")
        // Day 59 counts February 29: March 1 in 2027, February 29 in 2028.
        #expect(zeroBased.offset(at: utc(2028, 2, 29)) == 3600)
        #expect(zeroBased.offset(at: utc(2027, 3, 1)) == 3600)
        #expect(zeroBased.offset(at: utc(2027, 3, 1) - 1) == 0)
    }

    @Test("malformed TZif data and footers are refused", arguments: [
        "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0", "E5", "EST", "EST5EDT,M3.2.0,M11.1.0,", "EST5EDT,J0,J100",
    ])
    func malformedFooters(_ footer: String) {
        #expect(throws: TZifError.self) { try ZoneRules.parseTZif(Self.slimTZif(types: [0], footer: footer), name: "X") }
    }

    @Test func truncatedFiles() throws {
        let whole = Self.slimTZif(types: [-18_000], footer: "EST5EDT,M3.2.0,M11.1.0")
        for length in [0, 4, 20, 43, 44, 50, 60] {
            #expect(throws: TZifError.self) { try ZoneRules.parseTZif(Array(whole.prefix(length)), name: "X") }
        }
    }

    // MARK: - Cross-check against Python's zoneinfo

    struct Row: Sendable, CustomTestStringConvertible {
        var zone: String
        var a: Int64
        var b: Int64
        var testDescription: String { "\(zone) \(a) \(b)" }
    }

    static func rows(_ table: String) -> [Row] {
        table.split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return Row(zone: String(parts[0]), a: Int64(parts[1]) ?? 0, b: Int64(parts[2]) ?? 0)
        }
    }

    @Test("offsets agree with Python's zoneinfo at and around transitions, 1970–2200")
    func offsetsAgreeWithPython() throws {
        let rows = Self.rows(generatedZoneOffsets)
        #expect(rows.count > 2000)
        var zones: [String: ZoneRules] = [:]
        var mismatches: [String] = []
        for row in rows {
            if zones[row.zone] == nil { zones[row.zone] = try ZoneRules.named(row.zone) }
            let offset = zones[row.zone]?.offset(at: row.a)
            if offset != row.b { mismatches.append("\(row.testDescription) (got \(offset.map(String.init) ?? "nil"))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(10))")
    }

    @Test("local readings resolve as in Python's zoneinfo (fold=0): gaps and overlaps included")
    func localsAgreeWithPython() throws {
        let rows = Self.rows(generatedZoneLocals)
        #expect(rows.count > 3000)
        var zones: [String: ZoneRules] = [:]
        var mismatches: [String] = []
        for row in rows {
            if zones[row.zone] == nil { zones[row.zone] = try ZoneRules.named(row.zone) }
            let instant = zones[row.zone]?.instant(ofLocal: row.a)
            if instant != row.b { mismatches.append("\(row.testDescription) (got \(instant.map(String.init) ?? "nil"))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first: \(mismatches.prefix(10))")
    }

    @Test("spans are consistent: every instant of a span has its offset, and the next span starts at its end")
    func spansChain() throws {
        for name in ["America/New_York", "Australia/Lord_Howe", "Europe/Dublin", "Asia/Kathmandu"] {
            let zone = try ZoneRules.named(name)
            var instant = utc(2095, 1, 1)
            while instant < utc(2106, 1, 1) {
                let span = zone.span(at: instant)
                #expect(span.start <= instant && instant < span.end)
                #expect(zone.offset(at: span.start) == span.offset)
                if span.end == Int64.max { break }
                #expect(zone.offset(at: span.end - 1) == span.offset)
                #expect(zone.offset(at: span.end) != span.offset)
                instant = span.end
            }
        }
    }
}
