public import RegistryCore

/// Why a version cannot be served, with a stable code (`ServingInfo.reasonCode`).
public struct ServingProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func noModel(_ version: SemanticVersion) -> Self {
        Self("no_model", "version \(version) has no model file; upload model.onnx or a scikit-learn model.joblib to serve it")
    }

    static func ambiguous(_ version: SemanticVersion, _ paths: [ArtifactPath]) -> Self {
        Self(
            "ambiguous_model",
            "version \(version) has several model files (\(paths.map(\.rawValue).joined(separator: ", "))); "
                + "name the one to serve model.onnx (or model.joblib)")
    }
}
