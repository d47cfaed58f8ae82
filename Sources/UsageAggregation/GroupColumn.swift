import TallyPrimitives

/// A calendar bucket for grouping by time. Its arithmetic is on civil time written as Unix
/// seconds (UTC, or a zone's local time shifted by its offset; see ``GroupingPlan``).
public enum TimeGrain: String, Sendable, CaseIterable, Hashable {
    case hour, day, week, month

    /// Unix seconds of the start of the bucket holding `seconds`.
    ///
    /// Weeks are ISO weeks (they start on Monday); months start on their first day.
    @inlinable
    public func bucketStart(_ seconds: Int64) -> Int64 {
        switch self {
        case .hour:
            return CivilTime.floorDiv(seconds, 3600) * 3600
        case .day:
            return CivilTime.floorDiv(seconds, CivilTime.secondsPerDay) * CivilTime.secondsPerDay
        case .week:
            let days = CivilTime.floorDiv(seconds, CivilTime.secondsPerDay)
            // 1970-01-01 was a Thursday: days + 3 counts from a Monday.
            let monday = days - ((days + 3) % 7 + 7) % 7
            return monday * CivilTime.secondsPerDay
        case .month:
            let date = CivilTime.date(days: CivilTime.floorDiv(seconds, CivilTime.secondsPerDay))
            return CivilTime.days(year: date.year, month: date.month, day: 1) * CivilTime.secondsPerDay
        }
    }

    /// The bucket's label: `YYYY-MM-DD`, or `YYYY-MM-DD HH:00` for hours.
    public func label(bucketStart: Int64) -> String {
        var bytes: [UInt8] = []
        appendLabel(bucketStart: bucketStart, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the ``label(bucketStart:)`` text as UTF-8.
    public func appendLabel(bucketStart: Int64, to bytes: inout [UInt8]) {
        let days = CivilTime.floorDiv(bucketStart, CivilTime.secondsPerDay)
        let date = CivilTime.date(days: days)
        ExactDecimal.appendDigits(UInt64(max(0, date.year)), minimumWidth: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        ExactDecimal.appendDigits(UInt64(date.month), minimumWidth: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        ExactDecimal.appendDigits(UInt64(date.day), minimumWidth: 2, to: &bytes)
        if self == .hour {
            let hour = (bucketStart - days * CivilTime.secondsPerDay) / 3600
            bytes.append(UInt8(ascii: " "))
            ExactDecimal.appendDigits(UInt64(hour), minimumWidth: 2, to: &bytes)
            bytes.append(contentsOf: ":00".utf8)
        }
    }
}

/// A group column of the summary (`--by`).
public enum GroupColumn: Hashable, Sendable, CustomStringConvertible {
    /// The start of the record's hour, day, ISO week or month.
    case time(TimeGrain)
    /// The model id.
    case model
    /// The API key (as logged; often a hash or an alias).
    case key
    /// The end user.
    case user
    /// The provider (logged, or the model id's prefix).
    case provider
    /// The request status.
    case status
    /// The input file's name.
    case file
    /// A custom `--field`.
    case custom(String)

    /// The header name.
    public var description: String {
        switch self {
        case .time(let grain): return grain.rawValue
        case .model: return "model"
        case .key: return "key"
        case .user: return "user"
        case .provider: return "provider"
        case .status: return "status"
        case .file: return "file"
        case .custom(let name): return name
        }
    }

    /// Whether the column holds a time bucket (a date when written).
    public var isTime: Bool {
        if case .time = self { return true }
        return false
    }
}
