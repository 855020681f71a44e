import Foundation

/// What a client supplies to register a version. The version number is assigned by the store.
public struct NewVersion: Sendable, Equatable {
    /// `nil` means the model's default bump.
    public var request: VersionRequest?
    public var status: VersionStatus
    public var description: String
    public var tags: [String: String]
    public var framework: String?
    public var baseModel: String?
    public var sourceURI: String?
    public var gitCommit: String?
    public var params: [String: JSONValue]
    public var scores: [String: Double]
    public var datasets: [DatasetRef]
    public var durationSeconds: Double?
    public var cost: Double?
    public var hardware: String?
    /// When the model was trained (the age rule of the validation policy reads it).
    public var trainedAt: Date?
    /// Training history stored with the version, in the registering transaction (an imported folder's history file).
    public var history: [MetricPoint] = []
    public var signature: JSONValue?
    public var parents: [VersionKey]
    public var runID: String?
    /// Files already in the blob store that form the initial manifest (a version registered from logged files).
    public var artifacts: [ArtifactEntry]
    /// The logged model this version was registered from, if any.
    public var loggedModelID: String?
    /// Copy the run's params, git commit (`mlflow.source.git.commit`) and datasets onto the version, read in the
    /// registering transaction (so they are the run's as of the registration, with no separate read).
    public var inheritsRun = false

    public init(
        request: VersionRequest? = nil, status: VersionStatus = .draft, description: String = "",
        tags: [String: String] = [:], framework: String? = nil, baseModel: String? = nil, sourceURI: String? = nil,
        gitCommit: String? = nil, params: [String: JSONValue] = [:], scores: [String: Double] = [:],
        datasets: [DatasetRef] = [], durationSeconds: Double? = nil, cost: Double? = nil, hardware: String? = nil,
        signature: JSONValue? = nil, parents: [VersionKey] = [], runID: String? = nil, artifacts: [ArtifactEntry] = [],
        loggedModelID: String? = nil, trainedAt: Date? = nil
    ) {
        self.request = request
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
        self.artifacts = artifacts
        self.loggedModelID = loggedModelID
        self.trainedAt = trainedAt
    }

    /// Checks every field a client may get wrong, before anything is stored.
    public func validate() throws {
        guard [.draft, .training, .ready].contains(status) else {
            throw RegistryError.invalidArgument("a new version starts as draft, training or ready, not \(status)")
        }
        try FieldLimits.checkTags(tags)
        try FieldLimits.checkDescription(description)
        for (label, value) in [
            ("framework", framework), ("base_model", baseModel), ("hardware", hardware), ("git_commit", gitCommit),
        ] {
            if let value, value.utf8.count > 250 || !NameRules.isPrintable(value) {
                throw RegistryError.invalidArgument("\(label) must be at most 250 printable characters")
            }
        }
        if let sourceURI, sourceURI.utf8.count > 4096 || !NameRules.isPrintable(sourceURI) {
            throw RegistryError.invalidArgument("source_uri must be at most 4096 printable characters")
        }
        guard params.count <= 10_000 else {
            throw RegistryError.invalidArgument("too many params (\(params.count)); at most 10000")
        }
        try ScoreRules.check(scores)
        for dataset in datasets { try dataset.validate() }
        for (label, value) in [("duration_seconds", durationSeconds), ("cost", cost)] {
            if let value, !value.isFinite || value < 0 {
                throw RegistryError.invalidArgument("\(label) must be a finite, non-negative number")
            }
        }
        guard Set(parents).count == parents.count else {
            throw RegistryError.invalidArgument("parents lists the same version twice")
        }
    }
}

/// A partial update of a version: description, tags and status. Everything else is immutable.
public struct VersionPatch: Sendable, Equatable {
    public var description: String?
    public var tags: [String: String]?
    public var status: VersionStatus?

    public init(description: String? = nil, tags: [String: String]? = nil, status: VersionStatus? = nil) {
        self.description = description
        self.tags = tags
        self.status = status
    }

    public func validate() throws {
        if let tags { try FieldLimits.checkTags(tags) }
        try FieldLimits.checkDescription(description)
    }
}

/// Filters for listing versions.
public struct VersionFilter: Sendable, Equatable {
    public var status: VersionStatus?
    public var tag: TagFilter?

    public init(status: VersionStatus? = nil, tag: TagFilter? = nil) {
        self.status = status
        self.tag = tag
    }
}

/// Rules for evaluation scores.
public enum ScoreRules {
    public static let maxScores = 1_000

    public static func check(_ scores: [String: Double]) throws {
        guard scores.count <= maxScores else {
            throw RegistryError.invalidArgument("too many scores (\(scores.count)); at most \(maxScores)")
        }
        for (name, value) in scores {
            try FieldLimits.checkMetricName(name)
            guard value.isFinite else { throw RegistryError.invalidArgument("score '\(name)' must be a finite number") }
        }
    }
}
