public import Foundation
public import DriftStatistics
public import RegistryCore
import RegistryWire

/// The whole registry's metadata as one value: what export writes and import reads. Blobs travel beside it.
public struct RegistrySnapshot: Sendable, Equatable, Codable {
    /// Bumped when the format changes incompatibly.
    public static let currentFormat = 1

    public var format: Int
    public var exportedAt: Date
    public var models: [ModelSnapshot]
    public var runs: [RunSnapshot]
    /// Experiments, logged models and the artifact proxy's files (absent in exports made before tracking).
    public var tracking: TrackingSnapshot?
    /// Every training-folder import attempt, oldest first (absent in exports made before imports).
    public var imports: [ImportRecord]?
    /// Registered benchmark suites; their files travel as blobs (absent in exports made before suites).
    public var suites: [BenchmarkSuite]?

    public init(
        format: Int = currentFormat, exportedAt: Date, models: [ModelSnapshot], runs: [RunSnapshot],
        tracking: TrackingSnapshot? = nil, imports: [ImportRecord]? = nil, suites: [BenchmarkSuite]? = nil
    ) {
        self.suites = suites
        self.format = format
        self.exportedAt = exportedAt
        self.models = models
        self.runs = runs
        self.tracking = tracking
        self.imports = imports
    }

    /// Every blob the snapshot's manifests reference.
    public var digests: Set<BlobDigest> {
        Set(models.flatMap { $0.versions.flatMap { $0.artifacts.map(\.sha256) } })
            .union((tracking?.files ?? []).map(\.sha256))
            .union((suites ?? []).map(\.sha256))
    }

    enum CodingKeys: String, CodingKey {
        case format, models, runs, tracking, imports, suites
        case exportedAt = "exported_at"
    }
}

public struct ModelSnapshot: Sendable, Equatable, Codable {
    public var model: RegisteredModel
    public var versions: [VersionSnapshot]
    public var aliases: [AliasPointer]
    public var deployments: [Deployment]
    public var audit: [AuditEntry]
    /// The highest version the model ever had, deleted ones included (absent in exports made before it was kept).
    public var highestVersion: SemanticVersion?
    /// Every revision of the model's validation policy, oldest first (absent in exports made before policies).
    public var policies: [PolicyRevision]?
    /// Automatic-rollback limits, when the model set them.
    public var servingLimits: ServingLimits?
    /// Traffic policy per environment (environment name to policy).
    public var traffic: [String: TrafficPolicy]?
    /// Drift settings, when the model set them.
    public var driftSettings: DriftSettings?
    /// Webhooks with their secrets (an export is an admin's backup); deliveries stay behind.
    public var webhooks: [WebhookSnapshot]?

    public init(
        model: RegisteredModel, versions: [VersionSnapshot], aliases: [AliasPointer], deployments: [Deployment],
        audit: [AuditEntry], highestVersion: SemanticVersion? = nil, policies: [PolicyRevision]? = nil,
        servingLimits: ServingLimits? = nil, traffic: [String: TrafficPolicy]? = nil, driftSettings: DriftSettings? = nil,
        webhooks: [WebhookSnapshot]? = nil
    ) {
        self.driftSettings = driftSettings
        self.webhooks = webhooks
        self.model = model
        self.versions = versions
        self.aliases = aliases
        self.deployments = deployments
        self.audit = audit
        self.highestVersion = highestVersion
        self.policies = policies
        self.servingLimits = servingLimits
        self.traffic = traffic
    }

    enum CodingKeys: String, CodingKey {
        case model, versions, aliases, deployments, audit, policies, traffic, webhooks
        case highestVersion = "highestVersion"
        case servingLimits = "serving_limits"
        case driftSettings = "drift_settings"
    }
}

public struct VersionSnapshot: Sendable, Equatable, Codable {
    public var version: ModelVersion
    public var artifacts: [ArtifactEntry]
    public var scoreChanges: [ScoreChange]
    /// Every verdict reached on the version, oldest first (absent in exports made before validation).
    public var validations: [ValidationReport]?
    /// The version's drift reference (absent in exports made before drift, or when it has none).
    public var driftReference: DriftReferenceSnapshot?
    /// The benchmarks the server ran on the version, oldest first (absent in exports made before they travelled).
    public var benchmarks: [BenchmarkReport]?

    public init(
        version: ModelVersion, artifacts: [ArtifactEntry], scoreChanges: [ScoreChange],
        validations: [ValidationReport]? = nil, driftReference: DriftReferenceSnapshot? = nil,
        benchmarks: [BenchmarkReport]? = nil
    ) {
        self.driftReference = driftReference
        self.benchmarks = benchmarks
        self.version = version
        self.artifacts = artifacts
        self.scoreChanges = scoreChanges
        self.validations = validations
    }

    enum CodingKeys: String, CodingKey {
        case version, artifacts, validations, benchmarks
        case scoreChanges = "score_changes"
        case driftReference = "drift_reference"
    }
}

/// A webhook in an export.
public struct WebhookSnapshot: Sendable, Equatable, Codable {
    public var url: String
    public var events: [WebhookEvent]
    public var secret: String
    public var createdAt: Date
    public var createdBy: String

    public init(url: String, events: [WebhookEvent], secret: String, createdAt: Date, createdBy: String) {
        self.url = url
        self.events = events
        self.secret = secret
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    enum CodingKeys: String, CodingKey {
        case url, events, secret
        case createdAt = "created_at"
        case createdBy = "created_by"
    }
}

/// A drift reference in an export: the profile's bytes (base64 in JSON) and where it came from.
public struct DriftReferenceSnapshot: Sendable, Equatable, Codable {
    public var source: String
    public var rows: Int
    public var columns: [String]
    public var profile: Data
    public var createdAt: Date
    public var createdBy: String

    public init(source: String, rows: Int, columns: [String], profile: Data, createdAt: Date, createdBy: String) {
        self.source = source
        self.rows = rows
        self.columns = columns
        self.profile = profile
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    enum CodingKeys: String, CodingKey {
        case source, rows, columns, profile
        case createdAt = "created_at"
        case createdBy = "created_by"
    }
}

/// A training run and its metric series; `details` (state, params, tags, inputs, outputs) is absent in exports
/// made before tracking.
public struct RunSnapshot: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var createdAt: Date
    public var metrics: [MetricPoint]
    public var details: Run?

    public init(id: String, name: String, createdAt: Date, metrics: [MetricPoint], details: Run? = nil) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.metrics = metrics
        self.details = details
    }

    enum CodingKeys: String, CodingKey {
        case id, name, metrics, details
        case createdAt = "created_at"
    }
}

/// What MLflow-style tracking adds beyond runs: experiments, logged models and the artifact proxy's files.
public struct TrackingSnapshot: Sendable, Equatable, Codable {
    public var experiments: [Experiment]
    public var loggedModels: [LoggedModel]
    public var files: [TrackedFileEntry]

    public init(experiments: [Experiment], loggedModels: [LoggedModel], files: [TrackedFileEntry]) {
        self.experiments = experiments
        self.loggedModels = loggedModels
        self.files = files
    }

    enum CodingKeys: String, CodingKey {
        case experiments, files
        case loggedModels = "logged_models"
    }
}

/// A file of the artifact proxy in a snapshot.
public struct TrackedFileEntry: Sendable, Equatable, Codable {
    public var path: String
    public var size: Int64
    public var sha256: BlobDigest

    public init(path: String, size: Int64, sha256: BlobDigest) {
        self.path = path
        self.size = size
        self.sha256 = sha256
    }
}
