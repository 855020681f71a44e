public import Foundation
public import RegistryCore

extension ArtifactEntry: Codable {
    enum CodingKeys: String, CodingKey {
        case path, size, sha256
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            path: try c.decode(ArtifactPath.self, forKey: .path),
            size: try c.decode(Int64.self, forKey: .size),
            sha256: try c.decode(BlobDigest.self, forKey: .sha256),
            createdAt: try c.decode(Date.self, forKey: .createdAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(size, forKey: .size)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(createdAt, forKey: .createdAt)
    }
}
