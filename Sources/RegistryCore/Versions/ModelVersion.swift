import Foundation

/// One immutable, semantically versioned release of a model, with everything needed to judge and reproduce it.
public struct ModelVersion: Sendable, Equatable {
    public var model: ModelName
    public var version: SemanticVersion
    public var status: VersionStatus
    public var description: String
    public var tags: [String: String]
    public var framework: String?
    public var baseModel: String?
    public var sourceURI: String?
    public var gitCommit: String?
    /// Training configuration, kept as given.
    public var params: [String: JSONValue]
    /// Named evaluation scores (accuracy, f1, loss, latency_ms, ...).
    public var scores: [String: Double]
    public var datasets: [DatasetRef]
    public var durationSeconds: Double?
    public var cost: Double?
    public var hardware: String?
    /// When the model was trained, if the version says (import takes it from the training metadata).
    public var trainedAt: Date?
    /// The input/output signature, when known.
    public var signature: JSONValue?
    /// Versions (of any model) this one was derived from.
    public var parents: [VersionKey]
    /// The training run whose metric series are this version's training history.
    public var runID: String?
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date
    /// The registration number: 1, 2, 3, ... per model in registration order, never reused. It is the version's
    /// MLflow name (`models:/fraud/3`), as `version` is its semantic name (`models:/fraud/1.2.0` here).
    public var number: Int64
    /// The MLflow stage label (`None`, `Staging`, `Production`, `Archived`), kept for MLflow clients.
    public var stage: VersionStage
    /// Whether and how the model server can serve this version; `nil` until its artifacts were inspected.
    public var serving: ServingInfo?

    public var key: VersionKey { VersionKey(model: model, version: version) }

    public init(
        model: ModelName, version: SemanticVersion, status: VersionStatus = .draft, description: String = "",
        tags: [String: String] = [:], framework: String? = nil, baseModel: String? = nil, sourceURI: String? = nil,
        gitCommit: String? = nil, params: [String: JSONValue] = [:], scores: [String: Double] = [:],
        datasets: [DatasetRef] = [], durationSeconds: Double? = nil, cost: Double? = nil, hardware: String? = nil,
        signature: JSONValue? = nil, parents: [VersionKey] = [], runID: String? = nil, createdBy: String = "",
        createdAt: Date, updatedAt: Date, number: Int64 = 0, stage: VersionStage = .none,
        serving: ServingInfo? = nil, trainedAt: Date? = nil
    ) {
        self.model = model
        self.version = version
        self.status = status
        self.description = description
        self.tags = tags
        self.framework = framework
        self.baseModel = baseModel
        self.sourceURI = sourceURI
        self.gitCommit = gitCommit
        self.params = params
        self.scores = scores
        self.datasets = datasets
        self.durationSeconds = durationSeconds
        self.cost = cost
        self.hardware = hardware
        self.signature = signature
        self.parents = parents
        self.runID = runID
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.number = number
        self.stage = stage
        self.serving = serving
        self.trainedAt = trainedAt
    }
}

/// MLflow's legacy stage label of a version. Input is case-insensitive; the stored form is canonical.
public enum VersionStage: String, Sendable, Codable, CaseIterable {
    case none = "None"
    case staging = "Staging"
    case production = "Production"
    case archived = "Archived"

    public init(parsing text: String) throws {
        guard let stage = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw RegistryError.invalidArgument(
                "stage '\(text.prefix(40))' is invalid; use one of None, Staging, Production, Archived")
        }
        self = stage
    }
}
