import CZlib

/// One zlib inflate stream in gzip mode, owned by this object and freed in `deinit`.
///
/// zlib keeps a pointer back to its `z_stream` (and to the `gz_header` it fills), so both live
/// at stable heap addresses rather than in Swift properties that may move.
final class ZlibInflater {
    /// The result of one ``inflate(input:output:)`` step.
    enum Step {
        /// Progress was made (or more input is needed); the member is not finished.
        case progress
        /// The member's trailer was read and its CRC-32 and length matched.
        case memberEnd
        /// zlib found the data invalid; the message is zlib's.
        case dataError(String)
        /// zlib could not get memory.
        case memoryError
    }

    private let stream: UnsafeMutablePointer<z_stream>
    private let header: UnsafeMutablePointer<gz_header>
    private let extra: UnsafeMutablePointer<UInt8>
    private static let extraCapacity = 64

    /// Starts a stream that accepts gzip only (window bits 15 + 16), verifying each member's
    /// CRC-32 and ISIZE.
    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        header = .allocate(capacity: 1)
        header.initialize(to: gz_header())
        extra = .allocate(capacity: Self.extraCapacity)
        let status = tokentally_inflateInit2(stream, 15 + 16)
        // Only Z_MEM_ERROR or a library/header version mismatch can fail here; neither
        // can be recovered from, and neither depends on the input.
        precondition(status == Z_OK, "inflateInit2 failed with zlib status \(status)")
        watchHeader()
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        header.deallocate()
        extra.deallocate()
    }

    /// Prepares for the next member of a multi-member file.
    func reset() {
        inflateReset(stream)
        watchHeader()
    }

    private func watchHeader() {
        header.pointee = gz_header()
        header.pointee.extra = extra
        header.pointee.extra_max = UInt32(Self.extraCapacity)
        inflateGetHeader(stream, header)
    }

    /// Whether the current member's header has been read and carries the BGZF `BC` subfield.
    var memberIsBGZF: Bool {
        guard header.pointee.done == 1, header.pointee.extra != nil else { return false }
        let length = min(Int(header.pointee.extra_len), Self.extraCapacity)
        // Subfields: SI1 SI2 LEN(2, little endian) DATA...
        var offset = 0
        while offset + 4 <= length {
            let si1 = extra[offset], si2 = extra[offset + 1]
            let fieldLength = Int(extra[offset + 2]) | Int(extra[offset + 3]) << 8
            if si1 == UInt8(ascii: "B") && si2 == UInt8(ascii: "C") && fieldLength == 2 { return true }
            offset += 4 + fieldLength
        }
        return false
    }

    /// Inflates from `input` into `output`; returns the step and how many bytes of each were used.
    func inflate(
        input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer
    ) -> (step: Step, consumed: Int, produced: Int) {
        stream.pointee.next_in = UnsafeMutablePointer(
            mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(output.count)
        let status = CZlib.inflate(stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.pointee.avail_in)
        let produced = output.count - Int(stream.pointee.avail_out)
        let step: Step
        switch status {
        case Z_OK, Z_BUF_ERROR:
            step = .progress
        case Z_STREAM_END:
            step = .memberEnd
        case Z_MEM_ERROR:
            step = .memoryError
        default:  // Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
            step = .dataError(message)
        }
        return (step, consumed, produced)
    }
}
