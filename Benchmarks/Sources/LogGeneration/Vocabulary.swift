#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The words message text is made of, already JSON-escaped, in two encodings each: as
/// Python's `json.dumps(ensure_ascii=True)` writes them (`\u00e9`, surrogate pairs for emoji)
/// and as raw UTF-8 (`ensure_ascii=False`, or any JSON library's default).
///
/// Frequencies are Zipf-like for ordinary words, plus fixed shares of the words that make a
/// JSON scanner work: non-ASCII text (5 %), newlines (3 %), quotes and backslashes (1.5 %), a
/// tab with a control character (0.5 %).
struct Vocabulary {
    /// Slots in the pick table: one pick is 10 random bits.
    static let tableBits = 10
    static let tableSize = 1 << tableBits

    /// All encodings, back to back.
    let blob: UnsafeMutablePointer<UInt8>
    /// Per pick-table slot: where the ASCII-escaped and raw encodings of its word start, and
    /// their lengths.
    let asciiStart: UnsafeMutablePointer<Int32>
    let asciiLength: UnsafeMutablePointer<Int32>
    let rawStart: UnsafeMutablePointer<Int32>
    let rawLength: UnsafeMutablePointer<Int32>

    /// Ordinary words, most frequent first (weight 1 / rank, as in natural language).
    static let common: [String] = """
        the to of and a in is that for it you this with on as be are can we will your if by or from \
        not an at use function return value data model tokens request response user assistant \
        please explain write code example following table summary reasoning answer question file \
        error string number list array object JSON API key gateway cost usage input output cache \
        stream server client query database index result step first then next each when which \
        should would could about also more than into over between quick brown fox jumps lazy dog \
        because however therefore 2026 42 3.14 v1 id name type true false null let var func print \
        import class struct self 1. 2. 3. - * **Note:** e.g. i.e. (see above) `main` README test \
        tests build release latency throughput benchmark decompress gzip line lines record records \
        sum group day month team budget invoice customer order latest version update config path \
        http https://example.com/docs GET POST 200 404 500 timeout retry backoff async await \
        thread threads memory buffer bytes parse parser scanner fast slow correct wrong maybe yes no
        """.split(separator: " ").map(String.init)

    /// Words with non-ASCII characters.
    static let unicode = [
        "naïve", "café", "日本語", "Ελληνικά", "emoji 🎉", "Zürich", "façade", "Привет", "中文字符",
        "→", "—", "“smart quotes”", "Ünïcödé", "€42", "🚀", "mañana",
    ]
    /// Words that need escaping in JSON, as the decoded text.
    static let escaped = ["\"quoted\"", "back\\slash", "C:\\Users\\dev", "{\"a\": 1}", "say \"hi\""]

    init() {
        var entries: [(word: String, weight: Double)] = []
        let commonTotal = Self.common.indices.reduce(0.0) { $0 + 1 / pow(Double($1 + 1), 1.0) }
        for (rank, word) in Self.common.enumerated() {
            entries.append((word, 0.90 * (1 / pow(Double(rank + 1), 1.0)) / commonTotal))
        }
        for word in Self.unicode { entries.append((word, 0.05 / Double(Self.unicode.count))) }
        entries.append(("\n", 0.02))
        entries.append(("\n\n", 0.01))
        for word in Self.escaped { entries.append((word, 0.015 / Double(Self.escaped.count))) }
        entries.append(("\t\u{01}", 0.005))

        // Encode every word both ways.
        var bytes: [UInt8] = []
        var where_: [(ascii: Range<Int>, raw: Range<Int>)] = []
        for (word, _) in entries {
            let asciiStart = bytes.count
            bytes += Self.escape(word, asciiOnly: true)
            let rawStart = bytes.count
            bytes += Self.escape(word, asciiOnly: false)
            where_.append((asciiStart..<rawStart, rawStart..<bytes.count))
        }
        blob = .allocate(capacity: bytes.count)
        blob.initialize(from: bytes, count: bytes.count)

        // The pick table: each word gets slots in proportion to its weight, at least one.
        let total = entries.reduce(0.0) { $0 + $1.weight }
        var slots: [Int] = []
        var carried = 0.0
        for (index, entry) in entries.enumerated() {
            carried += entry.weight / total * Double(Self.tableSize)
            let wanted = max(1, Int(carried.rounded()) - slots.count)
            slots += repeatElement(index, count: wanted)
        }
        // Rounding and the one-slot minimum may overshoot: trim the most frequent word.
        while slots.count > Self.tableSize { slots.remove(at: 0) }
        while slots.count < Self.tableSize { slots.insert(0, at: 0) }
        asciiStart = .allocate(capacity: Self.tableSize)
        asciiLength = .allocate(capacity: Self.tableSize)
        rawStart = .allocate(capacity: Self.tableSize)
        rawLength = .allocate(capacity: Self.tableSize)
        for (slot, index) in slots.enumerated() {
            asciiStart[slot] = Int32(where_[index].ascii.lowerBound)
            asciiLength[slot] = Int32(where_[index].ascii.count)
            rawStart[slot] = Int32(where_[index].raw.lowerBound)
            rawLength[slot] = Int32(where_[index].raw.count)
        }
    }

    /// `text` as the inside of a JSON string, escaped as Python's `json.dumps` does.
    static func escape(_ text: String, asciiOnly: Bool) -> [UInt8] {
        var out: [UInt8] = []
        func hex4(_ unit: UInt16) {
            out += Array("\\u".utf8)
            for shift in stride(from: 12, through: 0, by: -4) {
                out.append(Array("0123456789abcdef".utf8)[Int(unit >> UInt16(shift)) & 0xF])
            }
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += Array("\\\"".utf8)
            case "\\": out += Array("\\\\".utf8)
            case "\n": out += Array("\\n".utf8)
            case "\r": out += Array("\\r".utf8)
            case "\t": out += Array("\\t".utf8)
            case _ where scalar.value < 0x20: hex4(UInt16(scalar.value))
            case _ where scalar.value < 0x80: out.append(UInt8(scalar.value))
            case _ where !asciiOnly: out += Array(String(scalar).utf8)
            default:
                for unit in String(scalar).utf16 { hex4(unit) }
            }
        }
        return out
    }
}
