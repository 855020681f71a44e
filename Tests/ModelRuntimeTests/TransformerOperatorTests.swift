import Foundation
import Testing

@testable import ModelRuntime

/// LayerNormalization, Gelu, Range and GatherND on values worked out by hand (the encoder fixtures of
/// TextEmbeddingTests run them inside whole BERT graphs against a reference).
@Suite("Transformer operators")
struct TransformerOperatorTests {
    static func close(_ a: [Float]?, _ b: [Float], _ tolerance: Float = 1e-5) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test func layerNormalizationOverTheLastAxisWithItsStatistics() throws {
        let out = try runNode(
            "LayerNormalization", inputs: [("X", floats([2, 3], [1, 2, 3, 2, 2, 2]))], outputs: ["Y", "Mean", "InvStd"],
            attributes: [ModelBuilder.attribute("epsilon", float: 1e-5)],
            constants: [("S", floats([3], [1, 1, 2])), ("B", floats([3], [0, 0, 1]))])
        let inv = 1 / (Float(2.0 / 3.0) + 1e-5).squareRoot()
        #expect(Self.close(out["Y"]?.floats, [-inv, 0, 2 * inv + 1, 0, 0, 1], 1e-4))
        #expect(out["Mean"]?.shape == [2, 1])
        #expect(Self.close(out["Mean"]?.floats, [2, 2]))
        #expect(Self.close(out["InvStd"]?.floats, [inv, 1 / Float(1e-5).squareRoot()], 1e-2))
    }

    @Test func layerNormalizationOverTwoAxesAndWithoutBias() throws {
        let out = try runNode(
            "LayerNormalization", inputs: [("X", floats([1, 2, 2], [1, 2, 3, 4]))],
            attributes: [ModelBuilder.attribute("axis", int: 1), ModelBuilder.attribute("epsilon", float: 0)],
            constants: [("S", floats([2, 2], [1, 1, 1, 1]))])
        let s = Float(1.25).squareRoot()
        #expect(Self.close(out["Y"]?.floats, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]))
        let wrongScale = runtimeError {
            _ = try runNode("LayerNormalization", inputs: [("X", floats([2, 3], [1, 2, 3, 4, 5, 6]))], constants: [("S", floats([2], [1, 1]))])
        }
        #expect(wrongScale?.code == .executionFailed)
    }

    @Test func geluExactAndTanh() throws {
        let exact = try runNode("Gelu", inputs: [("X", floats([3], [-1, 0, 1]))], opset: 20)
        #expect(Self.close(exact["Y"]?.floats, [-0.15865525, 0, 0.8413447]))
        let tanh = try runNode(
            "Gelu", inputs: [("X", floats([3], [-1, 0, 1]))], attributes: [ModelBuilder.attribute("approximate", string: "tanh")],
            opset: 20)
        #expect(Self.close(tanh["Y"]?.floats, [-0.15880801, 0, 0.841192]))
        let unknown = runtimeError {
            _ = try runNode("Gelu", inputs: [("X", floats([1], [1]))], attributes: [ModelBuilder.attribute("approximate", string: "fast")], opset: 20)
        }
        #expect(unknown?.code == .unsupportedAttribute)
    }

    static func scalar(_ v: Int64) -> Tensor { Tensor(unchecked: [], .int64([v])) }

    @Test func rangeCountsLikeNumPy() throws {
        let ints = try runNode("Range", inputs: [("A", Self.scalar(0)), ("B", Self.scalar(5)), ("C", Self.scalar(2))])
        #expect(ints["Y"]?.int64s == [0, 2, 4])
        let down = try runNode("Range", inputs: [("A", floats([], [1])), ("B", floats([], [0])), ("C", floats([], [-0.5]))])
        #expect(down["Y"]?.floats == [1, 0.5])
        let empty = try runNode("Range", inputs: [("A", Self.scalar(3)), ("B", Self.scalar(3)), ("C", Self.scalar(1))])
        #expect(empty["Y"]?.shape == [0])
        let zeroStep = runtimeError { _ = try runNode("Range", inputs: [("A", Self.scalar(0)), ("B", Self.scalar(3)), ("C", Self.scalar(0))]) }
        #expect(zeroStep?.code == .executionFailed)
        let huge = runtimeError {
            _ = try runNode("Range", inputs: [("A", Self.scalar(0)), ("B", Self.scalar(.max)), ("C", Self.scalar(1))])
        }
        #expect(huge?.code == .tooLarge)
    }

    @Test func gatherNDPicksElementsSlicesAndPerBatch() throws {
        let data = Tensor(unchecked: [2, 2], .float32([0, 1, 2, 3]))
        let elements = try runNode("GatherND", inputs: [("D", data), ("I", Tensor(unchecked: [2, 2], .int64([0, 0, 1, 1])))])
        #expect(elements["Y"]?.floats == [0, 3])
        let rows = try runNode("GatherND", inputs: [("D", data), ("I", Tensor(unchecked: [2, 1], .int64([1, -2])))])
        #expect(rows["Y"]?.shape == [2, 2])
        #expect(rows["Y"]?.floats == [2, 3, 0, 1])
        let batched = try runNode(
            "GatherND",
            inputs: [("D", Tensor(unchecked: [2, 2, 2], .float32([0, 1, 2, 3, 4, 5, 6, 7]))), ("I", Tensor(unchecked: [2, 1], .int64([1, 0])))],
            attributes: [ModelBuilder.attribute("batch_dims", int: 1)])
        #expect(batched["Y"]?.shape == [2, 2])
        #expect(batched["Y"]?.floats == [2, 3, 4, 5])
        let outside = runtimeError { _ = try runNode("GatherND", inputs: [("D", data), ("I", Tensor(unchecked: [1, 2], .int64([0, 2])))]) }
        #expect(outside?.code == .executionFailed)
        let tooDeep = runtimeError { _ = try runNode("GatherND", inputs: [("D", data), ("I", Tensor(unchecked: [1, 3], .int64([0, 0, 0])))]) }
        #expect(tooDeep?.code == .executionFailed)
    }
}

/// The collapsed broadcast loop against a per-element reference, on random shapes of rank 1-4 with broadcast
/// dimensions on either side (the attention mask's `[B, 1, 1, S]` over `[B, H, S, S]` among them).
@Suite("Broadcast loops")
struct BroadcastLoopTests {
    @Test func collapsedLoopsMatchThePerElementDefinition() throws {
        var generator = SystemRandomNumberGenerator()
        var cases: [([Int], [Int])] = [([2, 3, 4, 4], [2, 1, 1, 4]), ([2, 1, 1, 4], [2, 3, 4, 4]), ([3, 1, 5], [1, 4, 1])]
        for _ in 0..<200 {
            let rank = Int.random(in: 1...4, using: &generator)
            let out = (0..<rank).map { _ in Int.random(in: 1...4, using: &generator) }
            func operand() -> [Int] {
                let dropped = Int.random(in: 0..<rank, using: &generator)
                return out.dropFirst(dropped).map { Bool.random(using: &generator) ? 1 : $0 }
            }
            cases.append((operand(), operand()))
        }
        for (sa, sb) in cases {
            guard let outShape = Broadcast.shape(sa, sb) else { continue }
            let av = (0..<sa.reduce(1, *)).map { Float($0) * 0.5 + 1 }
            let bv = (0..<sb.reduce(1, *)).map { Float($0) * 3 - 7 }
            let got = try runNode("Sub", inputs: [("A", floats(sa, av)), ("B", floats(sb, bv))])["Y"]
            var want = [Float](repeating: 0, count: outShape.reduce(1, *))
            let stridesA = Broadcast.strides(of: sa, in: outShape)
            let stridesB = Broadcast.strides(of: sb, in: outShape)
            for i in want.indices {
                var rest = i
                var (oa, ob) = (0, 0)
                for d in stride(from: outShape.count - 1, through: 0, by: -1) {
                    let k = rest % outShape[d]
                    rest /= outShape[d]
                    oa += k * stridesA[d]
                    ob += k * stridesB[d]
                }
                want[i] = av[oa] - bv[ob]
            }
            #expect(got?.shape == outShape, "\(sa) - \(sb)")
            #expect(got?.floats == want, "\(sa) - \(sb)")
        }
    }
}
