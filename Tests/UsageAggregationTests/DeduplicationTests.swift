import TallyPrimitives
import TestSupport
import Testing
import UsageDecoding

@testable import UsageAggregation

/// Deduplication (PRODUCT.md, "Repeated records"): the copy with the largest output wins, then
/// the latest time; the earliest time of all copies is the record's time; the result does not
/// depend on the order copies arrive in, nor on whether they went through disk.
@Suite struct DeduplicationTests {
    /// One copy: request `key`, read from input `file`, with one group cell (`cell`).
    struct Copy {
        var key: UInt64
        var file: Int
        var record: UsageRecord
        var cell: UInt64
    }

    static func copy(_ key: UInt64, file: Int, output: String, input: String = "10", time: Int64?, cost: String? = nil, cell: UInt64 = 7) -> Copy {
        var record = record(input: input, output: output, cost: cost, time: time)
        record.dedupKey = key
        return Copy(key: key, file: file, record: record, cell: cell)
    }

    /// Adds the copies in this order, one batch each, and resolves every input as counted.
    static func resolve(_ copies: [Copy], memoryBudget: Int = DedupStore.defaultMemoryBudget, counted: (Int) -> Bool = { _ in true }) throws -> DedupStore.Resolution {
        let store = DedupStore(width: 1, memoryBudget: memoryBudget)
        for copy in copies {
            var batch = DedupBatch(width: 1)
            [copy.cell].withUnsafeBufferPointer { batch.append(key: copy.key, record: copy.record, cells: $0) }
            try store.add(batch, file: copy.file)
        }
        return try store.resolve(counted: counted) { $0.cells[0] < $1.cells[0] }
    }

    static func summary(_ resolution: DedupStore.Resolution) -> [String] {
        resolution.winners.sorted { $0.key < $1.key }.map {
            "\($0.key): file \($0.file) out \($0.record.outputTokens) time \($0.record.time.map(String.init) ?? "-") cell \($0.cells[0])"
        } + resolution.dropped.sorted { $0.key < $1.key }.map { "dropped \($0.key): \($0.value)" }
    }

    @Test func largestOutputWinsAtTheEarliestTime() throws {
        // Claude Code's pattern: growing output counts; the first line's time is the earliest.
        let resolution = try Self.resolve([
            Self.copy(1, file: 0, output: "10", time: 1000),
            Self.copy(1, file: 0, output: "299", time: 1003),
            Self.copy(1, file: 0, output: "120", time: 1002),
            Self.copy(2, file: 1, output: "5", time: 50),
        ])
        #expect(Self.summary(resolution) == [
            "1: file 0 out 299 time 1000 cell 7",
            "2: file 1 out 5 time 50 cell 7",
            "dropped 0: 2",
        ])
    }

    @Test func equalOutputsGoToTheLatestTimeThenTheMeasuresThenTheEarlierInput() throws {
        let byTime = try Self.resolve([
            Self.copy(9, file: 0, output: "3", input: "1", time: 10, cell: 1),
            Self.copy(9, file: 1, output: "3", input: "2", time: 20, cell: 2),
        ])
        #expect(Self.summary(byTime) == ["9: file 1 out 3 time 10 cell 2", "dropped 0: 1"])
        let byInput = try Self.resolve([
            Self.copy(9, file: 0, output: "3", input: "1", time: 10, cell: 1),
            Self.copy(9, file: 1, output: "3", input: "2", time: 10, cell: 2),
        ])
        #expect(Self.summary(byInput) == ["9: file 1 out 3 time 10 cell 2", "dropped 0: 1"])
        let byFile = try Self.resolve([
            Self.copy(9, file: 3, output: "3", time: 10, cell: 1),
            Self.copy(9, file: 2, output: "3", time: 10, cell: 2),
        ])
        #expect(Self.summary(byFile) == ["9: file 2 out 3 time 10 cell 2", "dropped 3: 1"])
        let byCell = try Self.resolve([
            Self.copy(9, file: 0, output: "3", time: 10, cell: 5),
            Self.copy(9, file: 0, output: "3", time: 10, cell: 4),
        ])
        #expect(Self.summary(byCell) == ["9: file 0 out 3 time 10 cell 4", "dropped 0: 1"])
    }

    @Test func timesAndCostsThatAreMissing() throws {
        // A copy without a time never makes the time earlier; with no time at all, none.
        let resolution = try Self.resolve([
            Self.copy(4, file: 0, output: "1", time: nil),
            Self.copy(4, file: 0, output: "1", time: 77),
            Self.copy(5, file: 0, output: "1", time: nil, cost: "0.5"),
            Self.copy(5, file: 0, output: "1", time: nil),
        ])
        #expect(Self.summary(resolution) == ["4: file 0 out 1 time 77 cell 7", "5: file 0 out 1 time - cell 7", "dropped 0: 2"])
        #expect(resolution.winners.first { $0.key == 5 }?.record.costUSD == dec("0.5"))
    }

    @Test func copiesOfInputsThatDoNotCountAreLeftOut() throws {
        let resolution = try Self.resolve(
            [Self.copy(1, file: 0, output: "9", time: 5), Self.copy(1, file: 1, output: "4", time: 1)],
            counted: { $0 == 1 })
        #expect(Self.summary(resolution) == ["1: file 1 out 4 time 1 cell 7"])
    }

    /// The same copies in any order, in memory or spilled to disk after every batch, give the
    /// same winners and the same dropped counts.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func orderAndDiskDoNotMatter(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var copies: [Copy] = []
        for key in 0..<300 {
            // Keys spread over all 64 partitions (the top 6 bits pick one).
            let spread = UInt64(key) &* 0x9E37_79B9_7F4A_7C15
            for _ in 0..<(1 + Int(random.next() % 4)) {
                copies.append(Self.copy(
                    spread, file: Int(random.next() % 3), output: String(random.next() % 5),
                    input: String(random.next() % 3), time: Int64(random.next() % 4), cost: random.next() % 2 == 0 ? "0.25" : nil,
                    cell: random.next() % 3))
            }
        }
        let reference = Self.summary(try Self.resolve(copies))
        var shuffled = copies
        shuffled.shuffle(using: &random)
        #expect(Self.summary(try Self.resolve(shuffled)) == reference)
        #expect(Self.summary(try Self.resolve(shuffled, memoryBudget: 1)) == reference)
        #expect(reference.count > 300)
    }

    /// Measures that are not plain 64-bit whole numbers survive the compact encoding.
    @Test func wideValuesRoundTrip() throws {
        var record = record(input: "12.5", output: "18446744073709551615", cost: "0.000000000000000001", time: -5)
        record.reasoningTokens = ExactDecimal(whole: UInt128(UInt64.max) + 9, fraction: 3)
        record.dedupKey = 42
        var bytes: [UInt8] = []
        DedupStore.encode(key: 42, file: 3, record: record, cells: [1, 0, UInt64.max][...], into: &bytes)
        let decoded = DedupStore.decodeAll(bytes, width: 3)
        #expect(decoded == [DedupStore.Copy(key: 42, file: 3, record: record, cells: [1, 0, UInt64.max])])
    }

    /// `--prices` cache savings travel with a copy (issue 6): absent, whole, fractional.
    @Test(arguments: [nil, "0", "7", "0.000123"])
    func cacheSavingsRoundTrip(_ savings: String?) throws {
        var record = record(input: "100", cached: "40", output: "3", cost: "0.25", time: 1)
        record.cacheSavingsUSD = savings.map(dec)
        record.dedupKey = 7
        var bytes: [UInt8] = []
        DedupStore.encode(key: 7, file: 0, record: record, cells: [9][...], into: &bytes)
        #expect(DedupStore.decodeAll(bytes, width: 1) == [DedupStore.Copy(key: 7, file: 0, record: record, cells: [9])])
    }

    /// `--stats` latency travels with a copy: absent, zero, large; next to a wide measure.
    @Test(arguments: [nil, 0, 1_734, UInt64.max])
    func latencyRoundTrip(_ latency: UInt64?) throws {
        var record = record(input: "12.5", output: "3", time: 1)
        record.latencyMS = latency
        record.dedupKey = 7
        var bytes: [UInt8] = []
        DedupStore.encode(key: 7, file: 0, record: record, cells: [9, 4][...], into: &bytes)
        DedupStore.encode(key: 8, file: 1, record: record, cells: [5, 6][...], into: &bytes)
        let back = DedupStore.decodeAll(bytes, width: 2)
        #expect(back.map(\.record.latencyMS) == [latency, latency])
        #expect(back.map(\.cells) == [[9, 4], [5, 6]])
    }
}
