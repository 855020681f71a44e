import Foundation
public import NIOCore
public import RegistryCore
public import RegistryStore

extension Registry {
    /// Streams a file into the artifact store and adds it to the version's manifest.
    ///
    /// The blob is durable before the manifest names it; if the manifest step fails (say the version was sealed
    /// meanwhile) the blob is left unreferenced for garbage collection.
    public func uploadArtifact<Bytes: AsyncSequence>(
        _ model: ModelName, _ selector: VersionSelector, path: ArtifactPath, bytes: Bytes, expected: BlobDigest?,
        audit: AuditContext
    ) async throws -> ArtifactEntry where Bytes.Element == ByteBuffer {
        let version = try await store.version(model, selector)
        guard version.status.acceptsArtifacts else {
            throw RegistryError.failedPrecondition(
                "version \(version.version) is \(version.status) and its artifacts are sealed; register a new version instead")
        }
        return try await asUpload {
            let blob = try await artifacts.put(bytes, maxSize: limits.maxArtifactSize, expected: expected)
            let entry = ArtifactEntry(path: path, size: blob.size, sha256: blob.digest, createdAt: clock())
            try await store.addArtifact(model, version.version, entry: entry, audit: audit)
            if Self.touchesModelFile([path]) { try await refreshServing(model, version.version, audit: audit) }
            return entry
        }
    }

    public func listArtifacts(_ model: ModelName, _ selector: VersionSelector) async throws -> [ArtifactEntry] {
        let version = try await resolve(model, selector)
        return try await store.artifacts(model, version)
    }

    /// The manifest entry of one file and a stream of its bytes.
    public func downloadArtifact(_ model: ModelName, _ selector: VersionSelector, path: ArtifactPath) async throws
        -> (entry: ArtifactEntry, contents: BlobContents)
    {
        let version = try await resolve(model, selector)
        let entry = try await store.artifact(model, version, path: path)
        return (entry, try await artifacts.open(entry.sha256))
    }

    /// Removes blobs no manifest references (older than the grace period) and stale partial uploads.
    public func collectGarbage(gracePeriod: TimeInterval? = nil) async throws -> GarbageReport {
        let grace = gracePeriod ?? limits.blobGracePeriod
        let cutoff = clock().addingTimeInterval(-grace)
        let report = try await asCollection {
            let staleUploads = try await artifacts.removeStaleUploads(olderThan: grace)
            let blobs = try await artifacts.list()
            let referenced = try await store.referencedDigests()
            var report = GarbageReport(deletedBlobs: 0, deletedBytes: 0, keptBlobs: 0, staleUploads: staleUploads)
            for blob in blobs {
                if referenced.contains(blob.digest) || blob.modifiedAt > cutoff {
                    report.keptBlobs += 1
                } else {
                    try await artifacts.delete(blob.digest)
                    report.deletedBlobs += 1
                    report.deletedBytes += blob.size
                }
            }
            return report
        }
        logger.info(
            "garbage collected",
            metadata: ["blobs.deleted": "\(report.deletedBlobs)", "blobs.kept": "\(report.keptBlobs)"])
        return report
    }
}

/// What a garbage collection removed.
public struct GarbageReport: Sendable, Equatable, Codable {
    public var deletedBlobs: Int
    public var deletedBytes: Int64
    public var keptBlobs: Int
    public var staleUploads: Int

    enum CodingKeys: String, CodingKey {
        case deletedBlobs = "deleted_blobs"
        case deletedBytes = "deleted_bytes"
        case keptBlobs = "kept_blobs"
        case staleUploads = "stale_uploads"
    }
}

