/// Request ids, reduced to 64-bit keys for deduplication.
///
/// A 64-bit hash instead of the id itself keeps the id set small (8 bytes per request). Two
/// different ids collide with probability about n² / 2⁶⁵ among n distinct ids: 3 × 10⁻⁴ for 10⁸
/// requests, 3 × 10⁻⁸ for 10⁶ — a collision would merge two requests into one.
public enum RequestID {
    /// The key of an id's bytes (a string's unescaped content, or a number's text).
    ///
    /// 8 bytes at a time with a multiply–rotate mix (after MurmurHash64A), then a final
    /// avalanche; the length is mixed in, so `"a"` and `"a\0"` differ.
    public static func key(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let multiplier: UInt64 = 0xc6a4_a793_5bd1_e995
        var hash: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ (UInt64(bytes.count) &* multiplier)
        var index = 0
        while index + 8 <= bytes.count {
            var word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            word &*= multiplier
            word ^= word >> 47
            word &*= multiplier
            hash = (hash ^ word) &* multiplier
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            tail |= UInt64(bytes[index]) << shift
            shift += 8
            index += 1
        }
        hash = (hash ^ tail) &* multiplier
        hash ^= hash >> 47
        hash &*= multiplier
        hash ^= hash >> 47
        return hash
    }

    /// The key of two ids together (Claude Code: `message.id` and `requestId`).
    public static func combine(_ first: UInt64, _ second: UInt64) -> UInt64 {
        var hash = first ^ (second &* 0x9e37_79b9_7f4a_7c15 &+ 0x7f4a_7c15_9e37_79b9)
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
