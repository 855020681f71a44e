public import Foundation
public import RegistryCore

extension Deployment: Codable {
    enum CodingKeys: String, CodingKey {
        case id, model, environment, action, actor, reason
        case fromVersion = "from_version"
        case toVersion = "to_version"
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Int64.self, forKey: .id),
            model: try c.decode(ModelName.self, forKey: .model),
            environment: try c.decode(EnvironmentName.self, forKey: .environment),
            action: try c.decode(Action.self, forKey: .action),
            fromVersion: try c.decodeIfPresent(SemanticVersion.self, forKey: .fromVersion),
            toVersion: try c.decodeIfPresent(SemanticVersion.self, forKey: .toVersion),
            actor: try c.decode(String.self, forKey: .actor),
            reason: try c.decode(String.self, forKey: .reason),
            createdAt: try c.decode(Date.self, forKey: .createdAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(model, forKey: .model)
        try c.encode(environment, forKey: .environment)
        try c.encode(action, forKey: .action)
        try c.encodeIfPresent(fromVersion, forKey: .fromVersion)
        try c.encodeIfPresent(toVersion, forKey: .toVersion)
        try c.encode(actor, forKey: .actor)
        try c.encode(reason, forKey: .reason)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

extension AliasPointer: Codable {
    enum CodingKeys: String, CodingKey {
        case environment, version, number
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            environment: try c.decode(EnvironmentName.self, forKey: .environment),
            version: try c.decode(SemanticVersion.self, forKey: .version),
            number: try c.decode(Int64.self, forKey: .number))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(environment, forKey: .environment)
        try c.encode(version, forKey: .version)
        try c.encode(number, forKey: .number)
    }
}
