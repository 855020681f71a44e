import Foundation
import Testing

@testable import ModelRuntime

/// Dimensions from a request or a model file are hostile: each case here ended the process with an integer overflow
/// trap (or asked for terabytes) before shapes were checked. Now each is an error with a code, and nothing traps.
@Suite struct HostileShapeTests {
    let huge = 1 << 40

    @Test func aZeroSizeShapeWithHugeDimensionsIsNotATensor() {
        // It holds nothing, but every stride or suffix product a kernel would take of it overflows.
        #expect(runtimeError { _ = try Tensor(shape: [0, huge, huge], floats: []) }?.code == .tooLarge)
        #expect(runtimeError { _ = try Tensor(shape: [huge, huge], floats: []) }?.code == .tooLarge)
        #expect(runtimeError { _ = try Tensor(shape: [-1, 2], floats: []) }?.code == .invalidInput)
        #expect(Tensor.elementCount([0, Tensor.maxElements]) == 0)
        #expect(Tensor.elementCount([2, Tensor.maxElements]) == nil)
    }

    @Test func binaryTensorShapesAreCheckedBeforeAnyProduct() {
        for (shape, datatype) in [([1 << 32, 1 << 32], "FP32"), ([1 << 31, 1 << 31], "FP64"), ([0, huge, huge], "INT64")] {
            let error = runtimeError {
                _ = try InferenceProtocolBinary.decode(
                    name: "X", datatype: datatype, shape: shape, bytes: [UInt8](repeating: 0, count: 16))
            }
            #expect(error?.code == .invalidInput, "\(shape) \(datatype): \(String(describing: error))")
        }
        // The byte count must match exactly: 10 bytes are not 2.5 floats.
        let ragged = runtimeError {
            _ = try InferenceProtocolBinary.decode(name: "X", datatype: "FP32", shape: [2], bytes: [UInt8](repeating: 0, count: 10))
        }
        #expect(ragged?.code == .invalidInput)
    }

    @Test func aModelDeclaringAHugeInputIsRefusedAtLoadNamingTheInput() {
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("wide", .float32, [nil, 1 << 40])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, 1 << 40])]
        b.node("Relu", ["wide"], ["Y"])
        let error = runtimeError { _ = try b.session() }
        #expect(error?.code == .tooLarge && error?.message.contains("'wide'") == true, "\(String(describing: error))")
        var negative = b
        negative.inputs = [ModelBuilder.value("wide", .float32, [nil, -5])]
        #expect(runtimeError { _ = try negative.session() } != nil)
    }

    @Test func reshapeToAnOverflowingTargetFails() throws {
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("X", .float32, [nil, 4])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, nil])]
        b.initializer("target", int64s: [1 << 39, 1 << 39], dims: [2])
        b.node("Reshape", ["X", "target"], ["Y"])
        let session = try b.session()
        let error = runtimeError { _ = try session.run(["X": try Tensor(shape: [1, 4], floats: [1, 2, 3, 4])]) }
        #expect(error?.code == .executionFailed && error?.message.contains("cannot reshape") == true)
        // Folded at load when the data is a constant too: refused there, not trapped.
        var folded = ModelBuilder()
        folded.inputs = [ModelBuilder.value("X", .float32, [nil, 4])]
        folded.outputs = [ModelBuilder.value("Y", .float32, [nil, nil])]
        folded.initializer("data", floats: [1, 2, 3, 4], dims: [4])
        folded.initializer("target", int64s: [1 << 39, 1 << 39], dims: [2])
        folded.node("Reshape", ["data", "target"], ["R"])
        folded.node("Add", ["X", "R"], ["Y"])
        #expect(runtimeError { _ = try folded.session() } != nil)
    }

    @Test func constantOfShapeAndExpandRefuseHugeOutputs() throws {
        var constant = ModelBuilder()
        constant.inputs = [ModelBuilder.value("X", .float32, [nil, 1])]
        constant.outputs = [ModelBuilder.value("Y", .float32, [nil, nil])]
        constant.initializer("dims", int64s: [1 << 20, 1 << 20], dims: [2])
        constant.node("ConstantOfShape", ["dims"], ["C"])
        constant.node("Add", ["X", "C"], ["Y"])
        #expect(runtimeError { _ = try constant.session().run(["X": try Tensor(shape: [1, 1], floats: [0])]) }?.code == .tooLarge)

        var expand = ModelBuilder()
        expand.inputs = [ModelBuilder.value("X", .float32, [nil, 1])]
        expand.outputs = [ModelBuilder.value("Y", .float32, [nil, nil])]
        expand.initializer("dims", int64s: [1 << 30, 1 << 30], dims: [2])
        expand.node("Expand", ["X", "dims"], ["Y"])
        let session = try expand.session()
        #expect(runtimeError { _ = try session.run(["X": try Tensor(shape: [1, 1], floats: [0])]) }?.code == .tooLarge)
    }

    @Test func gatherOfRequestIdsIsBoundedBeforeItAllocates() throws {
        // An embedding table [2, 65536] and 65,536 ids shaped [8192, 8]: the answer would be 2^32 floats.
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("ids", .int64, [nil, 8])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, nil, nil])]
        b.initializer("table", floats: [Float](repeating: 0.5, count: 2 << 16), dims: [2, 1 << 16])
        b.node("Gather", ["table", "ids"], ["Y"], attributes: [ModelBuilder.attribute("axis", int: 0)])
        let session = try b.session()
        let ids = try Tensor(shape: [8192, 8], int64s: [Int64](repeating: 1, count: 8192 * 8))
        #expect(runtimeError { _ = try session.run(["ids": ids]) }?.code == .tooLarge)
        let few = try session.run(["ids": try Tensor(shape: [1, 8], int64s: [Int64](repeating: 1, count: 8))])
        #expect(few["Y"]?.shape == [1, 8, 1 << 16])
    }

    @Test func sliceStepsAtTheLimitsOfInt64() throws {
        for step: Int64 in [.max, .min, 1 << 62, -(1 << 62)] {
            var b = ModelBuilder()
            b.inputs = [ModelBuilder.value("X", .float32, [nil, 4])]
            b.outputs = [ModelBuilder.value("Y", .float32, [nil, nil])]
            b.initializer("starts", int64s: [step > 0 ? 0 : -1], dims: [1])
            b.initializer("ends", int64s: [step > 0 ? .max : .min], dims: [1])
            b.initializer("axes", int64s: [1], dims: [1])
            b.initializer("steps", int64s: [step], dims: [1])
            b.node("Slice", ["X", "starts", "ends", "axes", "steps"], ["Y"])
            let out = try b.session().run(["X": try Tensor(shape: [2, 4], floats: [1, 2, 3, 4, 5, 6, 7, 8])])
            #expect(out["Y"]?.shape == [2, 1], "step \(step)")
            #expect(out["Y"]?.floats == (step > 0 ? [1, 5] : [4, 8]), "step \(step)")
        }
    }

    @Test func oneHotEncoderTakesOutOfRangeFloatsAsUnknownCategories() throws {
        var b = ModelBuilder()
        b.inputs = [ModelBuilder.value("X", .float64, [nil, 1])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, nil, nil])]
        b.node(
            "OneHotEncoder", ["X"], ["Y"], domain: "ai.onnx.ml",
            attributes: [ModelBuilder.attribute("cats_int64s", ints: [1, 2]), ModelBuilder.attribute("zeros", int: 1)])
        let out = try b.session().run(["X": try Tensor(shape: [3, 1], doubles: [1e19, 2, 0.5])])
        #expect(out["Y"]?.floats == [0, 0, 0, 1, 0, 0])
    }
}
