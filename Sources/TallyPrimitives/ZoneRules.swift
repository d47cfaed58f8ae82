#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The UTC offset of a time zone at any instant: an IANA zone read from the system's TZif
/// files, UTC, or a fixed offset such as `+05:30`.
///
/// Foundation's `TimeZone` locks and allocates on every query, and is not available the same
/// way on every platform; bucketing a timestamp per line cannot afford that. This type reads
/// the zone's TZif file once (RFC 8536: versions 1–4, the 64-bit section when present, and
/// the POSIX TZ footer such as `EST5EDT,M3.2.0,M11.1.0`), expands the footer's rules into
/// explicit transitions up to ``expansionEndYear`` (Debian ships "slim" files whose explicit
/// transitions stop in 2007, so the footer is what answers for 2026), and after that computes
/// the footer's transitions on demand. A lookup is a binary search; ``span(at:)`` gives the
/// whole interval with one offset so that a caller can cache it.
///
/// The files come from `$TZDIR` when it is set and not empty, else `/usr/share/zoneinfo`
/// (Debian and Ubuntu: package `tzdata`). The `TZ` environment variable is never consulted:
/// a zone is only what the caller names. Leap-second files (`right/…`) are read as if their
/// leap seconds were absent.
public struct ZoneRules: Sendable, Equatable, CustomStringConvertible {
    /// The name it was loaded by (`America/New_York`, `UTC`, `+05:30`).
    public let name: String
    /// Instants (Unix seconds) where the offset changes, ascending.
    let transitions: [Int64]
    /// Offsets in seconds east of UTC: `offsets[i]` holds before `transitions[i]` and from
    /// `transitions[i - 1]` on; one more than there are transitions.
    let offsets: [Int32]
    /// The rule for instants after the last transition, when it has daylight saving time.
    let footer: PosixRule?
    /// Whether every instant has offset 0 (lookups are then free).
    public let isUTC: Bool

    /// The last year whose footer transitions are expanded into the table at load time.
    public static let expansionEndYear: Int64 = 2100

    /// UTC.
    public static let utc = ZoneRules(name: "UTC", fixedOffset: 0)

    public var description: String { name }

    /// A zone with one offset for all time.
    public init(name: String, fixedOffset seconds: Int32) {
        self.init(name: name, transitions: [], offsets: [seconds], footer: nil)
    }

    init(name: String, transitions: [Int64], offsets: [Int32], footer: PosixRule?) {
        precondition(offsets.count == transitions.count + 1)
        self.name = name
        self.transitions = transitions
        self.offsets = offsets
        self.footer = footer
        isUTC = transitions.isEmpty && footer == nil && offsets[0] == 0
    }

    // MARK: - Loading

    /// Where the TZif files are: `$TZDIR`, else `/usr/share/zoneinfo`.
    public static var zoneDirectory: String {
        if let value = getenv("TZDIR").map({ String(cString: $0) }), !value.isEmpty { return value }
        return "/usr/share/zoneinfo"
    }

    /// The zone `name`: `UTC` (also `Etc/UTC`, `Z`), a fixed offset `+HH:MM` or `-HH:MM`, or
    /// an IANA name read from ``zoneDirectory``.
    public static func named(_ name: String, directory: String? = nil) throws(ZoneError) -> ZoneRules {
        switch name {
        case "UTC", "Etc/UTC", "Z", "Etc/Zulu", "Zulu", "Etc/Universal", "Universal":
            return ZoneRules(name: name, fixedOffset: 0)
        default: break
        }
        if let first = name.utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            guard let offset = parseFixedOffset(name) else {
                throw ZoneError(name: name, reason: "a fixed offset must be +HH:MM or -HH:MM, at most 24 hours")
            }
            return ZoneRules(name: name, fixedOffset: offset)
        }
        guard isSafeName(name) else {
            throw ZoneError(name: name, reason: "not a time zone name (use an IANA name such as Europe/Berlin, UTC, or +05:30)")
        }
        let base = directory ?? zoneDirectory
        let path = base.hasSuffix("/") ? base + name : base + "/" + name
        guard let bytes = readFile(path) else {
            throw ZoneError(name: name, reason: "unknown time zone (no zone file \(path); use an IANA name such as Europe/Berlin, UTC, or +05:30)")
        }
        do throws(TZifError) {
            return try parseTZif(bytes, name: name)
        } catch {
            throw ZoneError(name: name, reason: "\(path) is not a valid zone file (\(error.reason))")
        }
    }

    /// Letters, digits, `_ + - .` and `/`-separated parts that are neither empty nor `.` or
    /// `..`: nothing that could leave the zone directory.
    static func isSafeName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        for part in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part != ".", part != ".." else { return false }
            let ok = part.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || $0 == "_" || $0 == "+" || $0 == "-" || $0 == "."
            }
            guard ok else { return false }
        }
        return true
    }

    /// `+HH:MM`, `-HH:MM`, `+HHMM` or `+HH` as seconds east of UTC.
    static func parseFixedOffset(_ text: String) -> Int32? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3 else { return nil }
        let sign: Int32 = bytes[0] == UInt8(ascii: "-") ? -1 : 1
        var digits = Array(bytes[1...])
        if digits.count == 5 && digits[2] == UInt8(ascii: ":") { digits.remove(at: 2) }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let value = digits.map { Int32($0 - 0x30) }
        let hours = value[0] * 10 + value[1]
        let minutes = digits.count == 4 ? value[2] * 10 + value[3] : 0
        guard minutes < 60, hours * 60 + minutes <= 24 * 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    /// The whole file, or nil when it cannot be read (missing, a directory, unreadable).
    private static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= 1 << 20 else { return nil }  // zone files are a few KiB
        }
        return bytes
    }

    // MARK: - Lookup

    /// An interval of instants with one offset.
    public struct Span: Sendable, Equatable {
        /// First instant of the span (`Int64.min` when it is open to the past).
        public var start: Int64
        /// First instant after the span (`Int64.max` when it is open to the future).
        public var end: Int64
        /// Seconds east of UTC.
        public var offset: Int64

        public init(start: Int64, end: Int64, offset: Int64) {
            self.start = start
            self.end = end
            self.offset = offset
        }
    }

    /// The offset (seconds east of UTC) at Unix second `instant`.
    @inlinable
    public func offset(at instant: Int64) -> Int64 {
        isUTC ? 0 : span(at: instant).offset
    }

    /// Local civil time at `instant`, as Unix seconds of the same wall-clock reading in UTC.
    @inlinable
    public func localSeconds(_ instant: Int64) -> Int64 {
        instant + offset(at: instant)
    }

    /// The span of instants around `instant` that share its offset.
    public func span(at instant: Int64) -> Span {
        if let footer, instant >= transitions.last ?? Int64.min {
            return footer.span(at: instant, notBefore: transitions.last ?? Int64.min, fallback: Int64(offsets[offsets.count - 1]))
        }
        // `low` = the number of transitions at or before the instant.
        var low = 0, high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= instant { low = middle + 1 } else { high = middle }
        }
        return Span(
            start: low == 0 ? Int64.min : transitions[low - 1],
            end: low == transitions.count ? Int64.max : transitions[low],
            offset: Int64(offsets[low]))
    }

    /// The instant (Unix seconds) when the local clock reads `local` (a civil time written as
    /// Unix seconds of the same reading in UTC).
    ///
    /// In a gap (spring forward: 02:30 does not exist on 2026-03-08 in New York) the reading
    /// is taken with the offset in effect before the gap, as if the clock had not been changed
    /// yet, which lands after the gap (02:30 EST is 03:30 EDT, 07:30Z). In an overlap (fall
    /// back: 01:30 happens twice on 2026-11-01) the earlier instant is taken (01:30 EDT, 05:30Z).
    public func instant(ofLocal local: Int64) -> Int64 {
        if isUTC { return local }
        // Every offset is within ±26 hours, so the answer lies in this window.
        let window: Int64 = 27 * 3600
        let first = local &- window, last = local &+ window
        var spans: [Span] = []
        var cursor = first
        while true {
            let span = span(at: cursor)
            spans.append(span)
            if span.end == Int64.max || span.end > last { break }
            cursor = span.end
        }
        // The earliest instant whose offset matches.
        for span in spans {
            let candidate = local &- span.offset
            if candidate >= span.start && candidate < span.end { return candidate }
        }
        // A gap: the reading falls between two spans; use the offset before it.
        for (before, after) in zip(spans, spans.dropFirst()) {
            if local >= after.start &+ before.offset && local < after.start &+ after.offset {
                return local &- before.offset
            }
        }
        return local &- offset(at: local)
    }
}

/// A time zone that cannot be used: one line naming it.
public struct ZoneError: Error, Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var reason: String
    public var description: String { "'\(name)': \(reason)" }
}

// MARK: - POSIX TZ rules

/// A POSIX TZ string's daylight saving rule (`EST5EDT,M3.2.0,M11.1.0`): two offsets and the
/// yearly dates and local times where daylight saving time starts and ends.
struct PosixRule: Sendable, Equatable {
    /// Standard and daylight offsets, seconds east of UTC.
    var standardOffset: Int64
    var daylightOffset: Int64
    var start: DateRule
    var end: DateRule

    /// A day of the year and a local time (seconds, may be negative or past 24 hours).
    struct DateRule: Sendable, Equatable {
        enum Day: Sendable, Equatable {
            /// `Jn`: day 1…365, February 29 never counted.
            case julianNoLeap(Int)
            /// `n`: day 0…365, February 29 counted.
            case zeroBased(Int)
            /// `Mm.w.d`: weekday `d` (0 Sunday) of week `w` (5 = last) of month `m`.
            case monthWeekDay(month: Int, week: Int, weekday: Int)
        }
        var day: Day
        var time: Int64

        /// Days since 1970-01-01 of this rule's day in `year`.
        func days(in year: Int64) -> Int64 {
            switch day {
            case .julianNoLeap(let n):
                var days = CivilTime.days(year: year, month: 1, day: 1) + Int64(n) - 1
                if CivilTime.isLeapYear(year) && n >= 60 { days += 1 }
                return days
            case .zeroBased(let n):
                return CivilTime.days(year: year, month: 1, day: 1) + Int64(n)
            case .monthWeekDay(let month, let week, let weekday):
                let first = CivilTime.days(year: year, month: month, day: 1)
                // 1970-01-01 was a Thursday (weekday 4).
                let firstWeekday = ((first + 4) % 7 + 7) % 7
                var day = first + (Int64(weekday) - firstWeekday + 7) % 7 + Int64(week - 1) * 7
                let length = Int64(CivilTime.daysInMonth(year: year, month: month))
                while day >= first + length { day -= 7 }
                return day
            }
        }
    }

    /// The year's two transitions, as (instant, offset from then on), in rule order.
    func transitions(in year: Int64) -> [(instant: Int64, offset: Int64)] {
        // The start is written in standard time, the end in daylight time.
        let startLocal = start.days(in: year) * CivilTime.secondsPerDay + start.time
        let endLocal = end.days(in: year) * CivilTime.secondsPerDay + end.time
        return [(startLocal - standardOffset, daylightOffset), (endLocal - daylightOffset, standardOffset)]
    }

    /// The span holding `instant`, never starting before `notBefore` (the last explicit
    /// transition).
    func span(at instant: Int64, notBefore: Int64, fallback: Int64) -> ZoneRules.Span {
        let year = CivilTime.date(days: CivilTime.floorDiv(instant, CivilTime.secondsPerDay)).year
        var all: [(instant: Int64, offset: Int64)] = []
        for y in (year - 1)...(year + 1) { all += transitions(in: y) }
        all.sort { $0.instant < $1.instant }
        var start = notBefore, offset = fallback, end = Int64.max
        for transition in all {
            if transition.instant <= instant {
                start = max(transition.instant, notBefore)
                offset = transition.offset
            } else {
                end = transition.instant
                break
            }
        }
        return ZoneRules.Span(start: start, end: end, offset: offset)
    }

    /// Parses a TZ string: its rule (nil when it has no daylight saving time) and its standard
    /// offset; throws when it is malformed.
    static func parse(_ text: String) throws(TZifError) -> (rule: PosixRule?, standardOffset: Int64) {
        var scanner = Scanner(bytes: Array(text.utf8))
        guard scanner.name() else { throw TZifError(reason: "bad TZ string '\(text)'") }
        guard let standard = scanner.offset() else { throw TZifError(reason: "bad TZ string '\(text)'") }
        let standardOffset = -standard  // POSIX counts west of Greenwich as positive
        if scanner.atEnd { return (nil, standardOffset) }
        guard scanner.name() else { throw TZifError(reason: "bad TZ string '\(text)'") }
        var daylightOffset = standardOffset + 3600
        if let peek = scanner.peek, peek != UInt8(ascii: ",") {
            guard let daylight = scanner.offset() else { throw TZifError(reason: "bad TZ string '\(text)'") }
            daylightOffset = -daylight
        }
        var start = DateRule(day: .monthWeekDay(month: 3, week: 2, weekday: 0), time: 7200)
        var end = DateRule(day: .monthWeekDay(month: 11, week: 1, weekday: 0), time: 7200)
        if !scanner.atEnd {
            guard scanner.take(UInt8(ascii: ",")), let first = scanner.dateRule(), scanner.take(UInt8(ascii: ",")),
                let second = scanner.dateRule(), scanner.atEnd
            else { throw TZifError(reason: "bad TZ string '\(text)'") }
            start = first
            end = second
        }
        return (PosixRule(standardOffset: standardOffset, daylightOffset: daylightOffset, start: start, end: end), standardOffset)
    }

    /// A cursor over a TZ string.
    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }
        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        /// A zone abbreviation: three or more letters, or `<…>` quoted.
        mutating func name() -> Bool {
            if take(UInt8(ascii: "<")) {
                while let byte = peek, byte != UInt8(ascii: ">") { index += 1 }
                return take(UInt8(ascii: ">"))
            }
            let begin = index
            while let byte = peek, (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") { index += 1 }
            return index - begin >= 3
        }

        mutating func number() -> Int64? {
            var value: Int64 = 0
            var digits = 0
            while let byte = peek, (0x30...0x39).contains(byte), digits < 6 {
                value = value * 10 + Int64(byte - 0x30)
                digits += 1
                index += 1
            }
            return digits > 0 ? value : nil
        }

        /// `[+-]hh[:mm[:ss]]` in seconds.
        mutating func offset() -> Int64? {
            var sign: Int64 = 1
            if take(UInt8(ascii: "-")) { sign = -1 } else { _ = take(UInt8(ascii: "+")) }
            guard let hours = number(), hours <= 167 else { return nil }
            var seconds = hours * 3600
            if take(UInt8(ascii: ":")) {
                guard let minutes = number(), minutes < 60 else { return nil }
                seconds += minutes * 60
                if take(UInt8(ascii: ":")) {
                    guard let secs = number(), secs < 60 else { return nil }
                    seconds += secs
                }
            }
            return sign * seconds
        }

        /// `Jn`, `n` or `Mm.w.d`, then an optional `/time`.
        mutating func dateRule() -> DateRule? {
            let day: DateRule.Day
            if take(UInt8(ascii: "J")) {
                guard let n = number(), (1...365).contains(n) else { return nil }
                day = .julianNoLeap(Int(n))
            } else if take(UInt8(ascii: "M")) {
                guard let month = number(), (1...12).contains(month), take(UInt8(ascii: ".")),
                    let week = number(), (1...5).contains(week), take(UInt8(ascii: ".")),
                    let weekday = number(), (0...6).contains(weekday)
                else { return nil }
                day = .monthWeekDay(month: Int(month), week: Int(week), weekday: Int(weekday))
            } else {
                guard let n = number(), (0...365).contains(n) else { return nil }
                day = .zeroBased(Int(n))
            }
            var time: Int64 = 7200
            if take(UInt8(ascii: "/")) {
                guard let value = offset() else { return nil }
                time = value
            }
            return DateRule(day: day, time: time)
        }
    }
}

// MARK: - TZif

/// Why a TZif file was rejected.
struct TZifError: Error {
    var reason: String
}

extension ZoneRules {
    /// Parses a TZif file (RFC 8536): the 64-bit section of version 2 and later (else the
    /// 32-bit one), then the footer, whose rules are expanded up to ``expansionEndYear``.
    static func parseTZif(_ bytes: [UInt8], name: String) throws(TZifError) -> ZoneRules {
        var reader = ByteReader(bytes: bytes)
        var header = try reader.header()
        var timeSize = 4
        if header.version >= 2 {
            try reader.skip(header.dataSize(timeSize: 4))
            header = try reader.header()
            timeSize = 8
        }
        var rawTransitions: [Int64] = []
        for _ in 0..<header.timeCount { rawTransitions.append(try reader.time(size: timeSize)) }
        var typeIndices: [Int] = []
        for _ in 0..<header.timeCount { typeIndices.append(Int(try reader.byte())) }
        var typeOffsets: [Int32] = []
        for _ in 0..<header.typeCount {
            typeOffsets.append(Int32(bitPattern: try reader.uint32()))
            _ = try reader.byte()  // is DST
            _ = try reader.byte()  // abbreviation index
        }
        guard !typeOffsets.isEmpty else { throw TZifError(reason: "no local time types") }
        guard typeIndices.allSatisfy({ $0 < typeOffsets.count }) else { throw TZifError(reason: "a transition names a missing type") }
        try reader.skip(header.charCount + header.leapCount * (timeSize + 4) + header.standardCount + header.utcCount)

        var footer: PosixRule?
        if header.version >= 2, reader.remaining > 0 {
            let rest = reader.rest
            guard rest.first == 0x0A, let close = rest.dropFirst().firstIndex(of: 0x0A) else {
                throw TZifError(reason: "malformed footer")
            }
            let text = String(decoding: rest[(rest.startIndex + 1)..<close], as: UTF8.self)
            if !text.isEmpty {
                footer = try PosixRule.parse(text).rule
            }
        }

        // Transitions that change the offset, with the offset in effect after each.
        var transitions: [Int64] = []
        var offsets: [Int32] = [typeOffsets[0]]
        for (instant, type) in zip(rawTransitions, typeIndices) {
            if let last = transitions.last, instant <= last { throw TZifError(reason: "transitions out of order") }
            let offset = typeOffsets[type]
            if offset == offsets[offsets.count - 1] { continue }
            transitions.append(instant)
            offsets.append(offset)
        }
        if let footer {
            // Expand the footer's rules into the table, so that lookups up to 2100 are one
            // binary search.
            let firstYear = rawTransitions.last.map {
                CivilTime.date(days: CivilTime.floorDiv($0, CivilTime.secondsPerDay)).year
            } ?? 1900
            for year in firstYear...expansionEndYear {
                for transition in footer.transitions(in: year).sorted(by: { $0.instant < $1.instant }) {
                    if let last = transitions.last, transition.instant <= last { continue }
                    let offset = Int32(truncatingIfNeeded: transition.offset)
                    if offset == offsets[offsets.count - 1] { continue }
                    transitions.append(transition.instant)
                    offsets.append(offset)
                }
            }
        }
        return ZoneRules(name: name, transitions: transitions, offsets: offsets, footer: footer)
    }

    /// Big-endian reads over a TZif file.
    struct ByteReader {
        let bytes: [UInt8]
        var index = 0

        var remaining: Int { bytes.count - index }
        var rest: ArraySlice<UInt8> { bytes[index...] }

        struct Header {
            var version: Int
            var utcCount, standardCount, leapCount, timeCount, typeCount, charCount: Int

            func dataSize(timeSize: Int) -> Int {
                timeCount * timeSize + timeCount + typeCount * 6 + charCount + leapCount * (timeSize + 4)
                    + standardCount + utcCount
            }
        }

        mutating func header() throws(TZifError) -> Header {
            guard remaining >= 44, bytes[index..<(index + 4)].elementsEqual("TZif".utf8) else {
                throw TZifError(reason: "no TZif header")
            }
            let versionByte = bytes[index + 4]
            let version = versionByte == 0 ? 1 : Int(versionByte) - 0x30
            guard (1...9).contains(version) else { throw TZifError(reason: "unknown version") }
            index += 20
            var counts: [Int] = []
            for _ in 0..<6 { counts.append(Int(try uint32())) }
            return Header(
                version: version, utcCount: counts[0], standardCount: counts[1], leapCount: counts[2],
                timeCount: counts[3], typeCount: counts[4], charCount: counts[5])
        }

        mutating func skip(_ count: Int) throws(TZifError) {
            guard count >= 0, count <= remaining else { throw TZifError(reason: "truncated") }
            index += count
        }

        mutating func byte() throws(TZifError) -> UInt8 {
            guard remaining >= 1 else { throw TZifError(reason: "truncated") }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func uint32() throws(TZifError) -> UInt32 {
            guard remaining >= 4 else { throw TZifError(reason: "truncated") }
            var value: UInt32 = 0
            for offset in 0..<4 { value = value << 8 | UInt32(bytes[index + offset]) }
            index += 4
            return value
        }

        mutating func time(size: Int) throws(TZifError) -> Int64 {
            if size == 4 { return Int64(Int32(bitPattern: try uint32())) }
            let high = UInt64(try uint32()), low = UInt64(try uint32())
            return Int64(bitPattern: high << 32 | low)
        }
    }
}
