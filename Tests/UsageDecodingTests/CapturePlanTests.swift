import TestSupport
import Testing

@testable import UsageDecoding

@Suite struct CapturePlanTests {
    @Test func pathsShareNodesAndAreNumberedDepthFirst() {
        // Tree: root(0) → a(1) → b(2); root → c(3). Worked out by hand.
        let plan = CapturePlan(paths: [["a", "b"], ["a"], ["c"], ["a", "b"]])
        #expect(plan.nodeCount == 4)
        #expect(plan.nodeIDs == [2, 1, 3, 2])
        #expect((0..<4).map { plan.subtreeEnd[$0] } == [4, 3, 3, 4])
        #expect(plan.hasChildren(0) && plan.hasChildren(1) && !plan.hasChildren(2) && !plan.hasChildren(3))
    }

    @Test func theRootItself() {
        let plan = CapturePlan(paths: [[]])
        #expect(plan.nodeCount == 1)
        #expect(plan.nodeIDs == [CapturePlan.root])
        let scanner = JSONScanner(plan: plan)
        let line = Array(#" {"a":1} "#.utf8)
        line.withUnsafeBytes { buffer in
            #expect(describe(scanner.scan(buffer)) == "object")
            #expect(scanner.value(CapturePlan.root) == JSONValueSpan(start: 1, end: 8, kind: .object))
        }
    }

    @Test func childLookUps() {
        let plan = CapturePlan(paths: [["tags", "0"], ["tags", "x"], ["tags", "12"]])
        let tags = plan.child(of: CapturePlan.root, key: Array("tags".utf8), length: 4)
        #expect(tags == 1)
        #expect(plan.child(of: tags, index: 0) == plan.nodeIDs[0])
        #expect(plan.child(of: tags, index: 12) == plan.nodeIDs[2])
        #expect(plan.child(of: tags, index: 1) == -1)
        #expect(plan.child(of: tags, key: Array("x".utf8), length: 1) == plan.nodeIDs[1])
        #expect(plan.child(of: tags, key: Array("0".utf8), length: 1) == plan.nodeIDs[0])
        #expect(plan.child(of: tags, key: Array("xy".utf8), length: 2) == -1)
    }
}

extension CapturePlanTests {
    /// Paths in families, in any order: each path's node is the one its tokens lead to, key by
    /// key, and there is one node per distinct prefix (the plan builder reuses the nodes a path
    /// shares with the one before it).
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func everyPathLeadsToItsNode(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let tokens = ["a", "b", "usage", "input_tokens", "0", "1", "response", "x"]
        var paths: [[String]] = []
        for _ in 0..<300 {
            let base = paths.isEmpty || random.next() % 3 == 0 ? [] : paths[Int(random.next() % UInt64(paths.count))]
            let kept = base.isEmpty ? 0 : Int(random.next() % UInt64(base.count + 1))
            var path = Array(base.prefix(kept))
            for _ in 0..<Int(random.next() % 3) { path.append(tokens[Int(random.next() % UInt64(tokens.count))]) }
            paths.append(path)
        }
        let plan = CapturePlan(paths: paths)
        var prefixes = Set<[String]>()
        for path in paths { for length in 0...path.count { prefixes.insert(Array(path.prefix(length))) } }
        #expect(plan.nodeCount == prefixes.count)
        for (index, path) in paths.enumerated() {
            var node = CapturePlan.root
            for token in path {
                let bytes = Array(token.utf8)
                node = plan.child(of: node, key: bytes, length: bytes.count)
                if node < 0 { break }
            }
            #expect(node == plan.nodeIDs[index], "path \(path)")
        }
        var pathOfNode: [Int32: [String]] = [:]
        for (index, path) in paths.enumerated() {
            let known = pathOfNode.updateValue(path, forKey: plan.nodeIDs[index])
            #expect(known == nil || known == path, "paths \(path) and \(known ?? []) share a node")
        }
    }
}

@Suite struct LongLineTests {
    @Test func aSixteenMebibyteLineWithUsageAtTheEnd() {
        // A prompt of 16 MiB (ASCII with a multi-byte character every 1000 bytes), then the usage.
        var line = Array(#"{"input":""#.utf8)
        let chunk = Array(String(repeating: "a", count: 997).utf8) + [0xE2, 0x82, 0xAC]  // 1000 bytes, ending in €
        for _ in 0..<(16 * 1024 * 1024 / 1000) { line += chunk }
        let usageStart = line.count
        line += Array(#"","model":"m","usage":{"input_tokens":4000000,"output_tokens":5}}"#.utf8)
        let decoded = decode(line, DecoderConfiguration(valueFields: [.model]))
        #expect(decoded.outcome == "record in=4000000 out=5 total=4000005 [missing_timestamp]")
        #expect(decoded.values == [#""m""#])
        // Break the last € (E2 82 AC at offsets usageStart-3 ..< usageStart): E2 FF AC is invalid
        // from its lead byte, offset usageStart-3, reported 1-based as byte usageStart-2.
        line[usageStart - 2] = 0xFF
        #expect(decode(line).outcome == "invalid_utf8: invalid UTF-8 at byte \(usageStart - 2)")
    }
}
