public import Foundation
public import RegistryCore

extension RegisteredModel: Codable {
    enum CodingKeys: String, CodingKey {
        case name, description, owner, task, tags
        case primaryMetric = "primary_metric"
        case metricDirection = "metric_direction"
        case defaultBump = "default_bump"
        case deprecateOnReplace = "deprecate_on_replace"
        case pinnedBest = "pinned_best"
        case metricDirections = "metric_directions"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(ModelName.self, forKey: .name),
            description: try c.decode(String.self, forKey: .description),
            owner: try c.decode(String.self, forKey: .owner),
            task: try c.decode(String.self, forKey: .task),
            tags: try c.decode([String: String].self, forKey: .tags),
            primaryMetric: try c.decodeIfPresent(String.self, forKey: .primaryMetric),
            metricDirection: try c.decode(MetricDirection.self, forKey: .metricDirection),
            defaultBump: try c.decode(VersionBump.self, forKey: .defaultBump),
            deprecateOnReplace: try c.decode(Bool.self, forKey: .deprecateOnReplace),
            pinnedBest: try c.decodeIfPresent(SemanticVersion.self, forKey: .pinnedBest),
            metricDirections: try c.decodeIfPresent([String: MetricDirection].self, forKey: .metricDirections) ?? [:],
            createdAt: try c.decode(Date.self, forKey: .createdAt),
            updatedAt: try c.decode(Date.self, forKey: .updatedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encode(owner, forKey: .owner)
        try c.encode(task, forKey: .task)
        try c.encode(tags, forKey: .tags)
        try c.encodeIfPresent(primaryMetric, forKey: .primaryMetric)
        try c.encode(metricDirection, forKey: .metricDirection)
        try c.encode(defaultBump, forKey: .defaultBump)
        try c.encode(deprecateOnReplace, forKey: .deprecateOnReplace)
        try c.encodeIfPresent(pinnedBest, forKey: .pinnedBest)
        try c.encode(metricDirections, forKey: .metricDirections)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}
