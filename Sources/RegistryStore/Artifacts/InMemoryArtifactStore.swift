import Crypto
public import Foundation
public import NIOCore
public import RegistryCore
import Synchronization

/// Blobs in a dictionary: for tests of what sits above the artifact store.
public final class InMemoryArtifactStore: ArtifactStore {
    private let blobs = Mutex<[BlobDigest: (bytes: [UInt8], modifiedAt: Date)]>([:])

    public init() {}

    public func put<Bytes: AsyncSequence>(_ bytes: Bytes, maxSize: Int64, expected: BlobDigest?) async throws
        -> StoredBlob where Bytes.Element == ByteBuffer
    {
        var data: [UInt8] = []
        for try await chunk in bytes {
            data.append(contentsOf: chunk.readableBytesView)
            if Int64(data.count) > maxSize { throw BlobLimits.tooLarge(maxSize) }
        }
        let digest = BlobDigest(bytes: SHA256.hash(data: data))
        if let expected, expected != digest { throw BlobLimits.mismatch(expected: expected, actual: digest) }
        let now = Date()
        blobs.withLock { $0[digest] = (data, now) }
        return StoredBlob(digest: digest, size: Int64(data.count), modifiedAt: now)
    }

    public func open(_ digest: BlobDigest) async throws -> BlobContents {
        guard let blob = blobs.withLock({ $0[digest] }) else { throw BlobLimits.missing(digest) }
        let buffer = ByteBuffer(bytes: blob.bytes)
        return BlobContents(
            size: Int64(blob.bytes.count),
            chunks: AsyncThrowingStream { continuation in
                continuation.yield(buffer)
                continuation.finish()
            })
    }

    public func contains(_ digest: BlobDigest) async throws -> Bool { blobs.withLock { $0[digest] != nil } }

    public func delete(_ digest: BlobDigest) async throws { _ = blobs.withLock { $0.removeValue(forKey: digest) } }

    public func list() async throws -> [StoredBlob] {
        blobs.withLock { blobs in
            blobs.map { StoredBlob(digest: $0.key, size: Int64($0.value.bytes.count), modifiedAt: $0.value.modifiedAt) }
        }
    }

    public func verify(_ digest: BlobDigest) async throws -> Bool {
        guard let blob = blobs.withLock({ $0[digest] }) else { throw BlobLimits.missing(digest) }
        return BlobDigest(bytes: SHA256.hash(data: blob.bytes)) == digest
    }

    public func removeStaleUploads(olderThan age: TimeInterval) async throws -> Int { 0 }
}

/// The errors every artifact store reports the same way.
public enum BlobLimits {
    public static func tooLarge(_ maxSize: Int64) -> RegistryError {
        .payloadTooLarge("the file is larger than the limit of \(maxSize) bytes; raise --max-artifact-size on the server")
    }

    public static func mismatch(expected: BlobDigest, actual: BlobDigest) -> RegistryError {
        .invalidArgument("the uploaded bytes have sha256 \(actual), not the expected \(expected); nothing was stored")
    }

    public static func missing(_ digest: BlobDigest) -> RegistryError {
        RegistryError(.internal, "blob \(digest.rawValue.prefix(12)) is missing from the artifact store")
    }
}
