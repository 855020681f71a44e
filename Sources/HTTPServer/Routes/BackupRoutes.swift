import Foundation
import Hummingbird
import Registry
import RegistryCore

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
            let body = try await JSONBody.collect(request, limit: Self.importLimit)
            let imported = try await registry.importSnapshot(
                json: Data(body.readableBytesView), decoder: JSONBody.decoder, audit: request.audit())
            return try JSONBody.response(
                ImportResponse(models: imported.models, versions: imported.versions), status: .created)
        }
        api.put("blobs/{sha256}") { request, context in
            let digest = try BlobDigest(validating: context.pathParameter("sha256"))
            let blob = try await registry.putBlob(digest, bytes: request.body)
            return try JSONBody.response(BlobResponse(sha256: blob.digest, size: blob.size), status: .created)
        }
        api.get("blobs/{sha256}") { request, context in
            let digest = try BlobDigest(validating: context.pathParameter("sha256"))
            let contents = try await registry.openBlob(digest)
            return ArtifactRoutes.blobResponse(request: request, digest: digest, size: contents.size, chunks: contents.chunks)
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
