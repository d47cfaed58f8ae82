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
