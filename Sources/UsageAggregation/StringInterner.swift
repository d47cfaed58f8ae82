#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Gives each distinct byte string a small integer id, looked up by bytes without creating a
/// `String` (ids start at 1; 0 means "no value").
///
/// An open-addressing hash table over an append-only byte arena: a lookup of a value already
/// seen allocates nothing, which keeps the per-line path free of allocations (a log has a few
/// dozen models and keys, repeated millions of times).
public struct StringInterner: Sendable {
    private var arena: [UInt8] = []
    /// `(offset, length)` in the arena of id `i + 1`.
    private var extents: [(offset: Int, length: Int)] = []
    private var hashes: [UInt64] = []
    /// Slot → id (0 = empty).
    private var slots: [UInt32]
    private var mask: Int

    public init() {
        slots = Array(repeating: 0, count: 64)
        mask = 63
    }

    /// Number of distinct strings.
    public var count: Int { extents.count }

    /// The id of `bytes`, adding them if new.
    public mutating func id(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        let hash = Self.hash(bytes)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let id = slots[slot]
            if id == 0 { break }
            if hashes[Int(id) - 1] == hash && equals(Int(id), bytes) { return id }
            slot = (slot + 1) & mask
        }
        let id = UInt32(extents.count + 1)
        extents.append((arena.count, bytes.count))
        hashes.append(hash)
        arena.append(contentsOf: bytes)
        slots[slot] = id
        if extents.count * 2 > slots.count { grow() }
        return id
    }

    /// The id of a `String`, adding it if new.
    public mutating func id(of string: String) -> UInt32 {
        var copy = string
        return copy.withUTF8 { id(of: UnsafeRawBufferPointer($0)) }
    }

    /// The string with this id (which must have been handed out).
    public func string(_ id: UInt32) -> String {
        let extent = extents[Int(id) - 1]
        return String(decoding: arena[extent.offset..<(extent.offset + extent.length)], as: UTF8.self)
    }

    /// Calls `body` with the bytes of this id.
    public func withBytes<R>(_ id: UInt32, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let extent = extents[Int(id) - 1]
        return arena.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[extent.offset..<(extent.offset + extent.length)])) }
    }

    private func equals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let extent = extents[id - 1]
        guard extent.length == bytes.count else { return false }
        guard extent.length > 0 else { return true }
        return arena.withUnsafeBytes { stored in
            memcmp(stored.baseAddress! + extent.offset, bytes.baseAddress!, extent.length) == 0
        }
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        for index in hashes.indices {
            var slot = Int(truncatingIfNeeded: hashes[index]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(index + 1)
        }
    }

    /// FNV-1a over 8-byte words, then a final mix: fast for the short strings seen here.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var index = 0
        let count = bytes.count
        while index + 8 <= count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x0000_0100_0000_01b3
            hash ^= hash >> 29
            index += 8
        }
        while index < count {
            hash = (hash ^ UInt64(bytes[index])) &* 0x0000_0100_0000_01b3
            index += 1
        }
        return mix(hash)
    }
}

/// A 64-bit finaliser (from MurmurHash3) so nearby inputs land in distant slots.
@inline(__always)
func mix(_ value: UInt64) -> UInt64 {
    var x = value
    x ^= x >> 33
    x &*= 0xff51_afd7_ed55_8ccd
    x ^= x >> 33
    x &*= 0xc4ce_b9fe_1a85_ec53
    x ^= x >> 33
    return x
}
