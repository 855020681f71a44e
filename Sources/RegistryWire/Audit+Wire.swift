public import Foundation
public import RegistryCore

extension AuditEntry: Codable {
    enum CodingKeys: String, CodingKey {
        case id, model, version, action, actor, reason, details
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Int64.self, forKey: .id),
            model: try c.decode(ModelName.self, forKey: .model),
            version: try c.decodeIfPresent(SemanticVersion.self, forKey: .version),
            action: try c.decode(String.self, forKey: .action),
            actor: try c.decode(String.self, forKey: .actor),
            reason: try c.decode(String.self, forKey: .reason),
            details: try c.decode([String: String].self, forKey: .details),
            createdAt: try c.decode(Date.self, forKey: .createdAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(model, forKey: .model)
        try c.encodeIfPresent(version, forKey: .version)
        try c.encode(action, forKey: .action)
        try c.encode(actor, forKey: .actor)
        try c.encode(reason, forKey: .reason)
        try c.encode(details, forKey: .details)
        try c.encode(createdAt, forKey: .createdAt)
    }
}
