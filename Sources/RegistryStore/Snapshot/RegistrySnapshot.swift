public import Foundation
public import RegistryCore

/// The whole registry's metadata as one value: what export writes and import reads. Blobs travel beside it.
public struct RegistrySnapshot: Sendable, Equatable, Codable {
    /// Bumped when the format changes incompatibly.
    public static let currentFormat = 1

    public var format: Int
    public var exportedAt: Date
    public var models: [ModelSnapshot]
    public var runs: [RunSnapshot]

    public init(format: Int = currentFormat, exportedAt: Date, models: [ModelSnapshot], runs: [RunSnapshot]) {
        self.format = format
        self.exportedAt = exportedAt
        self.models = models
        self.runs = runs
    }

    /// Every blob the snapshot's manifests reference.
    public var digests: Set<BlobDigest> {
        Set(models.flatMap { $0.versions.flatMap { $0.artifacts.map(\.sha256) } })
    }

    enum CodingKeys: String, CodingKey {
        case format, models, runs
        case exportedAt = "exported_at"
    }
}

public struct ModelSnapshot: Sendable, Equatable, Codable {
    public var model: RegisteredModel
    public var versions: [VersionSnapshot]
    public var aliases: [AliasPointer]
    public var deployments: [Deployment]
    public var audit: [AuditEntry]

    public init(
        model: RegisteredModel, versions: [VersionSnapshot], aliases: [AliasPointer], deployments: [Deployment],
        audit: [AuditEntry]
    ) {
        self.model = model
        self.versions = versions
        self.aliases = aliases
        self.deployments = deployments
        self.audit = audit
    }
}

public struct VersionSnapshot: Sendable, Equatable, Codable {
    public var version: ModelVersion
    public var artifacts: [ArtifactEntry]
    public var scoreChanges: [ScoreChange]

    public init(version: ModelVersion, artifacts: [ArtifactEntry], scoreChanges: [ScoreChange]) {
        self.version = version
        self.artifacts = artifacts
        self.scoreChanges = scoreChanges
    }

    enum CodingKeys: String, CodingKey {
        case version, artifacts
        case scoreChanges = "score_changes"
    }
}

/// A training run and its metric series.
public struct RunSnapshot: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var createdAt: Date
    public var metrics: [MetricPoint]

    public init(id: String, name: String, createdAt: Date, metrics: [MetricPoint]) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.metrics = metrics
    }

    enum CodingKeys: String, CodingKey {
        case id, name, metrics
        case createdAt = "created_at"
    }
}
