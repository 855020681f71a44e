public import Foundation
public import RegistryCore

extension ImportRecord: Codable {
    enum CodingKeys: String, CodingKey {
        case id, source, model, version, files, actor, outcome, reason, validation, promotion
        case contentSHA256 = "content_sha256"
        case startedAt = "started_at"
        case durationSeconds = "duration_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Int64.self, forKey: .id),
            source: try c.decode(String.self, forKey: .source),
            model: try c.decodeIfPresent(ModelName.self, forKey: .model),
            version: try c.decodeIfPresent(SemanticVersion.self, forKey: .version),
            files: try c.decode([File].self, forKey: .files),
            contentSHA256: try c.decodeIfPresent(String.self, forKey: .contentSHA256),
            actor: try c.decode(String.self, forKey: .actor),
            startedAt: try c.decode(Date.self, forKey: .startedAt),
            durationSeconds: try c.decode(Double.self, forKey: .durationSeconds),
            outcome: try c.decode(Outcome.self, forKey: .outcome),
            reason: try c.decodeIfPresent(String.self, forKey: .reason),
            validation: try c.decodeIfPresent(ValidationReport.self, forKey: .validation),
            promotion: try c.decodeIfPresent(String.self, forKey: .promotion))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(source, forKey: .source)
        try c.encodeIfPresent(model, forKey: .model)
        try c.encodeIfPresent(version, forKey: .version)
        try c.encode(files, forKey: .files)
        try c.encodeIfPresent(contentSHA256, forKey: .contentSHA256)
        try c.encode(actor, forKey: .actor)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(durationSeconds, forKey: .durationSeconds)
        try c.encode(outcome, forKey: .outcome)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(validation, forKey: .validation)
        try c.encodeIfPresent(promotion, forKey: .promotion)
    }
}

extension ImportRecord.File: Codable {
    enum CodingKeys: String, CodingKey {
        case path, size, sha256
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            path: try c.decode(String.self, forKey: .path),
            size: try c.decode(Int64.self, forKey: .size),
            sha256: try c.decode(BlobDigest.self, forKey: .sha256))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(size, forKey: .size)
        try c.encode(sha256, forKey: .sha256)
    }
}
