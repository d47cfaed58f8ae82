/// A raw-deflate decoder (RFC 1951, no gzip or zlib wrapper) and the CRC-32 that goes with
/// it: all stage 1 needs from an inflate library. The gzip framing around the deflate data is
/// stage 1's own (``GzipHeaderParser``, `InputReader+Gzip.swift`).
protocol RawInflater: AnyObject {
    /// Prepares for the next deflate stream (the next gzip member).
    func reset()
    /// Inflates from `input` into `output` (which is never empty).
    func inflate(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer) -> RawInflateStep
    /// The CRC-32 (gzip's, ISO 3309) of `bytes` following `crc`, the CRC of the bytes before
    /// (0 at the start).
    func crc32(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32
}

/// What one ``RawInflater/inflate(input:output:)`` call did.
struct RawInflateStep {
    /// How the call ended.
    enum Status: Equatable {
        /// Progress was made, or more input is needed; the deflate stream goes on.
        case progress
        /// The final block ended and all of its output has been written.
        case end
        /// The deflate data is invalid.
        case invalid
        /// The library could not get memory.
        case outOfMemory
    }

    var status: Status
    /// Input bytes used. Only in an ``Status/end`` step can it be negative: bytes read past
    /// the end of the deflate data in earlier calls are handed back (ISA-L keeps up to 8 in
    /// its bit buffer), and the caller steps back over them.
    var consumed: Int
    /// Output bytes written.
    var produced: Int
}
