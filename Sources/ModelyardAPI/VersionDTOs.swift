import Foundation
public import RegistryCore
import RegistryWire

/// Body of `POST /api/v1/models/{model}/versions`. Give `version` for an explicit number, or `bump`, or neither
/// (the model's default bump).
public struct RegisterVersionRequest: Codable, Sendable {
    public var version: String?
    public var bump: String?
    public var status: String?
    public var description: String?
    public var tags: [String: String]?
    public var framework: String?
    public var baseModel: String?
    public var sourceURI: String?
    public var gitCommit: String?
    public var params: [String: JSONValue]?
    public var scores: [String: Double]?
    public var datasets: [DatasetRef]?
    public var durationSeconds: Double?
    public var cost: Double?
    public var hardware: String?
    /// When the model was trained (ISO 8601); the validation policy's age rule reads it.
    public var trainedAt: Date?
    public var signature: JSONValue?
    public var parents: [ParentReference]?
    public var runID: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case version, bump, status, description, tags, framework, params, scores, datasets, cost, hardware
        case signature, parents
        case baseModel = "base_model"
        case sourceURI = "source_uri"
        case gitCommit = "git_commit"
        case durationSeconds = "duration_seconds"
        case runID = "run_id"
        case trainedAt = "trained_at"
    }

    package func domain(model: ModelName) throws -> NewVersion {
        if version != nil && bump != nil {
            throw RegistryError.invalidArgument("give either version or bump, not both")
        }
        let request: VersionRequest?
        if let version {
            request = .explicit(try SemanticVersion(parsing: version))
        } else if let bump {
            request = .bump(try VersionBump(parsing: bump))
        } else {
            request = nil
        }
        return NewVersion(
            request: request, status: try status.map(VersionStatus.init(parsing:)) ?? .draft,
            description: description ?? "", tags: tags ?? [:], framework: framework, baseModel: baseModel,
            sourceURI: sourceURI, gitCommit: gitCommit, params: params ?? [:], scores: scores ?? [:],
            datasets: datasets ?? [], durationSeconds: durationSeconds, cost: cost, hardware: hardware,
            signature: signature, parents: try (parents ?? []).map { try $0.key(defaultModel: model) }, runID: runID,
            trainedAt: trainedAt)
    }
}

/// A parent version: `{"model": "m", "version": "1.0.0"}`; `model` defaults to the registering model.
public struct ParentReference: Codable, Sendable {
    public var model: String?
    public var version: String

    public init(model: String?, version: String) {
        self.model = model
        self.version = version
    }

    func key(defaultModel: ModelName) throws -> VersionKey {
        VersionKey(
            model: try model.map(ModelName.init(validating:)) ?? defaultModel,
            version: try SemanticVersion(parsing: version))
    }
}

/// Body of `PATCH .../versions/{version}`.
public struct UpdateVersionRequest: Codable, Sendable, KnownFields {
    public var description: String?
    public var tags: [String: String]?
    public var status: String?
    public var reason: String?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case description, tags, status, reason
    }

    public init(description: String? = nil, tags: [String: String]? = nil, status: String? = nil, reason: String? = nil) {
        self.description = description
        self.tags = tags
        self.status = status
        self.reason = reason
    }

    package func domain() throws -> VersionPatch {
        VersionPatch(description: description, tags: tags, status: try status.map(VersionStatus.init(parsing:)))
    }
}

/// A version with where it serves and, for single-version reads, its artifacts.
public struct VersionResponse: Codable, Sendable {
    public var version: ModelVersion
    public var environments: [EnvironmentName]
    public var artifacts: [ArtifactEntry]?

    enum CodingKeys: String, CodingKey {
        case environments, artifacts
    }

    package init(_ version: ModelVersion, aliases: [AliasPointer], artifacts: [ArtifactEntry]? = nil) {
        self.version = version
        self.environments = aliases.filter { $0.version == version.version }.map(\.environment)
        self.artifacts = artifacts
    }

    public init(from decoder: any Decoder) throws {
        version = try ModelVersion(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        environments = try c.decodeIfPresent([EnvironmentName].self, forKey: .environments) ?? []
        artifacts = try c.decodeIfPresent([ArtifactEntry].self, forKey: .artifacts)
    }

    public func encode(to encoder: any Encoder) throws {
        try version.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(environments, forKey: .environments)
        try c.encodeIfPresent(artifacts, forKey: .artifacts)
    }
}

public struct VersionListResponse: Codable, Sendable {
    public var versions: [VersionResponse]
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case versions
        case nextPageToken = "next_page_token"
    }
    package init(versions: [VersionResponse], nextPageToken: String? = nil) {
        self.versions = versions
        self.nextPageToken = nextPageToken
    }
}

/// Body of `PUT .../scores`.
public struct ScoresRequest: Codable, Sendable {
    public var scores: [String: Double]
    /// `merge` (default) keeps scores not named; `replace` drops them.
    public var mode: String?
    public var reason: String?

    public init(scores: [String: Double], mode: String? = nil, reason: String? = nil) {
        self.scores = scores
        self.mode = mode
        self.reason = reason
    }

    package func updateMode() throws -> ScoreUpdateMode {
        guard let mode else { return .merge }
        guard let parsed = ScoreUpdateMode(rawValue: mode.lowercased()) else {
            throw RegistryError.invalidArgument("mode must be merge or replace")
        }
        return parsed
    }
}

public struct ScoresResponse: Codable, Sendable {
    public var scores: [String: Double]
    public var changes: [ScoreChange]
    package init(scores: [String: Double], changes: [ScoreChange]) {
        self.scores = scores
        self.changes = changes
    }
}

/// An optional reason, the body of actions like mark-best and delete.
public struct ReasonRequest: Codable, Sendable {
    public var reason: String?

    public init(reason: String? = nil) { self.reason = reason }
}

public struct ArtifactListResponse: Codable, Sendable {
    public var artifacts: [ArtifactEntry]
    package init(artifacts: [ArtifactEntry]) {
        self.artifacts = artifacts
    }
}
