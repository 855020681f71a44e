public import Foundation
public import NIOCore
public import RegistryCore
public import RegistryStore

extension Registry {
    /// The whole registry's metadata; blobs are fetched separately by digest.
    public func exportSnapshot() async throws -> RegistrySnapshot {
        try await store.exportSnapshot()
    }

    /// Restores a snapshot. Every blob it references must already be in the artifact store (the client uploads
    /// them first), so an import never creates a manifest entry without its bytes.
    public func importSnapshot(_ snapshot: RegistrySnapshot, audit: AuditContext) async throws {
        var missing: [BlobDigest] = []
        for digest in snapshot.digests.sorted(by: { $0.rawValue < $1.rawValue }) where !(try await artifacts.contains(digest)) {
            missing.append(digest)
        }
        if let first = missing.first {
            throw RegistryError.failedPrecondition(
                "\(missing.count) blob(s) of the snapshot are not uploaded (first: \(first)); upload them with "
                    + "PUT /api/v1/blobs/{sha256} before importing")
        }
        try await store.importSnapshot(snapshot, audit: audit)
    }

    /// Stores a blob whose digest the client states (used by import); the bytes must match it.
    /// Decodes a snapshot (an export's JSON, with `decoder`'s conventions) and restores it; answers how many models and
    /// versions it held. A body that is not a snapshot is a `DecodingError` naming the field.
    public func importSnapshot(json: Data, decoder: JSONDecoder, audit: AuditContext) async throws
        -> (models: Int, versions: Int)
    {
        let snapshot = try decoder.decode(RegistrySnapshot.self, from: json)
        try await importSnapshot(snapshot, audit: audit)
        return (snapshot.models.count, snapshot.models.reduce(0) { $0 + $1.versions.count })
    }

    /// A stored blob by its digest (`not_found` when absent).
    public func openBlob(_ digest: BlobDigest) async throws -> BlobContents {
        guard try await artifacts.contains(digest) else { throw RegistryError.notFound("no blob \(digest)") }
        return try await artifacts.open(digest)
    }

    public func putBlob<Bytes: AsyncSequence>(_ digest: BlobDigest, bytes: Bytes) async throws -> StoredBlob
    where Bytes.Element == ByteBuffer {
        try await asUpload {
            try await artifacts.put(bytes, maxSize: limits.maxArtifactSize, expected: digest)
        }
    }
}

