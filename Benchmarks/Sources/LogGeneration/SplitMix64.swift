/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator whose sequence is fixed by its
/// seed on every platform, so the same seed always gives the same log bytes.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (bound > 0); the tiny modulo bias is irrelevant here.
    @inline(__always)
    public mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next() % UInt64(bound))
    }

    /// A number in `range`.
    @inline(__always)
    public mutating func within(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.count)
    }

    /// True with probability `p` (in steps of 2⁻³²).
    @inline(__always)
    public mutating func chance(_ p: Double) -> Bool {
        next() >> 32 < UInt64(p * 4_294_967_296.0)
    }
}
