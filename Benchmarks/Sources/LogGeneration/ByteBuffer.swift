/// A growable byte buffer that the generator appends to without bounds checks per byte.
///
/// A class, so appending from nested helpers costs no exclusivity checks or copies. The
/// writer reserves room for a whole line first (``reserve(_:)``), then appends freely.
public final class ByteBuffer {
    /// First byte.
    public private(set) var base: UnsafeMutablePointer<UInt8>
    /// Bytes written.
    public var count = 0
    /// Bytes allocated.
    public private(set) var capacity: Int

    public init(capacity: Int = 1 << 20) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written so far.
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Makes room for at least `extra` more bytes.
    @inline(__always)
    public func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        var next = capacity * 2
        while next < needed { next *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: next)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = next
    }

    /// Forgets the bytes, keeps the storage.
    public func removeAll() { count = 0 }

    @inline(__always)
    func append(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        (base + count).update(from: text.utf8Start, count: length)
        count += length
    }

    @inline(__always)
    func append(_ start: UnsafePointer<UInt8>, _ length: Int) {
        (base + count).update(from: start, count: length)
        count += length
    }

    /// Decimal digits of `value`.
    @inline(__always)
    func append(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        withUnsafeMutableBytes(of: &digits) { scratch in
            var position = scratch.count
            var rest = value
            repeat {
                position -= 1
                scratch[position] = UInt8(truncatingIfNeeded: 0x30 &+ rest % 10)
                rest /= 10
            } while rest > 0
            let length = scratch.count - position
            (base + count).update(from: scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) + position, count: length)
            count += length
        }
    }

    @inline(__always)
    func append(_ value: Int) { append(UInt64(value)) }

    /// `value` with exactly `width` digits, zero-padded.
    @inline(__always)
    func append(_ value: Int, width: Int) {
        var rest = value
        var position = count + width
        while position > count {
            position -= 1
            base[position] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
            rest /= 10
        }
        count += width
    }
}
