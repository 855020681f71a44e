import Foundation
import FuzzSupport
import Testing
@testable import ModelRuntime

/// The packed-weight dense path (MatMul / Gemm with constant weights) and the bias/ReLU fusion.
/// Values are multiples of 1/4 in a small range, so every sum is exact in float32 whatever the order and the
/// results can be compared with `==`.
@Suite("Dense layers")
struct DenseLayerTests {
    static func quarters(_ count: Int, _ rng: inout SplitMix64) -> [Float] {
        (0..<count).map { _ in Float(Int.random(in: -8...8, using: &rng)) / 4 }
    }

    static func naive(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { out[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return out
    }

    @Test("constant-weight MatMul matches the naive product on every tile shape and kernel path", arguments: FixtureTests.levels)
    func constantWeightsMatchNaive(level: Int) throws {
        try KernelPaths.$cap.withValue(level) { try constantWeightsMatchNaive() }
    }

    func constantWeightsMatchNaive() throws {
        var rng = SplitMix64(state: 11)
        // Row counts around the 6- and 12-row micro-tiles and the 48- and 96-row blocks, widths around the 16-column
        // panel and the narrow (<= 4) path, pairs of panels (the AVX-512 tile) and an odd panel after them, depths
        // past the 256-step k block.
        for (m, k, n) in [
            (1, 20, 128), (7, 5, 3), (49, 300, 17), (13, 1, 4), (6, 16, 5), (100, 33, 8), (3, 257, 40), (50, 260, 64),
            (12, 16, 48), (97, 300, 40), (25, 513, 81), (11, 7, 31),
        ] {
            let a = Self.quarters(m * k, &rng)
            let b = Self.quarters(k * n, &rng)
            let out = try runNode("MatMul", inputs: [("A", floats([m, k], a))], constants: [("B", floats([k, n], b))])
            #expect(out["Y"]?.shape == [m, n])
            #expect(out["Y"]?.floats == Self.naive(a, b, m: m, k: k, n: n), "\(m)x\(k)x\(n)")
        }
    }

    @Test("the packed dense kernel runs where the level allows it, OpenBLAS below", arguments: FixtureTests.levels)
    func denseKernelIsUsedForConstantWeights(level: Int) throws {
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("X", .float32, [nil, 2])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, 2])]
        b.initializer("W", floats: [1, 2, 3, 4], dims: [2, 2])
        b.node("MatMul", ["X", "W"], ["Y"])
        let session = try KernelPaths.$cap.withValue(level) { try b.session() }
        #expect(session.plan.steps.contains { $0.kernel is DenseKernel } == (level >= 1))
    }

    @Test("MatMul + Add + Relu run as one step with the same results")
    func biasAndReluFuse() throws {
        var rng = SplitMix64(state: 5)
        let (m, k, n) = (20, 24, 19)
        let x = Self.quarters(m * k, &rng)
        let w = Self.quarters(k * n, &rng)
        let bias = Self.quarters(n, &rng)
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("X", .float32, [nil, Int64(k)])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, Int64(n)])]
        b.initializer("W", floats: w, dims: [Int64(k), Int64(n)])
        b.initializer("B", floats: bias, dims: [1, Int64(n)])
        b.node("MatMul", ["X", "W"], ["mm"])
        b.node("Add", ["B", "mm"], ["added"])
        b.node("Relu", ["added"], ["Y"])
        let session = try b.session()
        if PackedWeights.available { #expect(session.plan.steps.count == 1, "\(session.plan.steps.map(\.label))") }
        let y = try #require(try session.run(["X": floats([m, k], x)])["Y"])
        let want = zip(Self.naive(x, w, m: m, k: k, n: n), (0..<(m * n)).map { bias[$0 % n] }).map { max(0, $0 + $1) }
        #expect(y.shape == [m, n])
        #expect(y.floats == want)
    }

    @Test("a bias read twice is not folded away")
    func sharedProductIsNotFused() throws {
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("X", .float32, [nil, 2])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, 2]), ModelBuilder.value("mm", .float32, [nil, 2])]
        b.initializer("W", floats: [1, 0, 0, 1], dims: [2, 2])
        b.initializer("B", floats: [-10, 10], dims: [2])
        b.node("MatMul", ["X", "W"], ["mm"])
        b.node("Add", ["mm", "B"], ["Y"])
        let out = try b.session().run(["X": floats([1, 2], [1, 2])])
        #expect(out["mm"]?.floats == [1, 2])
        #expect(out["Y"]?.floats == [-9, 12])
    }

    @Test("Gemm: alpha, transB, a [N, 1] C at run time and a scalar C")
    func gemmVariants() throws {
        // B = W^T is 2 x 3; C is a graph input of shape [N, 1], added per row at run time.
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("X", .float32, [nil, 2]), ModelBuilder.value("C", .float32, [nil, 1])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, 3])]
        b.initializer("W", floats: [1, 2, 3, 4, 5, 6], dims: [3, 2])
        b.node(
            "Gemm", ["X", "W", "C"], ["Y"],
            attributes: [ModelBuilder.attribute("transB", int: 1), ModelBuilder.attribute("alpha", float: -2)])
        let x = floats([2, 2], [1, 1, 2, 0])
        let out = try b.session().run(["X": x, "C": floats([2, 1], [100, 200])])
        // X * W^T = [[3, 7, 11], [2, 6, 10]]; times -2, plus C per row.
        #expect(out["Y"]?.floats == [94, 86, 78, 196, 188, 180])
        let scalar = try runNode(
            "Gemm", inputs: [("X", x)], attributes: [ModelBuilder.attribute("beta", float: 0.5)],
            constants: [("W", floats([2, 2], [1, 0, 0, 1])), ("C", floats([], [4]))])
        #expect(scalar["Y"]?.floats == [3, 3, 4, 2])
    }

    @Test("MatMul keeps numpy's shapes: a vector input, a batch of matrices")
    func matmulShapes() throws {
        let w = floats([2, 3], [1, 2, 3, 4, 5, 6])
        let vector = try runNode("MatMul", inputs: [("A", floats([2], [1, 1]))], constants: [("B", w)])
        #expect(vector["Y"]?.shape == [3])
        #expect(vector["Y"]?.floats == [5, 7, 9])
        let batch = try runNode("MatMul", inputs: [("A", floats([2, 1, 2], [1, 0, 0, 1]))], constants: [("B", w)])
        #expect(batch["Y"]?.shape == [2, 1, 3])
        #expect(batch["Y"]?.floats == [1, 2, 3, 4, 5, 6])
    }

    @Test func wrongInnerDimensionIsAClearError() {
        let error = runtimeError {
            _ = try runNode("MatMul", inputs: [("A", floats([2, 3], [1, 2, 3, 4, 5, 6]))],
                constants: [("B", floats([2, 2], [1, 0, 0, 1]))])
        }
        #expect(error != nil)
        #expect(error?.message.contains("cannot multiply") == true, "\(String(describing: error))")
    }
}
