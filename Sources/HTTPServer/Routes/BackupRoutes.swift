import Foundation
import Hummingbird
import Registry
import RegistryCore
import RegistryStore

/// Whole-registry export and import, blob transfer by digest, and garbage collection.
struct BackupRoutes {
    let registry: Registry
    /// A snapshot carries every history point; allow large ones.
    static let importLimit = 2 * 1024 * 1024 * 1024 - 1

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.get("export") { _, _ in
            try JSONBody.response(try await registry.exportSnapshot())
        }
        api.post("import") { request, _ in
            let snapshot = try await JSONBody.decode(RegistrySnapshot.self, from: request, limit: Self.importLimit)
            try await registry.importSnapshot(snapshot, audit: request.audit())
            return try JSONBody.response(
                ImportResponse(models: snapshot.models.count, versions: snapshot.models.reduce(0) { $0 + $1.versions.count }),
                status: .created)
        }
        api.put("blobs/{sha256}") { request, context in
            let digest = try BlobDigest(validating: context.pathParameter("sha256"))
            let blob = try await registry.putBlob(digest, bytes: request.body)
            return try JSONBody.response(BlobResponse(sha256: blob.digest, size: blob.size), status: .created)
        }
        api.get("blobs/{sha256}") { request, context in
            let digest = try BlobDigest(validating: context.pathParameter("sha256"))
            guard try await registry.artifacts.contains(digest) else {
                throw RegistryError.notFound("no blob \(digest)")
            }
            let contents = try await registry.artifacts.open(digest)
            return ArtifactRoutes.blobResponse(request: request, digest: digest, contents: contents)
        }
        api.post("admin/gc") { request, _ in
            let grace = try request.queryInt("grace_seconds")
            if let grace, grace < 0 { throw RegistryError.invalidArgument("grace_seconds must not be negative") }
            return try JSONBody.response(try await registry.collectGarbage(gracePeriod: grace.map(TimeInterval.init)))
        }
    }
}

public struct ImportResponse: Codable, Sendable {
    public var models: Int
    public var versions: Int
}

public struct BlobResponse: Codable, Sendable {
    public var sha256: BlobDigest
    public var size: Int64
}
