import Foundation
@testable import TallyPipeline
import Testing

/// The hand-off between reader and decoding threads: nothing lost, duplicated or reordered,
/// never more than `capacity` items held, and a producer on a full queue woken only once the
/// queue has drained to half.
@Suite struct BoundedQueueTests {
    @Test("One thread: first in, first out, across the ring's wrap-around")
    func firstInFirstOut() {
        let queue = BoundedQueue<Int>(capacity: 3)
        var taken: [Int] = []
        for round in 0..<5 {
            queue.put(round * 2)
            queue.put(round * 2 + 1)
            taken.append(queue.take())
            taken.append(queue.take())
        }
        #expect(taken == Array(0..<10))
        #expect(queue.producerWaits == 0)
    }

    @Test("A producer on a full queue waits until the queue has drained to half")
    func producerResumesAtHalf() {
        let queue = BoundedQueue<Int>(capacity: 4)
        #expect(queue.resumeAt == 2)
        for item in 0..<4 { queue.put(item) }
        let placed = DispatchSemaphore(value: 0)
        let producer = Thread {
            queue.put(4)
            placed.signal()
        }
        producer.start()
        // The producer finds the queue full…
        while queue.producerWaits == 0 { usleep(1_000) }
        // …and is not woken by the first free slot,
        #expect(queue.take() == 0)
        #expect(placed.wait(timeout: .now() + .milliseconds(200)) == .timedOut)
        // but is once two items are left.
        #expect(queue.take() == 1)
        #expect(placed.wait(timeout: .now() + .seconds(30)) == .success)
        #expect((2...4).map { _ in queue.take() } == [2, 3, 4])
    }

    @Test("A consumer on an empty queue is woken by the next item")
    func consumerWakesOnFirstItem() {
        let queue = BoundedQueue<Int>(capacity: 4)
        let got = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var value = -1
        let consumer = Thread {
            value = queue.take()
            got.signal()
        }
        consumer.start()
        usleep(20_000)
        queue.put(7)
        #expect(got.wait(timeout: .now() + .seconds(30)) == .success)
        #expect(value == 7)
    }

    @Test("Several producers and consumers: every item exactly once, each producer's in order", arguments: [1, 2, 5])
    func manyThreads(capacity: Int) {
        let producers = 3, consumers = 3, perProducer = 20_000
        let queue = BoundedQueue<Int>(capacity: capacity)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var received = Array(repeating: [Int](), count: consumers)
        for producer in 0..<producers {
            Thread {
                for sequence in 0..<perProducer { queue.put(producer * perProducer + sequence) }
                // An end marker per consumer: a consumer stops after one per producer, by
                // then (first in, first out) every item has been taken.
                for _ in 0..<consumers { queue.put(-1) }
                done.signal()
            }.start()
        }
        for consumer in 0..<consumers {
            Thread {
                var ends = 0
                var mine: [Int] = []
                while ends < producers {
                    let item = queue.take()
                    if item < 0 { ends += 1 } else { mine.append(item) }
                }
                received[consumer] = mine
                done.signal()
            }.start()
        }
        for _ in 0..<(producers + consumers) {
            #expect(done.wait(timeout: .now() + .seconds(120)) == .success)
        }
        let all = received.flatMap { $0 }
        #expect(all.count == producers * perProducer)
        #expect(Set(all).count == all.count)
        // A consumer sees each producer's items in the order they were put.
        for items in received {
            var last = Array(repeating: -1, count: producers)
            for item in items {
                let producer = item / perProducer
                #expect(item > last[producer])
                last[producer] = item
            }
        }
    }
}
