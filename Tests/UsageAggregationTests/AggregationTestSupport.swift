import TestSupport
import TallyPrimitives
import UsageDecoding

@testable import UsageAggregation

// Helpers shared by the UsageAggregation tests.

/// A usage record with these counts; total defaults to input + output as the decoder would.
func record(
    input: String = "0", cached: String = "0", write: String = "0", output: String = "0",
    reasoning: String = "0", total: String? = nil, cost: String? = nil, time: Int64? = nil
) -> UsageRecord {
    var r = UsageRecord()
    r.inputTokens = dec(input)
    r.cachedInputTokens = dec(cached)
    r.cacheWriteTokens = dec(write)
    r.outputTokens = dec(output)
    r.reasoningTokens = dec(reasoning)
    if let total {
        r.totalTokens = dec(total)
    } else {
        var sum = r.inputTokens
        sum.add(r.outputTokens)
        r.totalTokens = sum
    }
    r.costUSD = cost.map(dec)
    r.time = time
    return r
}


/// The id of a string in an interner.
func intern(_ text: String, _ strings: inout StringInterner) -> UInt32 {
    strings.id(of: text)
}

/// The id of raw bytes in an interner.
func intern(bytes: [UInt8], _ strings: inout StringInterner) -> UInt32 {
    bytes.withUnsafeBytes { strings.id(of: $0) }
}

/// The bytes an interner holds for an id.
func storedBytes(_ id: UInt32, _ strings: StringInterner) -> [UInt8] {
    strings.withBytes(id) { Array($0) }
}

extension GroupTable {
    /// The group of a key given as an array.
    mutating func groupIndex(_ cells: [UInt64]) -> Int {
        cells.withUnsafeBufferPointer { groupIndex($0) }
    }

    /// Adds a record to the group of a key given as an array.
    @discardableResult
    mutating func add(_ record: UsageRecord, key cells: [UInt64]) -> Bool {
        cells.withUnsafeBufferPointer { add(record, cells: $0) }
    }
}

/// A row's group values spelled out with their bytes, so two spellings of a name can never
/// look alike: `none`, `time:-86400`, `text:65 CC 81`.
func spelled(_ value: GroupValue) -> String {
    switch value {
    case .none: return "none"
    case .time(let seconds): return "time:\(seconds)"
    case .text(let text): return "text:" + text.utf8.map { hex($0) }.joined(separator: " ")
    }
}

/// Two upper-case hex digits.
func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
}
