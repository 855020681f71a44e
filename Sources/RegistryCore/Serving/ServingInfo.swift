import Foundation

/// What the model server knows about serving a version: which of its artifacts is the model, whether the runtime
/// can execute it, and if not, why. Recorded when the version's artifacts are registered.
public struct ServingInfo: Sendable, Equatable {
    /// The runtime that would execute the model (`onnx`, `scikit-learn`).
    public var runtime: String
    /// The manifest path of the model file, when the version has one.
    public var artifact: ArtifactPath?
    /// The model file's sha256 (checked again on every load).
    public var sha256: BlobDigest?
    /// Whether the runtime can serve the version.
    public var servable: Bool
    /// A stable code for why it cannot (`no_model`, `ambiguous_model`, `unsupported_operator`, ...).
    public var reasonCode: String?
    /// What is wrong and what to do about it.
    public var reason: String?
    /// Input and output names, types, shapes and class labels, read from the model file.
    public var signature: JSONValue?
    public var inspectedAt: Date

    public init(
        runtime: String = "onnx", artifact: ArtifactPath?, sha256: BlobDigest?, servable: Bool,
        reasonCode: String? = nil, reason: String? = nil, signature: JSONValue? = nil, inspectedAt: Date
    ) {
        self.runtime = runtime
        self.artifact = artifact
        self.sha256 = sha256
        self.servable = servable
        self.reasonCode = reasonCode
        self.reason = reason
        self.signature = signature
        self.inspectedAt = inspectedAt
    }
}
