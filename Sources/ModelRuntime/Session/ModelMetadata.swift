/// Descriptive facts from an ONNX file's header.
public struct ModelMetadata: Sendable, Equatable, Codable {
    /// ONNX IR version.
    public var irVersion: Int
    /// Operator-set version per domain (`""` is the default domain, `ai.onnx.ml` the ML domain).
    public var opsets: [String: Int]
    /// Tool that wrote the file, e.g. `skl2onnx`.
    public var producerName: String
    /// Version of that tool.
    public var producerVersion: String
    /// Model domain, often empty.
    public var domain: String
    /// Model version number from the file.
    public var modelVersion: Int
    /// Free-text documentation.
    public var docString: String
    /// Key/value metadata properties.
    public var properties: [String: String]
    /// Number of nodes per `domain:Op` in the main graph (`ai.onnx:Add`, `ai.onnx.ml:TreeEnsembleRegressor`).
    public var operatorCounts: [String: Int]

    /// Creates metadata (other model formats describe themselves with it too: a joblib file's producer is
    /// `scikit-learn`, its "operators" its estimators).
    public init(
        irVersion: Int, opsets: [String: Int], producerName: String, producerVersion: String, domain: String,
        modelVersion: Int, docString: String, properties: [String: String], operatorCounts: [String: Int]
    ) {
        self.irVersion = irVersion
        self.opsets = opsets
        self.producerName = producerName
        self.producerVersion = producerVersion
        self.domain = domain
        self.modelVersion = modelVersion
        self.docString = docString
        self.properties = properties
        self.operatorCounts = operatorCounts
    }

    /// Total number of nodes in the main graph.
    public var nodeCount: Int { operatorCounts.values.reduce(0, +) }
}
