import UsageDecoding

/// The reconciliation of PRODUCT.md, for a batch, a file or a run:
///
/// ```
/// lines read = records + no usage + bad lines + blank lines
///            + filtered out + duplicates dropped + lines of failed files
/// ```
///
/// Tallies merge with `+=`, so per-thread partials add up to the same totals in any order.
public struct LineTally: Sendable, Equatable, Codable {
    public var linesRead = 0
    public var records = 0
    public var noUsage = 0
    public var blankLines = 0
    /// Bad lines by reason, indexed like `BadLineReason.allCases`.
    public var badLinesByReason = [Int](repeating: 0, count: BadLineReason.allCases.count)
    /// Records outside `--since`/`--until`, or without a time when either is given. A
    /// deduplicated record is filtered by its winner's earliest time, once, where the winner
    /// was read; its other copies are duplicates dropped.
    public var filteredOut = 0
    /// Copies of a request left out by deduplication (the copy counted is a record).
    public var duplicatesDropped = 0
    /// Lines of inputs that failed and were not salvaged, including a damaged last fragment.
    public var failedFileLines = 0
    /// Line-level warnings by kind, indexed like `LineWarnings.all`.
    public var warnings = [Int](repeating: 0, count: LineWarnings.all.count)

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case linesRead, records, noUsage, blankLines, badLinesByReason, filteredOut, duplicatesDropped
        case failedFileLines, warnings
    }

    /// Decodes a stored tally. One stored before a warning kind or bad-line reason existed has
    /// fewer counts: the new ones are 0.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func counts(_ key: CodingKeys, length: Int) throws -> [Int] {
            let stored = try container.decode([Int].self, forKey: key)
            guard stored.count <= length else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "too many counts")
            }
            return stored + repeatElement(0, count: length - stored.count)
        }
        linesRead = try container.decode(Int.self, forKey: .linesRead)
        records = try container.decode(Int.self, forKey: .records)
        noUsage = try container.decode(Int.self, forKey: .noUsage)
        blankLines = try container.decode(Int.self, forKey: .blankLines)
        badLinesByReason = try counts(.badLinesByReason, length: BadLineReason.allCases.count)
        filteredOut = try container.decode(Int.self, forKey: .filteredOut)
        duplicatesDropped = try container.decode(Int.self, forKey: .duplicatesDropped)
        failedFileLines = try container.decode(Int.self, forKey: .failedFileLines)
        warnings = try counts(.warnings, length: LineWarnings.all.count)
    }

    /// All bad lines.
    public var badLines: Int { badLinesByReason.reduce(0, +) }

    /// Whether the terms add up to the lines read.
    public var isBalanced: Bool {
        linesRead == records + noUsage + badLines + blankLines + filteredOut + duplicatesDropped + failedFileLines
    }

    /// Counts one bad line.
    @inline(__always)
    public mutating func countBad(_ reason: BadLineReason) {
        badLinesByReason[reason.index] += 1
    }

    /// Counts each warning in a set.
    @inline(__always)
    public mutating func countWarnings(_ set: LineWarnings) {
        guard !set.isEmpty else { return }
        for (index, entry) in LineWarnings.all.enumerated() where set.contains(entry.warning) {
            warnings[index] += 1
        }
    }

    public static func += (lhs: inout LineTally, rhs: LineTally) {
        lhs.linesRead += rhs.linesRead
        lhs.records += rhs.records
        lhs.noUsage += rhs.noUsage
        lhs.blankLines += rhs.blankLines
        for index in lhs.badLinesByReason.indices { lhs.badLinesByReason[index] += rhs.badLinesByReason[index] }
        lhs.filteredOut += rhs.filteredOut
        lhs.duplicatesDropped += rhs.duplicatesDropped
        lhs.failedFileLines += rhs.failedFileLines
        for index in lhs.warnings.indices { lhs.warnings[index] += rhs.warnings[index] }
    }

    /// This tally with every line moved to "lines of failed files" (a failed input's lines
    /// count for nothing else).
    var allFailed: LineTally {
        var failed = LineTally()
        failed.linesRead = linesRead
        failed.failedFileLines = linesRead
        return failed
    }
}

extension BadLineReason {
    /// Position in `allCases`.
    var index: Int {
        switch self {
        case .lineTooLong: return 0
        case .invalidUTF8: return 1
        case .invalidJSON: return 2
        case .tooDeep: return 3
        case .notObject: return 4
        case .badUsage: return 5
        }
    }
}
