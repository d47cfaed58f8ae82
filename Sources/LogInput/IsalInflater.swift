import CIsal

/// ISA-L as a raw-deflate decoder (through the `CIsal` shim, which loads `libisal.so.2` at
/// run time), owned by this object and freed in `deinit`.
///
/// ISA-L reads its input 8 bytes at a time into a bit buffer; when the final block ends, the
/// whole bytes it read beyond it are handed back (a negative `consumed` when they came from an
/// earlier call), so the gzip trailer is found exactly where zlib finds it.
final class IsalInflater: RawInflater {
    private let inflater: OpaquePointer

    /// Nil when ISA-L is not available.
    init?() {
        guard let made = tokentally_isal_inflater_create() else { return nil }
        inflater = made
    }

    deinit { tokentally_isal_inflater_destroy(inflater) }

    func reset() {
        tokentally_isal_inflater_reset(inflater)
    }

    func inflate(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) -> RawInflateStep {
        var consumed = 0
        var produced = 0
        var code: Int32 = 0
        let status = tokentally_isal_inflate(
            inflater, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count,
            output.baseAddress?.assumingMemoryBound(to: UInt8.self), output.count, &consumed, &produced, &code)
        // A C library's accounting is checked at the boundary: more than it was given, or more
        // handed back than the 8 bytes ISA-L can load ahead, is treated as invalid data.
        guard consumed <= input.count, consumed >= -8 else {
            return RawInflateStep(status: .invalid, consumed: 0, produced: 0)
        }
        switch status {
        case Int32(TOKENTALLY_ISAL_END): return RawInflateStep(status: .end, consumed: consumed, produced: produced)
        case Int32(TOKENTALLY_ISAL_PROGRESS): return RawInflateStep(status: .progress, consumed: consumed, produced: produced)
        default: return RawInflateStep(status: .invalid, consumed: consumed, produced: produced)
        }
    }

    func crc32(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return tokentally_isal_crc32(crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }
}
