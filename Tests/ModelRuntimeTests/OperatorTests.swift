import Foundation
import FuzzSupport
import Testing
@testable import ModelRuntime

/// Runs a one-node model on the given inputs.
func runNode(
    _ op: String, inputs: [(String, Tensor)], outputs: [String] = ["Y"], domain: String = "",
    attributes: [Onnx_AttributeProto] = [], opset: Int64 = 17, constants: [(String, Tensor)] = []
) throws -> [String: Tensor] {
    var b = ModelBuilder()
    b.opsets = [("", opset), ("ai.onnx.ml", 3)]
    b.inputs = inputs.map { ModelBuilder.value($0.0, $0.1.elementType, $0.1.shape.map { Int64($0) }) }
    b.outputs = outputs.map { ModelBuilder.value($0, .float32, []) }
    for (name, t) in constants {
        var proto = Onnx_TensorProto()
        proto.name = name
        proto.dims = t.shape.map { Int64($0) }
        switch t.storage {
        case .float32(let v): proto.dataType = 1; proto.floatData = v
        case .int64(let v): proto.dataType = 7; proto.int64Data = v
        default: break
        }
        b.initializers.append(proto)
    }
    b.node(op, inputs.map(\.0) + constants.map(\.0), outputs, name: "under_test", domain: domain, attributes: attributes)
    return try b.session().run(Dictionary(inputs.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a }))
}

func floats(_ shape: [Int], _ v: [Float]) -> Tensor { Tensor(unchecked: shape, .float32(v)) }

@Suite("Broadcasting")
struct BroadcastTests {
    @Test func shapes() {
        #expect(Broadcast.shape([2, 3], [3]) == [2, 3])
        #expect(Broadcast.shape([2, 1], [1, 3]) == [2, 3])
        #expect(Broadcast.shape([4, 1, 5], [3, 1]) == [4, 3, 5])
        #expect(Broadcast.shape([], [2, 2]) == [2, 2])
        #expect(Broadcast.shape([2, 3], [2]) == nil)
        #expect(Broadcast.shape([0, 3], [1, 3]) == [0, 3])
    }

    @Test func addColumnAndRow() throws {
        let out = try runNode("Add", inputs: [("A", floats([2, 1], [10, 20])), ("B", floats([1, 3], [1, 2, 3]))])
        #expect(out["Y"]?.shape == [2, 3])
        #expect(out["Y"]?.floats == [11, 12, 13, 21, 22, 23])
    }

    @Test func subWithScalarOnTheLeft() throws {
        let out = try runNode("Sub", inputs: [("A", floats([], [1])), ("B", floats([3], [1, 2, 3]))])
        #expect(out["Y"]?.floats == [0, -1, -2])
    }

    @Test func incompatibleShapesFailTheRun() {
        let error = runtimeError { _ = try runNode("Mul", inputs: [("A", floats([2], [1, 2])), ("B", floats([3], [1, 2, 3]))]) }
        #expect(error?.code == .executionFailed)
    }

    @Test func whereBroadcastsThreeWays() throws {
        let cond = Tensor(unchecked: [2, 1], .bool([true, false]))
        let out = try runNode("Where", inputs: [("C", cond), ("A", floats([1, 2], [1, 2])), ("B", floats([], [9]))])
        #expect(out["Y"]?.floats == [1, 2, 9, 9])
    }

    @Test func maxPropagatesNaN() throws {
        let out = try runNode("Max", inputs: [("A", floats([3], [.nan, 1, 5])), ("B", floats([3], [0, .nan, 4]))])
        let v = try #require(out["Y"]?.floats)
        #expect(v[0].isNaN && v[1].isNaN && v[2] == 5)
    }
}

@Suite("Operators")
struct OperatorTests {
    @Test func integerDivisionByZeroDoesNotTrap() throws {
        let a = Tensor(unchecked: [2], .int64([7, Int64.min]))
        let b = Tensor(unchecked: [2], .int64([0, -1]))
        let out = try runNode("Div", inputs: [("A", a), ("B", b)])
        #expect(out["Y"]?.int64s?.count == 2)
    }

    @Test func castFloatToIntTruncatesAndMapsNaN() throws {
        let out = try runNode(
            "Cast", inputs: [("X", floats([4], [1.9, -1.9, .nan, 3e30]))],
            attributes: [ModelBuilder.attribute("to", int: 7)])
        #expect(out["Y"]?.int64s == [1, -1, Int64.min, Int64.min])
    }

    @Test func softmaxRowsSumToOne() throws {
        let out = try runNode("Softmax", inputs: [("X", floats([2, 3], [1, 2, 3, 1000, 1000, 1000]))])
        let v = try #require(out["Y"]?.floats)
        #expect(abs(v[0] + v[1] + v[2] - 1) < 1e-6)
        #expect(abs(v[3] - 1.0 / 3) < 1e-6)
    }

    @Test func topKKeepsLowerIndexOnTies() throws {
        let out = try runNode(
            "TopK", inputs: [("X", floats([1, 4], [3, 1, 3, 2]))], outputs: ["V", "I"],
            attributes: [ModelBuilder.attribute("axis", int: 1)],
            constants: [("K", Tensor(unchecked: [1], .int64([3])))])
        #expect(out["V"]?.floats == [3, 3, 2])
        #expect(out["I"]?.int64s == [0, 2, 3])
    }

    @Test func gemmWithTransposedConstantWeights() throws {
        let w = floats([2, 3], [1, 0, 0, 0, 1, 0])
        let out = try runNode(
            "Gemm", inputs: [("X", floats([2, 3], [1, 2, 3, 4, 5, 6]))],
            attributes: [ModelBuilder.attribute("transB", int: 1)], constants: [("W", w), ("C", floats([2], [10, 20]))])
        #expect(out["Y"]?.floats == [11, 22, 14, 25])
    }

    @Test func matmulMatchesNaiveProduct() throws {
        var rng = SplitMix64(state: 7)
        for (m, k, n) in [(1, 20, 128), (5, 7, 33), (17, 128, 16), (64, 3, 1)] {
            let a = (0..<(m * k)).map { _ in Float(Int.random(in: -4...4, using: &rng)) / 4 }
            let b = (0..<(k * n)).map { _ in Float(Int.random(in: -4...4, using: &rng)) / 4 }
            let out = try runNode("MatMul", inputs: [("A", floats([m, k], a)), ("B", floats([k, n], b))])
            var want = [Float](repeating: 0, count: m * n)
            for i in 0..<m { for j in 0..<n { for p in 0..<k { want[i * n + j] += a[i * k + p] * b[p * n + j] } } }
            #expect(out["Y"]?.floats == want, "\(m)x\(k)x\(n)")
        }
    }

    @Test func batchedMatMulBroadcasts() throws {
        let a = floats([2, 1, 2], [1, 2, 3, 4])
        let b = floats([2, 1], [1, 1])
        let out = try runNode("MatMul", inputs: [("A", a), ("B", b)])
        #expect(out["Y"]?.shape == [2, 1, 1])
        #expect(out["Y"]?.floats == [3, 7])
    }

    @Test func reduceSumSquareOverAxes() throws {
        let out = try runNode(
            "ReduceSumSquare", inputs: [("X", floats([2, 2], [1, 2, 3, 4]))],
            attributes: [ModelBuilder.attribute("axes", ints: [0]), ModelBuilder.attribute("keepdims", int: 0)])
        #expect(out["Y"]?.floats == [10, 20])
    }

    @Test func sliceWithNegativeStep() throws {
        let out = try runNode(
            "Slice", inputs: [("X", floats([5], [0, 1, 2, 3, 4]))],
            constants: [
                ("s", Tensor(unchecked: [1], .int64([-1]))), ("e", Tensor(unchecked: [1], .int64([-10]))),
                ("a", Tensor(unchecked: [1], .int64([0]))), ("t", Tensor(unchecked: [1], .int64([-2]))),
            ])
        #expect(out["Y"]?.floats == [4, 2, 0])
    }

    @Test func gatherRejectsOutOfRangeIndex() {
        let error = runtimeError {
            _ = try runNode(
                "Gather", inputs: [("X", floats([3], [1, 2, 3]))], constants: [("i", Tensor(unchecked: [1], .int64([3])))])
        }
        #expect(error?.code == .invalidModel || error?.code == .executionFailed)
    }

    @Test func reshapeInfersAndCopiesDimensions() throws {
        let out = try runNode(
            "Reshape", inputs: [("X", floats([2, 3], [1, 2, 3, 4, 5, 6]))],
            constants: [("s", Tensor(unchecked: [2], .int64([0, -1])))])
        #expect(out["Y"]?.shape == [2, 3])
    }

    @Test func concurrentRunsAgree() async throws {
        let session = try ONNXSession(contentsOf: Fixtures.model("mlp"))
        let (inputs, expected) = try Fixtures.expectations("mlp")
        try await withThrowingTaskGroup(of: Tensor?.self) { group in
            for _ in 0..<16 { group.addTask { try session.run(inputs)["probabilities"] } }
            for try await result in group {
                #expect(difference(try #require(result), try #require(expected["probabilities"])) == nil)
            }
        }
    }
}
