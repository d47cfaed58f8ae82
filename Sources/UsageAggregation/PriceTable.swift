#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TallyPrimitives
import UsageDecoding

/// One row of a price file (`--prices`, docs/prices.md): USD per million tokens for the models
/// a pattern matches, from a date on.
public struct PriceRow: Sendable, Equatable {
    /// An exact model id, or a glob where `*` matches any run of characters (`/` included).
    public let pattern: String
    /// Start of the day (UTC) from which the row applies, Unix seconds; nil: always.
    public let effectiveFrom: Int64?
    /// USD per million input tokens that are neither cached nor cache writes.
    public let input: ExactDecimal
    /// USD per million cached (cache read) input tokens; the input price when not given.
    public let cachedInput: ExactDecimal
    /// USD per million cache-write input tokens; the input price when not given.
    public let cacheWrite: ExactDecimal
    /// USD per million output tokens (reasoning included).
    public let output: ExactDecimal
    /// The row's line in the price file (1-based), the last tie-break between patterns.
    public let line: Int
    /// The prices in units of 10⁻¹⁸ USD per token, when every one is exact at that scale (at
    /// most 12 decimals per million tokens) and fits 64 bits: then a record with whole counts
    /// is priced with 64 × 64-bit products, no division (``cost(of:)``'s fast path).
    let rates: Rates?

    struct Rates: Sendable, Equatable {
        var input, cachedInput, cacheWrite, output, saving: UInt64
    }

    public init(
        pattern: String, effectiveFrom: Int64? = nil, input: ExactDecimal, cachedInput: ExactDecimal? = nil,
        cacheWrite: ExactDecimal? = nil, output: ExactDecimal, line: Int = 0
    ) {
        self.pattern = pattern
        self.effectiveFrom = effectiveFrom
        self.input = input
        self.cachedInput = cachedInput ?? input
        self.cacheWrite = cacheWrite ?? input
        self.output = output
        self.line = line
        func perToken(_ price: ExactDecimal) -> UInt64? {
            guard let units = price.scaled, units % 1_000_000 == 0, units / 1_000_000 <= UInt128(UInt64.max) else { return nil }
            return UInt64(units / 1_000_000)
        }
        let cachedInput = self.cachedInput, cacheWrite = self.cacheWrite
        if let i = perToken(input), let c = perToken(cachedInput), let w = perToken(cacheWrite), let o = perToken(output) {
            rates = Rates(input: i, cachedInput: c, cacheWrite: w, output: o, saving: i >= c ? i - c : 0)
        } else {
            rates = nil
        }
    }

    /// Whether the pattern is an exact id (no `*`).
    public var isExact: Bool { !pattern.utf8.contains(UInt8(ascii: "*")) }

    /// Characters of the pattern other than `*`: the more, the more specific a glob.
    public var literalCount: Int { pattern.utf8.count { $0 != UInt8(ascii: "*") } }

    /// Whether the pattern matches `model` (bytes compared exactly, case included).
    public func matches(_ model: UnsafeRawBufferPointer) -> Bool {
        var pattern = self.pattern
        return pattern.withUTF8 { Self.glob(UnsafeRawBufferPointer($0), model) }
    }

    /// `*`-only glob matching, linear backtracking to the last star.
    static func glob(_ pattern: UnsafeRawBufferPointer, _ text: UnsafeRawBufferPointer) -> Bool {
        let star = UInt8(ascii: "*")
        var p = 0, t = 0
        var starAt = -1, resumeAt = 0
        while t < text.count {
            if p < pattern.count && pattern[p] == star {
                starAt = p
                p += 1
                resumeAt = t
            } else if p < pattern.count && pattern[p] == text[t] {
                p += 1
                t += 1
            } else if starAt >= 0 {
                p = starAt + 1
                resumeAt += 1
                t = resumeAt
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == star { p += 1 }
        return p == pattern.count
    }

    /// The cost of `record` at this row's prices: uncached input, cached input, cache writes
    /// and output, each × its price ÷ 10⁶; nil if a product leaves the exact range. Cached and
    /// cache-write tokens are inside input (PRODUCT.md), so uncached input is input − cached −
    /// cache write, and 0 when a log reports more cached than input tokens.
    public func cost(of record: UsageRecord) -> ExactDecimal? {
        if let rates, let input = record.inputTokens.wholeUInt64, let cached = record.cachedInputTokens.wholeUInt64,
            let written = record.cacheWriteTokens.wholeUInt64, let output = record.outputTokens.wholeUInt64
        {
            // Each product < 2¹²⁸; the sum of four is checked.
            let (cachedAndWritten, over) = cached.addingReportingOverflow(written)
            let uncached = over ? 0 : (input >= cachedAndWritten ? input - cachedAndWritten : 0)
            let (a, carry1) = (UInt128(uncached) * UInt128(rates.input)).addingReportingOverflow(UInt128(cached) * UInt128(rates.cachedInput))
            let (b, carry2) = a.addingReportingOverflow(UInt128(written) * UInt128(rates.cacheWrite))
            let (units, carry3) = b.addingReportingOverflow(UInt128(output) * UInt128(rates.output))
            if !(carry1 || carry2 || carry3) { return ExactDecimal(units: units) }
        }
        var cachedAndWritten = record.cachedInputTokens
        guard cachedAndWritten.add(record.cacheWriteTokens) else { return nil }
        let uncached = record.inputTokens.subtracting(cachedAndWritten) ?? .zero
        var total = ExactDecimal.zero
        for (tokens, price) in [
            (uncached, input), (record.cachedInputTokens, cachedInput), (record.cacheWriteTokens, cacheWrite),
            (record.outputTokens, output),
        ] {
            guard let term = tokens.multiplied(by: price, dividedByPowerOfTen: 6), total.add(term) else { return nil }
        }
        return total
    }

    /// What cached input saved against the full input price: cached × (input − cached price)
    /// ÷ 10⁶ (the cached price is never above the input price: the file is checked).
    public func cacheSavings(of record: UsageRecord) -> ExactDecimal? {
        if let rates, let cached = record.cachedInputTokens.wholeUInt64 {
            return ExactDecimal(units: UInt128(cached) * UInt128(rates.saving))
        }
        let saving = input.subtracting(cachedInput) ?? .zero
        return record.cachedInputTokens.multiplied(by: saving, dividedByPowerOfTen: 6)
    }
}

/// A price file that cannot be used: a usage error (exit 64), `path:line: message`.
public struct PriceFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// 1-based; 0 when the message is about the whole file.
    public var line: Int
    public var message: String

    public var description: String { line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)" }
}

/// The prices of `--prices FILE` (docs/prices.md): which row prices a record of a model at a time.
///
/// Among the rows whose pattern matches the model and whose effective date is not after the
/// record's time, an exact id beats every glob, a glob with more literal characters beats one
/// with fewer, then the earlier line wins; among the rows of that pattern, the latest
/// effective date. A record without a time takes the latest row of the most specific pattern.
public struct PriceTable: Sendable {
    /// The rows in file order.
    public let rows: [PriceRow]
    /// A 64-bit hash of the file's bytes: a state made with other prices is not reused.
    public let contentHash: UInt64

    /// The columns a price file may have; `model`, `input_per_mtok` and `output_per_mtok` are required.
    public static let columnNames = [
        "model", "effective_from", "input_per_mtok", "cached_input_per_mtok", "cache_write_per_mtok", "output_per_mtok",
    ]
    static let requiredColumns: Set = ["model", "input_per_mtok", "output_per_mtok"]

    public init(rows: [PriceRow], contentHash: UInt64 = 0) {
        self.rows = rows
        self.contentHash = contentHash
    }

    /// Reads and parses the price file at `path`.
    public static func load(path: String) throws(PriceFileError) -> PriceTable {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw PriceFileError(path: path, line: 0, message: "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw PriceFileError(path: path, line: 0, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            guard bytes.count <= 64 << 20 else {
                throw PriceFileError(path: path, line: 0, message: "larger than 64 MiB: not a price file")
            }
        }
        return try parse(bytes, path: path)
    }

    /// Parses a price file's bytes; `path` names it in errors.
    ///
    /// UTF-8 CSV with a header naming its columns (any order); `#` starts a comment line;
    /// blank lines are skipped; fields may be quoted (RFC 4180) and are trimmed of spaces.
    public static func parse(_ bytes: [UInt8], path: String) throws(PriceFileError) -> PriceTable {
        let contentHash = bytes.withUnsafeBytes { RequestID.key($0) }
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw PriceFileError(path: path, line: 0, message: "not UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var columns: [String: Int]?
        var rows: [PriceRow] = []
        var seen: [String: Int] = [:]  // "pattern|date" → line
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .enumerated() {
            let number = offset + 1
            func fail(_ message: String) -> PriceFileError { PriceFileError(path: path, line: number, message: message) }
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let fields = splitFields(line) else { throw fail("unterminated quoted field") }

            guard let header = columns else {
                var found: [String: Int] = [:]
                for (index, name) in fields.enumerated() {
                    guard columnNames.contains(name) else {
                        throw fail("unknown column \"\(name)\" (columns: \(columnNames.joined(separator: ", ")))")
                    }
                    guard found[name] == nil else { throw fail("column \"\(name)\" appears twice") }
                    found[name] = index
                }
                for name in columnNames where requiredColumns.contains(name) && found[name] == nil {
                    throw fail("missing column \"\(name)\"")
                }
                columns = found
                continue
            }
            guard fields.count == header.count else {
                throw fail("expected \(header.count) fields, found \(fields.count)")
            }
            func field(_ name: String) -> String? { header[name].map { fields[$0] } }
            func price(_ name: String) throws(PriceFileError) -> ExactDecimal? {
                guard let text = field(name), !text.isEmpty else { return nil }
                guard let value = ExactDecimal(decimalText: Substring(text)) else {
                    throw fail("\(name) \"\(text)\" is not a non-negative decimal number")
                }
                return value
            }
            guard let pattern = field("model"), !pattern.isEmpty else { throw fail("model is empty") }
            guard let input = try price("input_per_mtok") else { throw fail("input_per_mtok is empty") }
            guard let output = try price("output_per_mtok") else { throw fail("output_per_mtok is empty") }
            let cached = try price("cached_input_per_mtok")
            if let cached, cached > input {
                throw fail("cached_input_per_mtok \(cached) is above input_per_mtok \(input)")
            }
            var effectiveFrom: Int64?
            let dateText = field("effective_from") ?? ""
            if !dateText.isEmpty {
                guard let seconds = dayStart(dateText) else {
                    throw fail("effective_from \"\(dateText)\" is not a date (YYYY-MM-DD)")
                }
                effectiveFrom = seconds
            }
            let identity = pattern + "\u{0}" + dateText
            if let first = seen[identity] {
                throw fail("\(pattern)\(dateText.isEmpty ? " without a date" : " from \(dateText)") is already priced on line \(first)")
            }
            seen[identity] = number
            rows.append(PriceRow(
                pattern: pattern, effectiveFrom: effectiveFrom, input: input, cachedInput: cached,
                cacheWrite: try price("cache_write_per_mtok"), output: output, line: number))
        }
        guard columns != nil else { throw PriceFileError(path: path, line: 0, message: "no header line") }
        guard !rows.isEmpty else { throw PriceFileError(path: path, line: 0, message: "no price rows") }
        return PriceTable(rows: rows, contentHash: contentHash)
    }

    /// The rows that can price `model`, most preferred first: exact before glob, more literal
    /// characters first, then the earlier pattern; a pattern's rows latest date first.
    public func candidates(forModel model: UnsafeRawBufferPointer) -> [PriceRow] {
        candidateIndices(forModel: model).map { rows[$0] }
    }

    /// ``candidates(forModel:)`` as indices into ``rows``.
    func candidateIndices(forModel model: UnsafeRawBufferPointer) -> [Int] {
        var firstLine: [String: Int] = [:]
        for row in rows where firstLine[row.pattern] == nil { firstLine[row.pattern] = row.line }
        return rows.indices.filter { rows[$0].matches(model) }.sorted { i, j in
            let a = rows[i], b = rows[j]
            if a.isExact != b.isExact { return a.isExact }
            if a.literalCount != b.literalCount { return a.literalCount > b.literalCount }
            if a.pattern != b.pattern { return firstLine[a.pattern, default: 0] < firstLine[b.pattern, default: 0] }
            return (a.effectiveFrom ?? Int64.min) > (b.effectiveFrom ?? Int64.min)
        }
    }

    /// The row that prices a record of `model` at `time` (nil: the latest of the best pattern).
    public func price(forModel model: String, at time: Int64?) -> PriceRow? {
        var model = model
        let candidates = model.withUTF8 { self.candidates(forModel: UnsafeRawBufferPointer($0)) }
        return Self.pick(candidates, at: time)
    }

    /// The first of `candidates` (in preference order) in effect at `time`.
    @inlinable
    public static func pick(_ candidates: [PriceRow], at time: Int64?) -> PriceRow? {
        guard let time else { return candidates.first }
        return candidates.first { ($0.effectiveFrom ?? Int64.min) <= time }
    }

    /// Unix seconds of `YYYY-MM-DD` at 00:00 UTC, or nil for anything else.
    static func dayStart(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }),
            let year = Int64(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...CivilTime.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        return CivilTime.days(year: year, month: month, day: day) * CivilTime.secondsPerDay
    }

    /// The fields of one CSV line, unquoted and trimmed of spaces and tabs; nil when a quoted
    /// field is not closed.
    static func splitFields(_ line: Substring) -> [String]? {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if quoted {
                if character == "\"" {
                    let next = line.index(after: index)
                    if next < line.endIndex && line[next] == "\"" {
                        current.append("\"")
                        index = next
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "," {
                fields.append(wasQuoted ? current : trim(current))
                current = ""
                wasQuoted = false
            } else if character == "\"" && trim(current).isEmpty {
                current = ""
                quoted = true
                wasQuoted = true
            } else {
                current.append(character)
            }
            index = line.index(after: index)
        }
        if quoted { return nil }
        fields.append(wasQuoted ? current : trim(current))
        return fields
    }

    private static func trim(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(text.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}

/// Prices records as one decoding thread decodes them: remembers, per model id it has seen,
/// the rows that can price it, so a record costs one interner lookup and a short scan.
/// One per thread (not thread-safe).
public final class RecordPricer {
    public let table: PriceTable
    private var models = StringInterner()
    /// The table's rows.
    private let rows: [PriceRow]
    /// Candidates of model id `i + 1`: indices into ``rows``, most preferred first.
    private var candidates: [[Int]] = []
    private var scratch: UnsafeMutableRawBufferPointer

    public init(table: PriceTable) {
        self.table = table
        rows = table.rows
        scratch = .allocate(byteCount: 256, alignment: 8)
    }

    deinit { scratch.deallocate() }

    /// Prices `record` of the model whose value is `span` in `bytes` (nil: no model): sets
    /// its cache savings when a row applies, and its cost when the log carried none.
    public func price(_ record: inout UsageRecord, model span: JSONValueSpan?, in bytes: UnsafeRawBufferPointer) {
        guard let span, let id = modelID(span, in: bytes) else { return }
        let time = record.time ?? Int64.max  // no time: the latest row
        for index in candidates[Int(id) - 1] where (rows[index].effectiveFrom ?? Int64.min) <= time {
            record.cacheSavingsUSD = rows[index].cacheSavings(of: record)
            if record.costUSD == nil { record.costUSD = rows[index].cost(of: record) }
            return
        }
    }

    /// The model's id in ``models``, computing its candidates when new: a string's unescaped
    /// content, the JSON text of any other value (as in the `model` column); nil when empty.
    private func modelID(_ span: JSONValueSpan, in line: UnsafeRawBufferPointer) -> UInt32? {
        var start = Int(span.start), end = Int(span.end)
        var text = UnsafeRawBufferPointer(rebasing: line[start..<end])
        if span.kind == .string {
            start += 1
            end -= 1
            guard end > start else { return nil }
            text = UnsafeRawBufferPointer(rebasing: line[start..<end])
            if span.hasEscapes {
                if scratch.count < text.count {
                    scratch.deallocate()
                    scratch = .allocate(byteCount: text.count, alignment: 8)
                }
                let length = JSONString.unescape(text, into: scratch) ?? 0
                guard length > 0 else { return nil }
                text = UnsafeRawBufferPointer(rebasing: scratch[0..<length])
            }
        }
        let id = models.id(of: text)
        if Int(id) > candidates.count { candidates.append(table.candidateIndices(forModel: text)) }
        return id
    }
}
