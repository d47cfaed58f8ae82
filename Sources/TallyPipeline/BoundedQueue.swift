import Dispatch
import Synchronization

/// A first-in, first-out hand-off between threads that holds at most `capacity` items: a
/// producer that gets ahead waits, so memory stays flat whatever the input size.
///
/// A producer waiting on a full queue is woken only once it has drained to `resumeAt` items,
/// and then fills it again in one go. Waking it at every free slot instead costs a context
/// switch per item whenever the consumers are the slower side (the usual case: framing a
/// mapped file is far quicker than decoding it), and on two cores each such switch interrupts
/// a decoding thread. A consumer waiting on an empty queue is woken by the next item.
final class BoundedQueue<Element: Sendable>: Sendable {
    let capacity: Int
    /// How many items a waiting producer lets the queue drain to before it is woken.
    let resumeAt: Int
    private let state: Mutex<State>
    private let itemReady = DispatchSemaphore(value: 0)
    private let spaceReady = DispatchSemaphore(value: 0)

    private struct State: ~Copyable {
        var storage: [Element?]
        var head = 0
        var count = 0
        /// Threads that found the queue full (producers) or empty (consumers), not yet woken.
        var waitingProducers = 0
        var waitingConsumers = 0
        /// Times a producer waited: for tests.
        var producerWaits = 0
    }

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        resumeAt = capacity / 2
        state = Mutex(State(storage: Array(repeating: nil, count: capacity)))
    }

    /// Adds an item, waiting while the queue is full.
    func put(_ item: Element) {
        while true {
            let (placed, wakeConsumer) = state.withLock { state -> (Bool, Bool) in
                guard state.count < capacity else {
                    state.waitingProducers += 1
                    state.producerWaits += 1
                    return (false, false)
                }
                state.storage[(state.head + state.count) % capacity] = item
                state.count += 1
                guard state.waitingConsumers > 0 else { return (true, false) }
                state.waitingConsumers -= 1
                return (true, true)
            }
            if wakeConsumer { itemReady.signal() }
            if placed { return }
            spaceReady.wait()
        }
    }

    /// Removes the oldest item, waiting while the queue is empty.
    func take() -> Element {
        while true {
            let (item, wakeProducer) = state.withLock { state -> (Element?, Bool) in
                guard state.count > 0 else {
                    state.waitingConsumers += 1
                    return (nil, false)
                }
                let item = state.storage[state.head]
                state.storage[state.head] = nil
                state.head = (state.head + 1) % capacity
                state.count -= 1
                guard state.waitingProducers > 0, state.count <= resumeAt else { return (item, false) }
                state.waitingProducers -= 1
                return (item, true)
            }
            if wakeProducer { spaceReady.signal() }
            if let item { return item }
            itemReady.wait()
        }
    }

    /// How many times a producer has found the queue full.
    var producerWaits: Int { state.withLock { $0.producerWaits } }
}
