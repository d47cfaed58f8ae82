import TallyPrimitives
import UsageDecoding

/// How each group column gets its cell from a decoded record.
///
/// Time cells hold the start of the bucket of the record's *local* civil time in ``zone``
/// (`grain.bucketStart(utc + offset(utc))`), written as Unix seconds of that wall-clock
/// reading in UTC, so that labels made from them are local dates and hours. In the repeated
/// hour of a fall-back change both hours read `01:00` and share one `hour` bucket; the day of
/// that change has 25 hours of instants, the day of a spring-forward change 23.
public struct GroupingPlan: Sendable {
    /// The group columns, in `--by` order.
    public let columns: [GroupColumn]
    /// The zone whose calendar the time buckets follow (`--tz`).
    public let zone: ZoneRules
    /// The string values the decoder must extract, in the order it indexes them.
    public let valueFields: [ValueField]
    /// Per column: where its cell comes from.
    let sources: [Source]

    enum Source: Sendable {
        case time(TimeGrain)
        case value(Int)
        case file
    }

    public init(columns: [GroupColumn], zone: ZoneRules = .utc) {
        self.columns = columns
        self.zone = zone
        var fields: [ValueField] = []
        var sources: [Source] = []
        for column in columns {
            let field: ValueField
            switch column {
            case .time(let grain):
                sources.append(.time(grain))
                continue
            case .file:
                sources.append(.file)
                continue
            case .model: field = .model
            case .key: field = .key
            case .user: field = .user
            case .provider: field = .provider
            case .status: field = .status
            case .custom(let name): field = .custom(name)
            }
            if let existing = fields.firstIndex(of: field) {
                sources.append(.value(existing))
            } else {
                sources.append(.value(fields.count))
                fields.append(field)
            }
        }
        valueFields = fields
        self.sources = sources
    }

    /// Rewrites the time columns of `cells` for `seconds` (0 when there is no time): a
    /// deduplicated record moves to the bucket of its earliest copy.
    public func setTimeCells(_ cells: inout [UInt64], seconds: Int64?) {
        let local = seconds.map { zone.localSeconds($0) }
        for (column, source) in sources.enumerated() {
            if case .time(let grain) = source {
                cells[column] = local.map { Self.timeCell(grain.bucketStart($0)) } ?? 0
            }
        }
    }

    /// The cell of a time bucket: order-preserving, never 0 (0 means no time).
    @inlinable
    public static func timeCell(_ bucketStart: Int64) -> UInt64 {
        UInt64(bitPattern: bucketStart) ^ (1 << 63)
    }

    /// The bucket start of a time cell (which must not be 0).
    @inlinable
    public static func bucketStart(ofCell cell: UInt64) -> Int64 {
        Int64(bitPattern: cell ^ (1 << 63))
    }
}

/// Builds the group key of each record, interning string values as it goes. One per thread.
public final class GroupKeyBuilder {
    /// The plan it follows.
    public let plan: GroupingPlan
    /// Ids of the strings seen by this builder (thread-local ids).
    @exclusivity(unchecked) public private(set) var strings = StringInterner()
    private let cells: UnsafeMutableBufferPointer<UInt64>
    @exclusivity(unchecked) private var scratch: UnsafeMutableRawBufferPointer
    /// Whether the plan's zone is UTC (then local time is the instant, at no cost).
    private let zoneIsUTC: Bool
    /// The zone's span used last: records come mostly in time order, so most lookups hit it.
    /// Starts empty, so the first lookup fills it.
    @exclusivity(unchecked) private var span = ZoneRules.Span(start: 0, end: 0, offset: 0)

    public init(plan: GroupingPlan) {
        self.plan = plan
        zoneIsUTC = plan.zone.isUTC
        cells = .allocate(capacity: max(plan.columns.count, 1))
        cells.initialize(repeating: 0)
        scratch = .allocate(byteCount: 256, alignment: 8)
    }

    deinit {
        cells.deallocate()
        scratch.deallocate()
    }

    /// Longest group value kept, in bytes: a longer one (a prompt pasted into a custom field, a
    /// hostile model name) is cut at the last whole character within it, and the line counts a
    /// `value_truncated` warning. Keeps one line from growing the string table by megabytes.
    public static let maxValueBytes = 1024

    /// Whether the last ``cells(for:decoder:line:fileID:)`` cut a value to ``maxValueBytes``.
    @exclusivity(unchecked) public private(set) var truncated = false

    /// Forgets every string (and so every local id): a thread that has met many distinct values
    /// does this once they are merged, so that its table does not grow into a copy of the run's.
    public func forgetStrings() {
        strings = StringInterner()
    }

    /// The local id of a string (for the `file` column).
    public func id(of string: String) -> UInt32 { strings.id(of: string) }

    /// The key cells of `record`, decoded from `line` by `decoder`; valid until the next call.
    public func cells(
        for record: UsageRecord, decoder: UsageDecoder, line: UnsafeRawBufferPointer, fileID: UInt32
    ) -> UnsafeBufferPointer<UInt64> {
        let local = record.time.map { localSeconds($0) }
        truncated = false
        for (column, source) in plan.sources.enumerated() {
            switch source {
            case .time(let grain):
                cells[column] = local.map { GroupingPlan.timeCell(grain.bucketStart($0)) } ?? 0
            case .file:
                cells[column] = UInt64(fileID)
            case .value(let index):
                cells[column] = decoder.value(index).map { valueID($0, in: decoder.valueBytes(index, line: line)) } ?? 0
            }
        }
        return UnsafeBufferPointer(start: cells.baseAddress, count: plan.columns.count)
    }

    /// The local civil time of `instant` in the plan's zone: free for UTC, else the cached
    /// span's offset, looked up again only when the instant leaves that span.
    @inline(__always)
    private func localSeconds(_ instant: Int64) -> Int64 {
        if zoneIsUTC { return instant }
        if instant < span.start || instant >= span.end { span = plan.zone.span(at: instant) }
        return instant &+ span.offset
    }

    /// The id of a value's text: a string's unescaped content, or the JSON text of any other
    /// value; an empty string is no value (id 0), like an absent one.
    private func valueID(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer) -> UInt64 {
        var start = Int(span.start), end = Int(span.end)
        if span.kind == .string {
            start += 1
            end -= 1
            guard end > start else { return 0 }
            if span.hasEscapes {
                let body = UnsafeRawBufferPointer(rebasing: line[start..<end])
                if scratch.count < body.count {
                    scratch.deallocate()
                    scratch = .allocate(byteCount: body.count, alignment: 8)
                }
                // Unescaped text is never longer than its escaped form.
                let length = JSONString.unescape(body, into: scratch) ?? 0
                guard length > 0 else { return 0 }
                return id(ofValue: UnsafeRawBufferPointer(rebasing: scratch[0..<length]))
            }
        }
        return id(ofValue: UnsafeRawBufferPointer(rebasing: line[start..<end]))
    }

    /// The id of a value's bytes, cut to ``maxValueBytes`` (at a character boundary) if longer.
    @inline(__always)
    private func id(ofValue bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard bytes.count > Self.maxValueBytes else { return UInt64(strings.id(of: bytes)) }
        truncated = true
        var end = Self.maxValueBytes
        while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }  // not inside a UTF-8 sequence
        return UInt64(strings.id(of: UnsafeRawBufferPointer(rebasing: bytes[0..<end])))
    }
}
