import Foundation
import FuzzSupport
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

/// The attention-softmax and residual-LayerNorm fusions: fused plans (fewer steps) give the per-element definition,
/// including masks and residuals that broadcast unusually (the fused kernels' fallbacks) and either Add order.
@Suite("Transformer fusions")
struct TransformerFusionTests {
    static func softmaxGraph(scores: [Int], mask: [Int], maskFirst: Bool) throws -> ONNXSession {
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("S", .float32, scores.map { Int64($0) }), ModelBuilder.value("M", .float32, mask.map { Int64($0) })]
        b.outputs = [ModelBuilder.value("Y", .float32, [])]
        b.initializer("c", floats: [2], dims: [])
        b.node("Div", ["S", "c"], ["d"])
        b.node("Add", maskFirst ? ["M", "d"] : ["d", "M"], ["a"])
        b.node("Softmax", ["a"], ["Y"], attributes: [ModelBuilder.attribute("axis", int: -1)])
        return try b.session()
    }

    static func reference(_ s: [Float], _ sShape: [Int], _ m: [Float], _ mShape: [Int]) -> [Float] {
        let out = Broadcast.shape(sShape, mShape)!
        let sa = Broadcast.strides(of: sShape, in: out)
        let sb = Broadcast.strides(of: mShape, in: out)
        var values = [Float](repeating: 0, count: out.reduce(1, *))
        for i in values.indices {
            var rest = i
            var (oa, ob) = (0, 0)
            for d in stride(from: out.count - 1, through: 0, by: -1) {
                let k = rest % out[d]
                rest /= out[d]
                oa += k * sa[d]
                ob += k * sb[d]
            }
            values[i] = s[oa] / 2 + m[ob]
        }
        let width = out.last!
        for r in 0..<(values.count / width) {
            let row = values[(r * width)..<((r + 1) * width)]
            let top = row.max()!
            let e = row.map { Foundation.exp($0 - top) }
            let sum = e.reduce(0, +)
            for (k, v) in e.enumerated() { values[r * width + k] = v / sum }
        }
        return values
    }

    @Test(arguments: [([2, 3, 4, 20], [2, 1, 1, 20]), ([2, 3, 4, 20], [2, 1, 4, 20]), ([2, 3, 4, 20], [20]), ([3, 20], [3, 20])])
    func attentionSoftmaxMatchesTheDefinition(shapes: ([Int], [Int])) throws {
        let (sShape, mShape) = shapes
        let s = (0..<sShape.reduce(1, *)).map { Float(($0 * 37) % 23) * 0.3 - 3 }
        let m = (0..<mShape.reduce(1, *)).map { $0 % 5 == 0 ? -Float.greatestFiniteMagnitude : Float($0 % 3) * 0.1 }
        let want = Self.reference(s, sShape, m, mShape)
        for maskFirst in [false, true] {
            let session = try Self.softmaxGraph(scores: sShape, mask: mShape, maskFirst: maskFirst)
            #expect(session.plan.steps.count == 1, "Div, Add and Softmax fuse into one step")
            let y = try session.run(["S": floats(sShape, s), "M": floats(mShape, m)])["Y"]
            #expect(y?.shape == sShape)
            let got = try #require(y?.floats)
            #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(sShape) + \(mShape), mask first: \(maskFirst)")
        }
    }

    @Test func residualLayerNormMatchesTheDefinition() throws {
        for residual in [[2, 24], [24]] {
            var b = ModelBuilder()
            b.inputs = [ModelBuilder.value("A", .float32, [2, 24]), ModelBuilder.value("B", .float32, residual.map { Int64($0) })]
            b.outputs = [ModelBuilder.value("Y", .float32, [])]
            b.initializer("scale", floats: (0..<24).map { 1 + Float($0) * 0.01 }, dims: [24])
            b.initializer("bias", floats: (0..<24).map { Float($0) * -0.02 }, dims: [24])
            b.node("Add", ["A", "B"], ["sum"])
            b.node("LayerNormalization", ["sum", "scale", "bias"], ["Y"], attributes: [ModelBuilder.attribute("epsilon", float: 1e-5)])
            let session = try b.session()
            #expect(session.plan.steps.count == 1)
            let a = (0..<48).map { Float(($0 * 13) % 17) - 8 }
            let r = (0..<residual.reduce(1, *)).map { Float($0 % 5) * 0.5 }
            let y = try #require(try session.run(["A": floats([2, 24], a), "B": floats(residual, r)])["Y"]?.floats)
            for row in 0..<2 {
                let x = (0..<24).map { Double(a[row * 24 + $0] + r[residual.count == 1 ? $0 : row * 24 + $0]) }
                let mean = x.reduce(0, +) / 24
                let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 24
                for k in 0..<24 {
                    let want = (x[k] - mean) / (variance + 1e-5).squareRoot() * (1 + Double(k) * 0.01) + Double(k) * -0.02
                    #expect(abs(Double(y[row * 24 + k]) - want) < 1e-4, "residual \(residual) row \(row) column \(k)")
                }
            }
        }
    }
}

@Suite("Erf GELU fusion")
struct ErfGeluFusionTests {
    /// Both ways exporters write the exact GELU after a dense layer collapse into the dense step.
    @Test(arguments: [false, true]) func erfGeluPatternsBecomeOneDenseStep(halfFirst: Bool) throws {
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("X", .float32, [3, 4])]
        b.outputs = [ModelBuilder.value("Y", .float32, [])]
        let w = (0..<20).map { Float($0 % 7) * 0.3 - 1 }
        b.initializer("W", floats: w, dims: [4, 5])
        b.initializer("root2", floats: [1.4142135], dims: [])
        b.initializer("one", floats: [1], dims: [])
        b.initializer("half", floats: [0.5], dims: [])
        b.node("MatMul", ["X", "W"], ["h"])
        b.node("Div", ["h", "root2"], ["d"])
        b.node("Erf", ["d"], ["e"])
        b.node("Add", ["e", "one"], ["a"])
        if halfFirst {
            b.node("Mul", ["h", "half"], ["hh"])
            b.node("Mul", ["hh", "a"], ["Y"])
        } else {
            b.node("Mul", ["h", "a"], ["m"])
            b.node("Mul", ["m", "half"], ["Y"])
        }
        let session = try b.session()
        #expect(session.plan.steps.count == 1, "MatMul and the five GELU steps are one dense step")
        let x = (0..<12).map { Float($0) * 0.25 - 1.5 }
        let y = try #require(try session.run(["X": floats([3, 4], x)])["Y"]?.floats)
        for r in 0..<3 {
            for c in 0..<5 {
                var h = 0.0
                for k in 0..<4 { h += Double(x[r * 4 + k]) * Double(w[k * 5 + c]) }
                let want = 0.5 * h * (1 + Foundation.erf(h / 2.0.squareRoot()))
                #expect(abs(Double(y[r * 5 + c]) - want) < 1e-5, "row \(r) column \(c)")
            }
        }
    }
}

/// `ai.modelyard:Attention` against attention written out in double precision, on every kernel path (the softmax's),
/// with padded keys, several heads, one token and sequences longer than a BLAS block.
@Suite("Attention operator")
struct AttentionOperatorTests {
    static func reference(_ qkv: [Float], _ mask: [Float], batch: Int, sequence: Int, heads: Int, size: Int) -> [Float] {
        let hidden = heads * size, width = 3 * hidden
        var out = [Float](repeating: 0, count: batch * sequence * hidden)
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<sequence {
                    var scores = [Double](repeating: 0, count: sequence)
                    for j in 0..<sequence {
                        var dot = 0.0
                        for p in 0..<size {
                            dot += Double(qkv[(b * sequence + i) * width + h * size + p]) * Double(qkv[(b * sequence + j) * width + hidden + h * size + p])
                        }
                        scores[j] = dot / Double(size).squareRoot() + Double(mask[b * sequence + j])
                    }
                    let top = scores.max()!
                    let weights = scores.map { exp($0 - top) }
                    let total = weights.reduce(0, +)
                    for p in 0..<size {
                        var sum = 0.0
                        for j in 0..<sequence { sum += weights[j] * Double(qkv[(b * sequence + j) * width + 2 * hidden + h * size + p]) }
                        out[(b * sequence + i) * hidden + h * size + p] = Float(sum / total)
                    }
                }
            }
        }
        return out
    }

    @Test(arguments: FixtureTests.levels)
    func matchesTheDefinitionOnEveryPath(level: Int) throws {
        var rng = SplitMix64(state: 5)
        let shapes: [(Int, Int, Int, Int)] = [(2, 1, 2, 16), (2, 17, 3, 32), (1, 40, 1, 64), (2, 9, 2, 8), (3, 130, 2, 32)]
        for (batch, sequence, heads, size) in shapes {
            let hidden = heads * size
            var qkv = [Float](repeating: 0, count: batch * sequence * 3 * hidden)
            for index in qkv.indices {
                let draw = Double(rng.next() % 2001)
                qkv[index] = Float(draw / 1000 - 1)
            }
            // The last sequence pads its final three tokens (when it has more than three).
            var mask = [Float](repeating: 0, count: batch * sequence)
            if sequence > 3 { for j in (sequence - 3)..<sequence { mask[(batch - 1) * sequence + j] = -Float.greatestFiniteMagnitude } }
            let attribute = ModelBuilder.attribute("num_heads", int: Int64(heads))
            let out = try KernelPaths.$cap.withValue(level) {
                try runNode(
                    "Attention", inputs: [("qkv", floats([batch, sequence, 3 * hidden], qkv)), ("mask", floats([batch, 1, 1, sequence], mask))],
                    domain: "ai.modelyard", attributes: [attribute])
            }
            let got = try #require(out["Y"]?.floats)
            let want = Self.reference(qkv, mask, batch: batch, sequence: sequence, heads: heads, size: size)
            #expect(out["Y"]?.shape == [batch, sequence, hidden])
            let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 2e-5, "\(batch)x\(sequence), \(heads) heads of \(size): \(worst)")
        }
    }

    @Test func badShapesAreClearErrors() throws {
        let attribute = ModelBuilder.attribute("num_heads", int: 2)
        #expect(throws: ModelRuntimeError.self) {
            try runNode("Attention", inputs: [("qkv", floats([1, 2, 10], .init(repeating: 0, count: 20))), ("mask", floats([1, 1, 1, 2], [0, 0]))], domain: "ai.modelyard", attributes: [attribute])
        }
        #expect(throws: ModelRuntimeError.self) {
            try runNode("Attention", inputs: [("qkv", floats([1, 2, 12], .init(repeating: 0, count: 24))), ("mask", floats([1, 2], [0, 0]))], domain: "ai.modelyard", attributes: [attribute])
        }
    }
}
