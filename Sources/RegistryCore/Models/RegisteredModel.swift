import Foundation

/// A registered model: a unique name and the rules that apply to all of its versions.
public struct RegisteredModel: Sendable, Equatable {
    public var name: ModelName
    public var description: String
    public var owner: String
    /// What the model does: `classification`, `regression`, `anomaly_detection`, `text_embedding`, ...
    public var task: String
    public var tags: [String: String]
    /// The evaluation score that defines "best" (for example `accuracy` or `loss`).
    public var primaryMetric: String?
    /// Whether a higher or a lower primary metric is better.
    public var metricDirection: MetricDirection
    /// Which component a registration bumps when it does not say.
    public var defaultBump: VersionBump
    /// Whether the version a deploy replaces becomes `deprecated`.
    public var deprecateOnReplace: Bool
    /// A version pinned as best with mark-best; overrides the primary metric rule.
    public var pinnedBest: SemanticVersion?
    /// Which way is better, declared per metric (the primary metric's is `metricDirection`); compare, best and the
    /// validation policy read these before guessing from a name.
    public var metricDirections: [String: MetricDirection]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        name: ModelName, description: String = "", owner: String = "", task: String = "",
        tags: [String: String] = [:], primaryMetric: String? = nil, metricDirection: MetricDirection = .maximize,
        defaultBump: VersionBump = .minor, deprecateOnReplace: Bool = true, pinnedBest: SemanticVersion? = nil,
        metricDirections: [String: MetricDirection] = [:], createdAt: Date, updatedAt: Date
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
        self.pinnedBest = pinnedBest
        self.metricDirections = metricDirections
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Which way is better for `metric`: the model's direction for its primary metric, then the one declared for
    /// it, then the usual one for its name.
    public func direction(ofMetric metric: String) -> MetricDirection {
        if metric == primaryMetric { return metricDirection }
        return metricDirections[metric] ?? MetricDirection.inferred(forMetric: metric)
    }
}

/// The fields a client sets when creating a model.
public struct NewModel: Sendable, Equatable {
    public var name: ModelName
    public var description: String
    public var owner: String
    public var task: String
    public var tags: [String: String]
    public var primaryMetric: String?
    public var metricDirection: MetricDirection
    public var defaultBump: VersionBump
    public var deprecateOnReplace: Bool
    public var metricDirections: [String: MetricDirection]

    public init(
        name: ModelName, description: String = "", owner: String = "", task: String = "",
        tags: [String: String] = [:], primaryMetric: String? = nil, metricDirection: MetricDirection = .maximize,
        defaultBump: VersionBump = .minor, deprecateOnReplace: Bool = true,
        metricDirections: [String: MetricDirection] = [:]
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

    /// Checks sizes and names before anything is stored.
    public func validate() throws {
        try FieldLimits.checkTags(tags)
        guard metricDirections.count <= 100 else {
            throw RegistryError.invalidArgument("at most 100 metric directions may be declared")
        }
        for metric in metricDirections.keys { try FieldLimits.checkMetricName(metric) }
        try FieldLimits.checkDescription(description)
        if let primaryMetric { try FieldLimits.checkMetricName(primaryMetric) }
        for (label, value) in [("owner", owner), ("task", task)] where value.utf8.count > 250 || !NameRules.isPrintable(value) {
            throw RegistryError.invalidArgument("\(label) must be at most 250 printable characters")
        }
    }
}

/// A partial update of a model; `nil` leaves a field unchanged.
public struct ModelPatch: Sendable, Equatable {
    public var description: String?
    public var owner: String?
    public var task: String?
    public var tags: [String: String]?
    /// `.some(nil)` clears the primary metric.
    public var primaryMetric: String??
    public var metricDirection: MetricDirection?
    public var defaultBump: VersionBump?
    public var deprecateOnReplace: Bool?
    /// Replaces the declared directions.
    public var metricDirections: [String: MetricDirection]?

    public init(
        description: String? = nil, owner: String? = nil, task: String? = nil, tags: [String: String]? = nil,
        primaryMetric: String?? = nil, metricDirection: MetricDirection? = nil, defaultBump: VersionBump? = nil,
        deprecateOnReplace: Bool? = nil, metricDirections: [String: MetricDirection]? = nil
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
    }

    /// Applies the patch, validating the result as a new model would be.
    public func applied(to model: RegisteredModel, at now: Date) throws -> RegisteredModel {
        var result = model
        if let description { result.description = description }
        if let owner { result.owner = owner }
        if let task { result.task = task }
        if let tags { result.tags = tags }
        if let primaryMetric { result.primaryMetric = primaryMetric }
        if let metricDirection { result.metricDirection = metricDirection }
        if let defaultBump { result.defaultBump = defaultBump }
        if let deprecateOnReplace { result.deprecateOnReplace = deprecateOnReplace }
        if let metricDirections { result.metricDirections = metricDirections }
        try NewModel(
            name: result.name, description: result.description, owner: result.owner, task: result.task,
            tags: result.tags, primaryMetric: result.primaryMetric, metricDirections: result.metricDirections
        ).validate()
        result.updatedAt = now
        return result
    }

    /// Names of the fields this patch changes, for the audit log.
    public var changedFields: [String] {
        var fields: [String] = []
        if description != nil { fields.append("description") }
        if owner != nil { fields.append("owner") }
        if task != nil { fields.append("task") }
        if tags != nil { fields.append("tags") }
        if primaryMetric != nil { fields.append("primary_metric") }
        if metricDirection != nil { fields.append("metric_direction") }
        if defaultBump != nil { fields.append("default_bump") }
        if deprecateOnReplace != nil { fields.append("deprecate_on_replace") }
        if metricDirections != nil { fields.append("metric_directions") }
        return fields
    }
}

/// Filters for listing models.
public struct ModelFilter: Sendable, Equatable {
    /// Case-insensitive substring of the name.
    public var nameContains: String?
    /// `key` (any value) or `key=value`.
    public var tag: TagFilter?

    public init(nameContains: String? = nil, tag: TagFilter? = nil) {
        self.nameContains = nameContains
        self.tag = tag
    }
}

/// A tag condition: the key must be present, and equal `value` when one is given.
public struct TagFilter: Sendable, Equatable {
    public var key: String
    public var value: String?

    public init(key: String, value: String? = nil) {
        self.key = key
        self.value = value
    }

    /// Parses `key` or `key=value`.
    public init(parsing text: String) throws {
        guard !text.isEmpty else { throw RegistryError.invalidArgument("tag filter is empty; use key or key=value") }
        if let eq = text.firstIndex(of: "=") {
            self.init(key: String(text[..<eq]), value: String(text[text.index(after: eq)...]))
        } else {
            self.init(key: text)
        }
    }

    public func matches(_ tags: [String: String]) -> Bool {
        guard let present = tags[key] else { return false }
        return value == nil || value == present
    }
}
