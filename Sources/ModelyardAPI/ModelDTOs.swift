import Foundation
public import RegistryCore
import RegistryWire

/// Body of `POST /api/v1/models`.
public struct CreateModelRequest: Codable, Sendable {
    public var name: String
    public var description: String?
    public var owner: String?
    public var task: String?
    public var tags: [String: String]?
    public var primaryMetric: String?
    public var metricDirection: String?
    public var defaultBump: String?
    public var deprecateOnReplace: Bool?
    /// Which way is better per metric: `{"p99_ms": "min", "recall": "max"}`.
    public var metricDirections: [String: String]?

    public init(
        name: String, description: String? = nil, owner: String? = nil, task: String? = nil,
        tags: [String: String]? = nil, primaryMetric: String? = nil, metricDirection: String? = nil,
        defaultBump: String? = nil, deprecateOnReplace: Bool? = nil, metricDirections: [String: String]? = nil
    ) {
        self.name = name
        self.description = description
        self.owner = owner
        self.task = task
        self.tags = tags
        self.primaryMetric = primaryMetric
        self.metricDirection = metricDirection
        self.defaultBump = defaultBump
        self.deprecateOnReplace = deprecateOnReplace
        self.metricDirections = metricDirections
    }

    enum CodingKeys: String, CodingKey {
        case name, description, owner, task, tags
        case primaryMetric = "primary_metric"
        case metricDirection = "metric_direction"
        case defaultBump = "default_bump"
        case deprecateOnReplace = "deprecate_on_replace"
        case metricDirections = "metric_directions"
    }

    package func domain() throws -> NewModel {
        NewModel(
            name: try ModelName(validating: name), description: description ?? "", owner: owner ?? "",
            task: task ?? "", tags: tags ?? [:], primaryMetric: primaryMetric,
            metricDirection: try metricDirection.map(MetricDirection.init(parsing:)) ?? .maximize,
            defaultBump: try defaultBump.map(VersionBump.init(parsing:)) ?? .minor,
            deprecateOnReplace: deprecateOnReplace ?? true,
            metricDirections: try (metricDirections ?? [:]).mapValues(MetricDirection.init(parsing:)))
    }
}

/// Body of `PATCH /api/v1/models/{model}`: only the keys present change; `"primary_metric": null` clears it.
public struct UpdateModelRequest: Codable, Sendable, KnownFields {
    public var description: String?
    public var owner: String?
    public var task: String?
    public var tags: [String: String]?
    public var primaryMetric: String??
    public var metricDirection: String?
    public var defaultBump: String?
    public var deprecateOnReplace: Bool?
    /// Replaces the declared metric directions.
    public var metricDirections: [String: String]?
    /// Why (recorded in the audit log; the `X-Modelyard-Reason` header is the alternative).
    public var reason: String?

    public init(
        description: String? = nil, owner: String? = nil, task: String? = nil, tags: [String: String]? = nil,
        primaryMetric: String?? = nil, metricDirection: String? = nil, defaultBump: String? = nil,
        deprecateOnReplace: Bool? = nil, metricDirections: [String: String]? = nil, reason: String? = nil
    ) {
        self.description = description
        self.owner = owner
        self.task = task
        self.tags = tags
        self.primaryMetric = primaryMetric
        self.metricDirection = metricDirection
        self.defaultBump = defaultBump
        self.deprecateOnReplace = deprecateOnReplace
        self.metricDirections = metricDirections
        self.reason = reason
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case description, owner, task, tags, reason
        case primaryMetric = "primary_metric"
        case metricDirection = "metric_direction"
        case defaultBump = "default_bump"
        case deprecateOnReplace = "deprecate_on_replace"
        case metricDirections = "metric_directions"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
        task = try c.decodeIfPresent(String.self, forKey: .task)
        tags = try c.decodeIfPresent([String: String].self, forKey: .tags)
        if c.contains(.primaryMetric) {
            primaryMetric = .some(try c.decodeNil(forKey: .primaryMetric) ? nil : c.decode(String.self, forKey: .primaryMetric))
        }
        metricDirection = try c.decodeIfPresent(String.self, forKey: .metricDirection)
        defaultBump = try c.decodeIfPresent(String.self, forKey: .defaultBump)
        deprecateOnReplace = try c.decodeIfPresent(Bool.self, forKey: .deprecateOnReplace)
        metricDirections = try c.decodeIfPresent([String: String].self, forKey: .metricDirections)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encodeIfPresent(owner, forKey: .owner)
        try c.encodeIfPresent(task, forKey: .task)
        try c.encodeIfPresent(tags, forKey: .tags)
        if let primaryMetric { try c.encode(primaryMetric, forKey: .primaryMetric) }
        try c.encodeIfPresent(metricDirection, forKey: .metricDirection)
        try c.encodeIfPresent(defaultBump, forKey: .defaultBump)
        try c.encodeIfPresent(deprecateOnReplace, forKey: .deprecateOnReplace)
        try c.encodeIfPresent(metricDirections, forKey: .metricDirections)
        try c.encodeIfPresent(reason, forKey: .reason)
    }

    package func domain() throws -> ModelPatch {
        ModelPatch(
            description: description, owner: owner, task: task, tags: tags, primaryMetric: primaryMetric,
            metricDirection: try metricDirection.map(MetricDirection.init(parsing:)),
            defaultBump: try defaultBump.map(VersionBump.init(parsing:)), deprecateOnReplace: deprecateOnReplace,
            metricDirections: try metricDirections?.mapValues(MetricDirection.init(parsing:)))
    }
}

/// A model with its latest, best and deployed versions (`GET /api/v1/models/{model}`).
public struct ModelDetailsResponse: Codable, Sendable {
    public var model: RegisteredModel
    public var latestVersion: ModelVersion?
    public var best: BestVersion?
    /// Environment → version.
    public var deployed: [String: SemanticVersion]

    enum CodingKeys: String, CodingKey {
        case latestVersion = "latest_version"
        case best, deployed
    }

    package init(_ details: ModelDetails) {
        model = details.model
        latestVersion = details.latest
        best = details.best
        deployed = Dictionary(uniqueKeysWithValues: details.deployed.map { ($0.environment.rawValue, $0.version) })
    }

    public init(from decoder: any Decoder) throws {
        model = try RegisteredModel(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        latestVersion = try c.decodeIfPresent(ModelVersion.self, forKey: .latestVersion)
        best = try c.decodeIfPresent(BestVersion.self, forKey: .best)
        deployed = try c.decodeIfPresent([String: SemanticVersion].self, forKey: .deployed) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        try model.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(latestVersion, forKey: .latestVersion)
        try c.encode(best, forKey: .best)
        try c.encode(deployed, forKey: .deployed)
    }
}

/// A page of models.
public struct ModelListResponse: Codable, Sendable {
    public var models: [RegisteredModel]
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case models
        case nextPageToken = "next_page_token"
    }
    package init(models: [RegisteredModel], nextPageToken: String? = nil) {
        self.models = models
        self.nextPageToken = nextPageToken
    }
}
