import CZlib

/// zlib as a raw-deflate decoder (window bits −15), owned by this object and freed in `deinit`.
///
/// zlib keeps a pointer back to its `z_stream`, so the stream lives at a stable heap address
/// rather than in a Swift property that may move. In raw mode zlib never reads past the last
/// byte of the final block: at the end, the bytes it did not use are the gzip trailer.
final class ZlibInflater: RawInflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = tokentally_inflateInit2(stream, -15)
        // Only Z_MEM_ERROR or a library/header version mismatch can fail here; neither
        // can be recovered from, and neither depends on the input.
        precondition(status == Z_OK, "inflateInit2 failed with zlib status \(status)")
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    func reset() {
        inflateReset(stream)
    }

    func inflate(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) -> RawInflateStep {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(output.count)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.pointee.avail_in)
        let produced = output.count - Int(stream.pointee.avail_out)
        switch status {
        case Z_OK, Z_BUF_ERROR: return RawInflateStep(status: .progress, consumed: consumed, produced: produced)
        case Z_STREAM_END: return RawInflateStep(status: .end, consumed: consumed, produced: produced)
        case Z_MEM_ERROR: return RawInflateStep(status: .outOfMemory, consumed: consumed, produced: produced)
        default:  // Z_DATA_ERROR; Z_NEED_DICT and Z_STREAM_ERROR cannot happen in raw mode
            return RawInflateStep(status: .invalid, consumed: consumed, produced: produced)
        }
    }

    func crc32(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        // zlib's length is 32 bits (uInt): feed larger buffers in pieces.
        var crc = UInt(crc)
        var offset = 0
        while offset < bytes.count {
            let count = min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, base.assumingMemoryBound(to: Bytef.self) + offset, uInt(count))
            offset += count
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
