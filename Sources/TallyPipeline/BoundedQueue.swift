import Dispatch
import Synchronization

/// A first-in, first-out hand-off between threads that holds at most `capacity` items: a
/// producer that gets ahead waits, so memory stays flat whatever the input size.
final class BoundedQueue<Element: Sendable>: Sendable {
    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)
    private let items: Mutex<Ring>

    private struct Ring: ~Copyable {
        var storage: [Element?]
        var head = 0
        var count = 0
    }

    init(capacity: Int) {
        precondition(capacity > 0)
        free = DispatchSemaphore(value: capacity)
        items = Mutex(Ring(storage: Array(repeating: nil, count: capacity)))
    }

    /// Adds an item, waiting while the queue is full.
    func put(_ item: Element) {
        free.wait()
        items.withLock { ring in
            ring.storage[(ring.head + ring.count) % ring.storage.count] = item
            ring.count += 1
        }
        filled.signal()
    }

    /// Removes the oldest item, waiting while the queue is empty.
    func take() -> Element {
        filled.wait()
        let item = items.withLock { ring -> Element in
            let item = ring.storage[ring.head]!
            ring.storage[ring.head] = nil
            ring.head = (ring.head + 1) % ring.storage.count
            ring.count -= 1
            return item
        }
        free.signal()
        return item
    }
}
