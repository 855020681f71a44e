import Foundation

/// An `InferenceSession` for ONNX models, planned once at load.
///
/// Loading checks everything up front (IR and opset versions, every operator, attribute and type) and throws
/// a `ModelRuntimeError` naming the node at fault, so a model that loads will not fail on an unsupported
/// feature at prediction time. `run` is thread-safe.
public struct ONNXSession: InferenceSession {
    /// See `InferenceSession.signature`.
    public let signature: ModelSignature
    /// See `InferenceSession.metadata`.
    public let metadata: ModelMetadata
    let plan: ExecutionPlan

    /// Loads a model from a file.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelRuntimeError.invalidModel("cannot read the model file '\(url.lastPathComponent)'")
        }
        try self.init(data: data)
    }

    /// Loads a model from its serialized bytes.
    public init(data: Data) throws {
        try self.init(proto: try ONNXModelFile.parse(data))
    }

    /// Plans a model already in memory (a graph built from weights, such as `BertEncoder`'s).
    init(proto: Onnx_ModelProto) throws {
        let opsets = try OpsetTable(proto.opsetImport)
        let planned = try GraphPlanner(opsets: opsets).plan(proto.graph, outer: nil, label: "graph")
        plan = planned.plan
        metadata = ONNXModelFile.metadata(proto, operatorCounts: ONNXModelFile.operatorCounts(proto.graph))
        let inputTypes = Dictionary(planned.inputs.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        let outputTypes = Dictionary(planned.outputs.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        let inputNames = Set(planned.inputs.map(\.name))
        signature = ModelSignature(
            inputs: proto.graph.input.filter { inputNames.contains($0.name) }.compactMap {
                ONNXModelFile.declaredValue($0, inferred: inputTypes[$0.name])
            },
            outputs: proto.graph.output.compactMap { ONNXModelFile.declaredValue($0, inferred: outputTypes[$0.name]) },
            classLabels: ONNXModelFile.classLabels(proto.graph))
        try Self.checkDeclaredShapes(signature)
    }

    /// Runs the model; see `InferenceSession.run(_:)`.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        var positional: [Tensor] = []
        positional.reserveCapacity(signature.inputs.count)
        for spec in signature.inputs {
            guard let tensor = inputs[spec.name] else {
                let names = signature.inputs.map(\.name).joined(separator: ", ")
                throw ModelRuntimeError.invalidInput("missing input '\(spec.name)' (model inputs: \(names))")
            }
            try Self.check(tensor, against: spec)
            positional.append(tensor)
        }
        if inputs.count > signature.inputs.count {
            let known = Set(signature.inputs.map(\.name))
            if let extra = inputs.keys.sorted().first(where: { !known.contains($0) }) {
                let names = signature.inputs.map(\.name).joined(separator: ", ")
                throw ModelRuntimeError.invalidInput("unknown input '\(extra)' (model inputs: \(names))")
            }
        }
        let outputs: [Tensor]
        do {
            outputs = try plan.run(positional)
        } catch let error as ModelRuntimeError where error.code != .tooLarge {
            throw ModelRuntimeError(.executionFailed, error.message)
        }
        var result: [String: Tensor] = Dictionary(minimumCapacity: outputs.count)
        for (spec, value) in zip(signature.outputs, outputs) { result[spec.name] = value }
        return result
    }

    /// Declared input shapes are what the warm-up, benchmarks and request decoders build tensors from: a fixed
    /// dimension of 2^40 is refused here, with the input named, instead of trapping or exhausting memory later.
    static func checkDeclaredShapes(_ signature: ModelSignature) throws {
        for value in signature.inputs {
            guard let dims = value.shape else { continue }
            let fixed = dims.map { dim -> Int in if case .fixed(let n) = dim { n } else { 1 } }
            guard fixed.allSatisfy({ $0 >= 0 }), Tensor.elementCount(fixed) != nil else {
                throw ModelRuntimeError(
                    .tooLarge,
                    "input '\(value.name)' declares shape [\(dims.map(\.description).joined(separator: ", "))], more "
                        + "than the \(Tensor.maxElements) elements a tensor may have (or a negative dimension)")
            }
        }
    }

    static func check(_ tensor: Tensor, against spec: ModelSignature.Value) throws {
        guard tensor.elementType == spec.elementType else {
            throw ModelRuntimeError.invalidInput(
                "input '\(spec.name)' has type \(tensor.elementType.onnxName), the model expects "
                    + "\(spec.elementType.onnxName)")
        }
        guard let dims = spec.shape else { return }
        guard dims.count == tensor.rank else {
            throw ModelRuntimeError.invalidInput(
                "input '\(spec.name)' has shape \(tensor.shape), the model expects rank \(dims.count) "
                    + "[\(dims.map(\.description).joined(separator: ", "))]")
        }
        for (i, dim) in dims.enumerated() {
            if case .fixed(let n) = dim, n != tensor.shape[i] {
                throw ModelRuntimeError.invalidInput(
                    "input '\(spec.name)' has shape \(tensor.shape), the model expects "
                        + "[\(dims.map(\.description).joined(separator: ", "))]")
            }
        }
    }
}
