import Foundation
import Testing
@testable import ModelRuntime

@Suite("Model inspection")
struct InspectorTests {
    @Test func supportedFixtureReport() throws {
        let report = try ONNXModelInspector.inspect(data: try Fixtures.modelData("isolation_forest"))
        #expect(report.supported)
        #expect(report.metadata.producerName == "skl2onnx")
        #expect(report.metadata.nodeCount == 2710)
        #expect(report.operators.allSatisfy { $0.supported })
        #expect(report.signature.inputs.map(\.name) == ["X"])
        #expect(report.signature.inputs.first?.shape?.last == .fixed(20))
    }

    @Test func zipMapOutputIsDescribed() throws {
        let session = try ONNXSession(contentsOf: Fixtures.model("scaler_logreg_zipmap"))
        #expect(session.signature.outputs.contains { $0.kind == .sequenceOfMaps })
        #expect(session.signature.classLabels == .int64s([0, 1, 2]))
    }

    @Test func unsupportedOperatorIsReportedNotThrown() throws {
        var b = ModelBuilder()
        b.irVersion = 11
        b.inputs = [ModelBuilder.value("X", .float32, [nil, 2])]
        b.outputs = [ModelBuilder.value("Y", .float32, [nil, 2])]
        b.node("Erfinv", ["X"], ["Y"], name: "weird")
        let report = try ONNXModelInspector.inspect(data: try b.data())
        #expect(!report.supported)
        #expect(report.errorCode == "unsupported_version")
        b.irVersion = 8
        let second = try ONNXModelInspector.inspect(data: try b.data())
        #expect(second.errorCode == "unsupported_operator")
        #expect(second.operators == [.init(name: "ai.onnx:Erfinv", count: 1, supported: false)])
        #expect(second.errorMessage?.contains("weird") == true)
    }

    @Test func inferenceJSONRoundTrip() throws {
        let tensors = [
            InferenceProtocolJSON.NamedTensor(name: "a", tensor: try Tensor(shape: [3], floats: [1.5, .nan, -.infinity])),
            InferenceProtocolJSON.NamedTensor(name: "b", tensor: try Tensor(shape: [2, 1], strings: ["x", "y"])),
            InferenceProtocolJSON.NamedTensor(name: "c", tensor: try Tensor(shape: [1], int64s: [Int64.max])),
        ]
        let decoded = try InferenceProtocolJSON.decode(try InferenceProtocolJSON.encode(tensors, key: "inputs"))
        #expect(decoded.count == 3)
        #expect(decoded[0].tensor.floats?[0] == 1.5 && decoded[0].tensor.floats?[1].isNaN == true)
        #expect(decoded[1].tensor.strings == ["x", "y"] && decoded[1].tensor.shape == [2, 1])
        #expect(decoded[2].tensor.int64s == [Int64.max])
    }

    @Test func badRequestJSONIsAnInputError() {
        for text in ["{", "{\"inputs\": 3}", "{\"inputs\": [{\"name\": \"X\", \"shape\": [2], \"datatype\": \"FP32\", \"data\": [1]}]}",
            "{\"inputs\": [{\"name\": \"X\", \"shape\": [1], \"datatype\": \"FP16\", \"data\": [1]}]}"]
        {
            #expect(runtimeError { _ = try InferenceProtocolJSON.decode(Data(text.utf8)) }?.code == .invalidInput, "\(text)")
        }
    }
}
