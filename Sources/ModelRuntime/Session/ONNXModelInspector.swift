import Foundation

/// What `ONNXModelInspector` reports about a file: header facts, signature, operators and whether this
/// runtime can serve it.
public struct ONNXModelReport: Sendable, Codable, Equatable {
    /// One operator type used by the main graph.
    public struct OperatorUsage: Sendable, Codable, Equatable {
        /// `domain:Op`, e.g. `ai.onnx.ml:TreeEnsembleClassifier`.
        public var name: String
        /// Number of nodes using it.
        public var count: Int
        /// Whether this runtime implements it at the model's opset.
        public var supported: Bool
    }

    /// Header facts.
    public var metadata: ModelMetadata
    /// The signature (inferred types when the model loads, declared ones otherwise).
    public var signature: ModelSignature
    /// Operators by name.
    public var operators: [OperatorUsage]
    /// Whether the model loads and can be run.
    public var supported: Bool
    /// The load error code when it cannot, e.g. `unsupported_operator`.
    public var errorCode: String?
    /// The load error message when it cannot.
    public var errorMessage: String?
}

/// Describes ONNX files, including ones this runtime refuses (registration uses this to explain a refusal).
public enum ONNXModelInspector {
    /// Inspects a model.
    /// - Throws: `ModelRuntimeError` only when the bytes are not a readable ONNX model at all.
    public static func inspect(data: Data) throws -> ONNXModelReport {
        let proto = try ONNXModelFile.parse(data, checkVersion: false)
        let counts = ONNXModelFile.operatorCounts(proto.graph)
        let metadata = ONNXModelFile.metadata(proto, operatorCounts: counts)
        var versions: [String: Int] = [:]
        for (domain, version) in metadata.opsets { versions[domain.isEmpty ? "ai.onnx" : domain] = version }
        let operators = counts.keys.sorted().map { name -> ONNXModelReport.OperatorUsage in
            let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
            let domain = parts[0] == "ai.onnx" ? "" : parts[0]
            let opset =
                versions[parts[0]]
                ?? (domain == OpsetTable.mlDomain ? OpsetTable.assumedMLVersion : OpsetTable.assumedStandardVersion)
            return .init(
                name: name, count: counts[name] ?? 0,
                supported: OperatorRegistry.supports(domain: domain, name: parts.count > 1 ? parts[1] : "", opset: opset))
        }
        do {
            let session = try ONNXSession(data: data)
            return ONNXModelReport(
                metadata: metadata, signature: session.signature, operators: operators, supported: true, errorCode: nil,
                errorMessage: nil)
        } catch let error as ModelRuntimeError {
            let initializers = Set(proto.graph.initializer.map(\.name))
            let signature = ModelSignature(
                inputs: proto.graph.input.filter { !initializers.contains($0.name) }.compactMap {
                    ONNXModelFile.declaredValue($0, inferred: nil)
                },
                outputs: proto.graph.output.compactMap { ONNXModelFile.declaredValue($0, inferred: nil) },
                classLabels: ONNXModelFile.classLabels(proto.graph))
            return ONNXModelReport(
                metadata: metadata, signature: signature, operators: operators, supported: false,
                errorCode: error.code.rawValue, errorMessage: error.message)
        }
    }
}
