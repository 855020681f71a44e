import Foundation
import FuzzSupport
import Testing
@testable import ModelRuntime

@Suite("Malformed models are refused with clear errors")
struct MalformedModelTests {
    /// A valid two-input Add model to start from.
    func addModel() -> ModelBuilder {
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("X", .float32, [nil, 3])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, 3])]
        b.initializer("bias", floats: [1, 2, 3], dims: [3])
        b.node("Add", ["X", "bias"], ["Y"], name: "add_bias")
        return b
    }

    @Test func validModelLoadsAndRuns() throws {
        let session = try addModel().session()
        let out = try session.run(["X": try Tensor(shape: [1, 3], floats: [1, 1, 1])])
        #expect(out["Y"]?.floats == [2, 3, 4])
    }

    @Test func emptyAndRandomBytes() {
        #expect(runtimeError { _ = try ONNXSession(data: Data()) }?.code == .invalidModel)
        var rng = SplitMix64(state: 42)
        for length in [1, 2, 7, 64, 1000, 10_000] {
            let bytes = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) })
            let error = runtimeError { _ = try ONNXSession(data: bytes) }
            #expect(error != nil && error?.code.rawValue != "unexpected_error_type", "\(length) random bytes: \(String(describing: error))")
        }
    }

    @Test("truncated fixtures never crash", arguments: ["scaler_logreg", "mlp", "lof_novelty", "xgb_binary"])
    func truncated(name: String) throws {
        let data = try Fixtures.modelData(name)
        for fraction in stride(from: 0.0, to: 1.0, by: 0.05) {
            let cut = data.prefix(Int(Double(data.count) * fraction))
            let error = runtimeError { _ = try ONNXSession(data: Data(cut)) }
            #expect(error?.code.rawValue != "unexpected_error_type")
        }
        #expect(runtimeError { _ = try ONNXSession(data: data.prefix(data.count - 3)) } != nil)
    }

    @Test func cyclicGraph() {
        var b = addModel()
        b.nodes = []
        b.node("Add", ["X", "B"], ["A"], name: "first")
        b.node("Relu", ["A"], ["B"], name: "second")
        b.node("Identity", ["A"], ["Y"], name: "out")
        let error = runtimeError { _ = try b.session() }
        #expect(error?.code == .invalidModel)
        #expect(error?.message.contains("cycle") == true, "\(String(describing: error))")
    }

    @Test func missingInitializer() {
        var b = addModel()
        b.initializers = []
        let error = runtimeError { _ = try b.session() }
        #expect(error?.code == .invalidModel)
        #expect(error?.message.contains("add_bias") == true && error?.message.contains("bias") == true)
    }

    @Test func unsupportedOperatorNamesNodeAndOp() {
        var b = addModel()
        b.node("FancyOp", ["Y"], ["Z"], name: "mystery")
        let error = runtimeError { _ = try b.session() }
        #expect(error?.code == .unsupportedOperator)
        #expect(error?.message.contains("mystery") == true && error?.message.contains("FancyOp") == true)
    }

    @Test func customDomainIsRefused() {
        var b = addModel()
        b.node("Foo", ["Y"], ["Z"], name: "custom", domain: "com.example")
        #expect(runtimeError { _ = try b.session() }?.code == .unsupportedOperator)
    }

    @Test func unknownAttributeIsRefused() {
        var b = addModel()
        b.nodes = []
        b.node("Relu", ["X"], ["Y"], name: "relu", attributes: [ModelBuilder.attribute("alpha", floats: [0.1])])
        let error = runtimeError { _ = try b.session() }
        #expect(error?.code == .unsupportedAttribute)
        #expect(error?.message.contains("alpha") == true && error?.message.contains("relu") == true)
    }

    @Test func unsupportedAttributeValue() {
        var b = addModel()
        b.nodes = []
        b.node(
            "Scaler", ["X"], ["Y"], name: "scale", domain: "ai.onnx.ml",
            attributes: [ModelBuilder.attribute("offset", floats: [0])])
        b.node("Normalizer", ["Y"], ["Z"], name: "norm", domain: "ai.onnx.ml", attributes: [ModelBuilder.attribute("norm", string: "L7")])
        let error = runtimeError { _ = try b.session() }
        #expect(error?.code == .unsupportedAttribute)
        #expect(error?.message.contains("L7") == true)
    }

    @Test func externalDataIsRefused() {
        var b = addModel()
        var entry = Onnx_StringStringEntryProto()
        entry.key = "location"
        entry.value = "weights.bin"
        b.initializers[0].floatData = []
        b.initializers[0].externalData = [entry]
        b.initializers[0].dataLocation = .external
        let error = runtimeError { _ = try b.session() }
        #expect(error?.code == .externalData)
        #expect(error?.message.contains("bias") == true)
    }

    @Test func unsupportedVersions() {
        var b = addModel()
        b.irVersion = 2
        #expect(runtimeError { _ = try b.session() }?.code == .unsupportedVersion)
        b.irVersion = 8
        b.opsets = [("", 99)]
        #expect(runtimeError { _ = try b.session() }?.code == .unsupportedVersion)
    }

    @Test func duplicateAndMissingDefaultOpsetImportsAreTolerated() throws {
        var b = addModel()
        b.opsets = [("", 17), ("", 17), ("ai.onnx.ml", 1)]
        _ = try b.session()
        b.opsets = [("ai.onnx.ml", 1)]
        _ = try b.session()
    }

    @Test func unsupportedElementType() {
        var b = addModel()
        b.inputs = [ModelBuilder.value("X", .float32, [nil, 3])]
        b.inputs[0].type.tensorType.elemType = 10
        let error = runtimeError { _ = try b.session() }
        #expect(error?.code == .unsupportedType)
        #expect(error?.message.contains("float16") == true)
    }

    @Test func rawDataOfWrongSize() {
        var b = addModel()
        b.initializers[0].floatData = []
        b.initializers[0].rawData = Data([0, 0, 128])
        #expect(runtimeError { _ = try b.session() }?.code == .invalidModel)
    }

    @Test func treeWithCycleIsRefused() {
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("X", .float32, [nil, 2])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, 1])]
        b.node(
            "TreeEnsembleRegressor", ["X"], ["Y"], name: "trees", domain: "ai.onnx.ml",
            attributes: [
                ModelBuilder.attribute("nodes_treeids", ints: [0, 0, 0]),
                ModelBuilder.attribute("nodes_nodeids", ints: [0, 1, 2]),
                ModelBuilder.attribute("nodes_featureids", ints: [0, 1, 0]),
                ModelBuilder.attribute("nodes_modes", strings: ["BRANCH_LEQ", "BRANCH_LEQ", "LEAF"]),
                ModelBuilder.attribute("nodes_values", floats: [0, 0, 0]),
                ModelBuilder.attribute("nodes_truenodeids", ints: [1, 0, 0]),
                ModelBuilder.attribute("nodes_falsenodeids", ints: [2, 2, 0]),
                ModelBuilder.attribute("target_treeids", ints: [0]),
                ModelBuilder.attribute("target_nodeids", ints: [2]),
                ModelBuilder.attribute("target_ids", ints: [0]),
                ModelBuilder.attribute("target_weights", floats: [1]),
            ])
        let error = runtimeError { _ = try b.session() }
        #expect(error?.code == .invalidModel)
        #expect(error?.message.contains("trees") == true)
    }
}

@Suite("Bad inputs are refused at run time")
struct BadInputTests {
    let session: ONNXSession

    init() throws { session = try ONNXSession(contentsOf: Fixtures.model("random_forest")) }

    @Test func wrongType() {
        let error = runtimeError { _ = try session.run(["X": try Tensor(shape: [1, 20], int64s: Array(repeating: 1, count: 20))]) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.contains("int64") == true)
    }

    @Test func wrongWidthAndRank() {
        #expect(runtimeError { _ = try session.run(["X": try Tensor(shape: [1, 19], floats: Array(repeating: 1, count: 19))]) }?.code == .invalidInput)
        #expect(runtimeError { _ = try session.run(["X": try Tensor(shape: [20], floats: Array(repeating: 1, count: 20))]) }?.code == .invalidInput)
    }

    @Test func missingAndUnknownInputs() {
        #expect(runtimeError { _ = try session.run([:]) }?.message.contains("missing input 'X'") == true)
        let x = try? Tensor(shape: [1, 20], floats: Array(repeating: 1, count: 20))
        #expect(runtimeError { _ = try session.run(["X": x!, "extra": x!]) }?.code == .invalidInput)
    }

    @Test func shapeMismatchInsideTheGraph() throws {
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("A", .float32, [nil, nil]), ModelBuilder.value("B", .float32, [nil, nil])]
        b.outputs = [ModelBuilder.value("C", .float32, [nil, nil])]
        b.node("MatMul", ["A", "B"], ["C"], name: "mm")
        let s = try b.session()
        let error = runtimeError {
            _ = try s.run(["A": try Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6]), "B": try Tensor(shape: [2, 2], floats: [1, 2, 3, 4])])
        }
        #expect(error?.code == .executionFailed)
        #expect(error?.message.contains("mm") == true)
    }

    @Test func tensorShapeMustMatchCount() {
        #expect(runtimeError { _ = try Tensor(shape: [2, 2], floats: [1, 2, 3]) }?.code == .invalidInput)
        #expect(runtimeError { _ = try Tensor(shape: [-1], floats: []) }?.code == .invalidInput)
    }

    @Test func emptyBatchRuns() throws {
        let out = try session.run(["X": try Tensor(shape: [0, 20], floats: [])])
        #expect(out["label"]?.shape == [0])
        #expect(out["probabilities"]?.shape == [0, 3])
    }
}
