import CScanKernels

/// The JSON paths whose values a scan records, compiled into a tree the scanner walks.
///
/// Tokentally needs a few dozen values out of lines that are mostly prompt text. The scanner
/// validates every byte but only compares keys inside *tracked* objects — objects on a
/// planned path — against their planned children; everything else (messages, tool
/// definitions, request bodies) is validated and skipped without a single key comparison.
///
/// Nodes are numbered in depth-first order, so a node's descendants are the contiguous range
/// `id + 1 ..< subtreeEnd[id]`: when a duplicate key replaces a value, the scanner forgets
/// everything recorded below the old value with one loop.
///
/// Immutable after ``init(paths:)``; shared read-only by all decoding threads.
public final class CapturePlan: @unchecked Sendable {
    /// Node id of the document root.
    public static let root: Int32 = 0

    /// Number of nodes (the root included).
    public let nodeCount: Int

    /// For each input path, the id of its node.
    public let nodeIDs: [Int32]

    /// One past the last descendant of each node.
    let subtreeEnd: UnsafeMutablePointer<Int32>
    /// Children of node `n` are `children[childStart[n] ..< childStart[n + 1]]`.
    let childStart: UnsafeMutablePointer<Int32>
    let children: UnsafeMutablePointer<Child>
    let keyBytes: UnsafeMutablePointer<UInt8>
    /// Per node, an open-addressing table of its key children: slots
    /// `keySlots[keyTableStart[n] ... keyTableStart[n] + keyTableMask[n]]` hold an index into
    /// `children` plus one (0 = empty). A key is found with one hash and usually one compare,
    /// instead of a compare per child.
    let keyTableStart: UnsafeMutablePointer<Int32>
    let keyTableMask: UnsafeMutablePointer<Int32>
    let keySlots: UnsafeMutablePointer<Int32>

    /// A child edge: an object key (and, when the key is an array index, that index).
    struct Child {
        var keyOffset: Int32
        var keyLength: Int32
        var arrayIndex: Int32  // -1 when the token is not an array index
        var node: Int32
    }

    /// Compiles paths (each a list of reference tokens from the root) into one tree; a path
    /// may be a prefix of another, and equal paths share a node.
    public init(paths: [[String]]) {
        // Build a tree with provisional ids (in order of creation), then renumber depth-first.
        // Flat arrays and one dictionary rather than an object per node: a layout plans
        // thousands of paths, and this runs once per decoding thread.
        struct Edge: Hashable {
            var parent: Int32
            var token: String
        }
        var drafts: [[(token: String, node: Int32)]] = [[]]
        var childOf: [Edge: Int32] = [:]
        childOf.reserveCapacity(paths.count)
        var leaves: [Int32] = []
        leaves.reserveCapacity(paths.count)
        // Paths come in families (`path + ["usage", "input_tokens"]`, …): the tokens a path
        // shares with the one before lead to the same nodes, so only the rest is looked up.
        var previous: [String] = []
        var previousNodes: [Int32] = []  // the node after each token of `previous`
        for path in paths {
            var shared = 0
            while shared < min(path.count, previous.count) && path[shared] == previous[shared] { shared += 1 }
            previousNodes.removeSubrange(shared...)
            var node: Int32 = shared == 0 ? 0 : previousNodes[shared - 1]
            for token in path[shared...] {
                let edge = Edge(parent: node, token: token)
                if let existing = childOf[edge] {
                    node = existing
                } else {
                    let child = Int32(drafts.count)
                    drafts.append([])
                    drafts[Int(node)].append((token, child))
                    childOf[edge] = child
                    node = child
                }
                previousNodes.append(node)
            }
            previous = path
            leaves.append(node)
        }

        var id = [Int32](repeating: -1, count: drafts.count)
        var ordered: [Int32] = []
        var ends: [Int32] = []
        func number(_ node: Int32) {
            let nodeID = Int32(ordered.count)
            id[Int(node)] = nodeID
            ordered.append(node)
            ends.append(0)
            for child in drafts[Int(node)] { number(child.node) }
            ends[Int(nodeID)] = Int32(ordered.count)
        }
        number(0)

        nodeCount = ordered.count
        nodeIDs = leaves.map { id[Int($0)] }
        subtreeEnd = .allocate(capacity: nodeCount)
        subtreeEnd.initialize(from: ends, count: nodeCount)

        var starts: [Int32] = []
        var edges: [Child] = []
        var bytes: [UInt8] = []
        for node in ordered {
            starts.append(Int32(edges.count))
            for (token, child) in drafts[Int(node)] {
                edges.append(Child(
                    keyOffset: Int32(bytes.count), keyLength: Int32(token.utf8.count),
                    arrayIndex: JSONPointer.arrayIndex(token) ?? -1, node: id[Int(child)]))
                bytes.append(contentsOf: token.utf8)
            }
        }
        starts.append(Int32(edges.count))
        childStart = .allocate(capacity: starts.count)
        childStart.initialize(from: starts, count: starts.count)
        children = .allocate(capacity: max(edges.count, 1))
        children.initialize(from: edges, count: edges.count)
        keyBytes = .allocate(capacity: max(bytes.count, 1))
        keyBytes.initialize(from: bytes, count: bytes.count)

        // Hash tables at most half full.
        var tableStarts: [Int32] = []
        var tableMasks: [Int32] = []
        var slots: [Int32] = []
        for node in 0..<ordered.count {
            let edgeRange = Int(starts[node])..<Int(starts[node + 1])
            var size = 4
            while size < 2 * edgeRange.count { size *= 2 }
            tableStarts.append(Int32(slots.count))
            tableMasks.append(Int32(size - 1))
            let base = slots.count
            slots.append(contentsOf: repeatElement(0, count: size))
            for edgeIndex in edgeRange {
                let edge = edges[edgeIndex]
                let hash = bytes.withUnsafeBufferPointer {
                    Self.keyHash($0.baseAddress! + Int(edge.keyOffset), Int(edge.keyLength))
                }
                var slot = Int(hash) & (size - 1)
                while slots[base + slot] != 0 { slot = (slot + 1) & (size - 1) }
                slots[base + slot] = Int32(edgeIndex + 1)
            }
        }
        keyTableStart = .allocate(capacity: tableStarts.count)
        keyTableStart.initialize(from: tableStarts, count: tableStarts.count)
        keyTableMask = .allocate(capacity: tableMasks.count)
        keyTableMask.initialize(from: tableMasks, count: tableMasks.count)
        keySlots = .allocate(capacity: slots.count)
        keySlots.initialize(from: slots, count: slots.count)
    }

    /// A cheap hash of a key from its length and three of its bytes: planned keys differ in
    /// at least one of these, and a collision only costs one more probe.
    @inline(__always)
    static func keyHash(_ key: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        guard length > 0 else { return 0 }
        let first = UInt32(key[0]), last = UInt32(key[length - 1]), middle = UInt32(key[length >> 1])
        return (UInt32(truncatingIfNeeded: length) &* 0x9E37_79B1) ^ (first &* 0x85EB_CA77) ^ (last &* 0xC2B2_AE3D)
            ^ (middle &* 0x27D4_EB2F) >> 3
    }

    deinit {
        keyTableStart.deallocate()
        keyTableMask.deallocate()
        keySlots.deallocate()
        subtreeEnd.deallocate()
        childStart.deallocate()
        children.deallocate()
        keyBytes.deallocate()
    }

    /// The child of `node` reached by object key `key` (unescaped bytes), or -1.
    @inline(__always)
    func child(of node: Int32, key: UnsafePointer<UInt8>, length: Int) -> Int32 {
        let table = keySlots + Int(keyTableStart[Int(node)])
        let mask = Int(keyTableMask[Int(node)])
        var slot = Int(Self.keyHash(key, length)) & mask
        while true {
            let entry = Int(table[slot])
            if entry == 0 { return -1 }
            let edge = children[entry - 1]
            if Int(edge.keyLength) == length && memoryEqual(keyBytes + Int(edge.keyOffset), key, length) {
                return edge.node
            }
            slot = (slot + 1) & mask
        }
    }

    /// The child of `node` reached by array index `position`, or -1.
    @inline(__always)
    func child(of node: Int32, index position: Int32) -> Int32 {
        var index = Int(childStart[Int(node)])
        let end = Int(childStart[Int(node) + 1])
        while index < end {
            if children[index].arrayIndex == position { return children[index].node }
            index += 1
        }
        return -1
    }

    /// Whether `node` has any child (so its object or array needs key or index lookups).
    @inline(__always)
    func hasChildren(_ node: Int32) -> Bool {
        childStart[Int(node)] != childStart[Int(node) + 1]
    }
}

/// Whether `count` bytes at `a` and `b` are equal (the C kernel: two word loads for short keys).
@inline(__always)
func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    tokentally_bytes_equal(a, b, count) != 0
}
