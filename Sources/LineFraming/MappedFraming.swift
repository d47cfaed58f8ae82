import LogInput

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Stage 2 for a mapped plain file: the same batches of whole lines as ``LineFramer`` makes,
/// but pointing into the mapping instead of copied into buffers.
///
/// The rules are the framer's: a UTF-8 byte order mark at the start is skipped; a batch ends
/// after the last `\n` within `batchBytes` (or, for a longer line, after that line's `\n`);
/// the file's end is a clean end, so a last line without a newline is a line; a line longer
/// than `maxLineBytes` is never put in a batch — its length is found by scanning ahead, its
/// pages are given back as the scan goes, and it is reported in the next batch's
/// `droppedLineLengths`. So memory stays bounded whatever the lines.
public enum MappedFraming {
    /// Cuts `file` into batches, handed to `emit` in order; returns how many were emitted.
    @discardableResult
    public static func frame(
        _ file: MappedFile, batchBytes: Int = LineFramer.defaultBatchBytes,
        maxLineBytes: Int = LineFramer.defaultMaxLineBytes, emit: (LineBatch) -> Void
    ) -> Int {
        precondition(batchBytes > 0 && maxLineBytes > 0)
        let base = file.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let count = file.bytes.count
        var start = 0
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
        var dropped: [Int] = []
        var emitted = 0

        func send(_ range: Range<Int>) {
            emit(LineBatch(mapped: file, range: range, droppedLineLengths: dropped))
            dropped = []
            emitted += 1
        }
        /// The first `\n` in `range`, or nil.
        func firstNewline(_ range: Range<Int>) -> Int? {
            guard !range.isEmpty, let found = memchr(base + range.lowerBound, 0x0A, range.count) else { return nil }
            return UnsafeRawPointer(found) - UnsafeRawPointer(base)
        }
        /// The last `\n` in `range`, or nil.
        func lastNewline(_ range: Range<Int>) -> Int? {
            var index = range.upperBound - 1
            while index >= range.lowerBound {
                if base[index] == 0x0A { return index }
                index -= 1
            }
            return nil
        }

        while start < count {
            let end = min(start + batchBytes, count)
            if end == count {
                send(start..<count)  // the rest, perhaps ending with a line without newline
                break
            }
            if let newline = lastNewline(start..<end) {
                send(start..<(newline + 1))
                start = newline + 1
                continue
            }
            // No newline in a whole batch: one long line. Kept when it fits the limit (the
            // decoder checks the exact length: one more byte may be a `\r`).
            let limit = min(count, start + maxLineBytes + 2)
            if limit > end {
                if let newline = firstNewline(end..<limit) {
                    send(start..<(newline + 1))
                    start = newline + 1
                    continue
                }
                if limit == count {
                    send(start..<count)
                    break
                }
            }
            // Longer than the limit: find its end in steps, giving pages back behind the scan.
            var scanned = max(end, limit)
            var lineEnd: Int? = nil
            while scanned < count {
                let step = min(count, scanned + (4 << 20))
                if let newline = firstNewline(scanned..<step) {
                    lineEnd = newline
                    break
                }
                file.release(start..<step)
                scanned = step
            }
            let stop = lineEnd ?? count
            var length = stop - start
            if stop > start && base[stop - 1] == 0x0D { length -= 1 }  // before the `\n`, or at the end
            dropped.append(length)
            file.release(start..<stop)
            start = lineEnd.map { $0 + 1 } ?? count
        }
        if !dropped.isEmpty { send(count..<count) }
        return emitted
    }
}
