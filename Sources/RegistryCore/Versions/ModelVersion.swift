import Foundation

/// One immutable, semantically versioned release of a model, with everything needed to judge and reproduce it.
public struct ModelVersion: Sendable, Equatable, Codable {
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
    /// The input/output signature, when known.
    public var signature: JSONValue?
    /// Versions (of any model) this one was derived from.
    public var parents: [VersionKey]
    /// The training run whose metric series are this version's training history.
    public var runID: String?
    public var createdBy: String
    public var createdAt: Date
    public var updatedAt: Date

    public var key: VersionKey { VersionKey(model: model, version: version) }

    public init(
        model: ModelName, version: SemanticVersion, status: VersionStatus = .draft, description: String = "",
        tags: [String: String] = [:], framework: String? = nil, baseModel: String? = nil, sourceURI: String? = nil,
        gitCommit: String? = nil, params: [String: JSONValue] = [:], scores: [String: Double] = [:],
        datasets: [DatasetRef] = [], durationSeconds: Double? = nil, cost: Double? = nil, hardware: String? = nil,
        signature: JSONValue? = nil, parents: [VersionKey] = [], runID: String? = nil, createdBy: String = "",
        createdAt: Date, updatedAt: Date
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
    }

    enum CodingKeys: String, CodingKey {
        case model, version, status, description, tags, framework, params, scores, datasets, cost, hardware
        case signature, parents
        case baseModel = "base_model"
        case sourceURI = "source_uri"
        case gitCommit = "git_commit"
        case durationSeconds = "duration_seconds"
        case runID = "run_id"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}
