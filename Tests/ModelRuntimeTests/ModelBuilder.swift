import Foundation
import FuzzSupport
@testable import ModelRuntime

/// Builds small ONNX models in memory for malformed-input and operator tests.
struct ModelBuilder {
    var nodes: [Onnx_NodeProto] = []
    var initializers: [Onnx_TensorProto] = []
    var inputs: [Onnx_ValueInfoProto] = []
    var outputs: [Onnx_ValueInfoProto] = []
    var opsets: [(String, Int64)] = [("", 17), ("ai.onnx.ml", 3)]
    var irVersion: Int64 = 8

    static func value(_ name: String, _ type: ElementType, _ dims: [Int64?]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(type.onnxCode)
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = d } else { dim.dimParam = "N" }
            return dim
        }
        tensor.shape = shape
        info.type.tensorType = tensor
        return info
    }

    static func attribute(_ name: String, int: Int64) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .int
        a.i = int
        return a
    }

    static func attribute(_ name: String, float: Float) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .float
        a.f = float
        return a
    }

    static func attribute(_ name: String, ints: [Int64]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .ints
        a.ints = ints
        return a
    }

    static func attribute(_ name: String, floats: [Float]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .floats
        a.floats = floats
        return a
    }

    static func attribute(_ name: String, strings: [String]) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .strings
        a.strings = strings.map { Data($0.utf8) }
        return a
    }

    static func attribute(_ name: String, string: String) -> Onnx_AttributeProto {
        var a = Onnx_AttributeProto()
        a.name = name
        a.type = .string
        a.s = Data(string.utf8)
        return a
    }

    mutating func node(
        _ op: String, _ inputs: [String], _ outputs: [String], name: String? = nil, domain: String = "",
        attributes: [Onnx_AttributeProto] = []
    ) {
        var n = Onnx_NodeProto()
        n.opType = op
        n.input = inputs
        n.output = outputs
        n.name = name ?? "\(op)_\(nodes.count)"
        n.domain = domain
        n.attribute = attributes
        nodes.append(n)
    }

    mutating func initializer(_ name: String, floats: [Float], dims: [Int64]) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = 1
        t.dims = dims
        t.floatData = floats
        initializers.append(t)
    }

    mutating func initializer(_ name: String, int64s: [Int64], dims: [Int64]) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = 7
        t.dims = dims
        t.int64Data = int64s
        initializers.append(t)
    }

    func proto() -> Onnx_ModelProto {
        var model = Onnx_ModelProto()
        model.irVersion = irVersion
        model.producerName = "tests"
        model.opsetImport = opsets.map { domain, version in
            var o = Onnx_OperatorSetIdProto()
            o.domain = domain
            o.version = version
            return o
        }
        var graph = Onnx_GraphProto()
        graph.name = "test"
        graph.node = nodes
        graph.initializer = initializers
        graph.input = inputs
        graph.output = outputs
        model.graph = graph
        return model
    }

    func data() throws -> Data { try proto().serializedBytes() }

    func session() throws -> ONNXSession { try ONNXSession(data: try data()) }
}

/// Runs `body` and returns the `ModelRuntimeError` it throws (`nil` if it does not throw); any other error type
/// is reported as a test failure by the caller.
func runtimeError(_ body: () throws -> Void) -> ModelRuntimeError? {
    do {
        try body()
        return nil
    } catch let error as ModelRuntimeError {
        return error
    } catch {
        return ModelRuntimeError(.init(rawValue: "unexpected_error_type"), "\(error)")
    }
}
