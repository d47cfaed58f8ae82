/// Small helpers for test data shared by several test targets.

import TallyPrimitives

/// A small deterministic random generator (SplitMix64), so generated cases are the same on
/// every run.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The summary header (schema v1) for these group columns, with its `\n`.
public func header(_ groupColumns: String) -> String {
    groupColumns + ",requests,input_tokens,cached_input_tokens,cache_write_tokens,output_tokens,reasoning_tokens,total_tokens,cost_usd\n"
}

/// CRC-32 (ISO 3309, as gzip uses it), bit by bit: slow and obviously right.
public func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}

/// A one-member gzip file whose deflate data is stored blocks (RFC 1951 BTYPE 00), so the
/// byte offset of every input byte inside the file is known: byte `i` of `data` sits at
/// `10 + 5 * (i / 65535 + 1) + i` when the data is cut into 65535-byte blocks.
public func storedGzip(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
    var offset = 0
    repeat {
        let length = min(65535, data.count - offset)
        let final: UInt8 = offset + length == data.count ? 1 : 0
        out.append(final)
        out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
        out += data[offset..<(offset + length)]
        offset += length
    } while offset < data.count
    let crc = crc32(data)
    let size = UInt32(truncatingIfNeeded: data.count)
    for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((crc >> UInt32(shift)) & 0xFF)) }
    for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8((size >> UInt32(shift)) & 0xFF)) }
    return out
}

/// An exact decimal from its JSON text (parsing is tested in TallyPrimitivesTests); plain
/// digits may go beyond 64 bits, up to 2^128 − 1.
public func dec(_ text: String) -> ExactDecimal {
    if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
        var whole: UInt128 = 0
        for digit in text.utf8 { whole = whole * 10 + UInt128(digit - 0x30) }
        return ExactDecimal(whole: whole, fraction: 0)
    }
    var copy = text
    let result = copy.withUTF8 { ExactDecimal.parse(jsonNumber: UnsafeRawBufferPointer($0), maximum: UInt64.max) }
    guard case .value(let value, _) = result else { fatalError("not a test number: \(text)") }
    return value
}
