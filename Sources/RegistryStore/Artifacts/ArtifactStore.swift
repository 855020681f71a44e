import Crypto
public import Foundation
public import NIOCore
public import RegistryCore

/// Content-addressed blob storage. A blob's name is its sha256; a blob is visible only once it is complete and
/// durable, so a crash mid-write never exposes a partial file.
///
/// Implementations: `LocalArtifactStore` (a folder), `InMemoryArtifactStore` (tests).
public protocol ArtifactStore: Sendable {
    /// Streams `bytes` into a blob, hashing as it goes. Fails with `payload_too_large` past `maxSize` bytes and with
    /// `invalid_argument` when `expected` is given and differs; nothing is kept in either case. Storing bytes that
    /// exist already keeps one copy.
    func put<Bytes: AsyncSequence>(_ bytes: Bytes, maxSize: Int64, expected: BlobDigest?) async throws -> StoredBlob
    where Bytes.Element == ByteBuffer

    /// The blob's size and a stream of its bytes; `not_found` if absent.
    func open(_ digest: BlobDigest) async throws -> BlobContents
    func contains(_ digest: BlobDigest) async throws -> Bool
    func delete(_ digest: BlobDigest) async throws
    /// Every stored blob with its size and last-written time.
    func list() async throws -> [StoredBlob]
    /// Re-hashes the blob and reports whether its bytes still match its name.
    func verify(_ digest: BlobDigest) async throws -> Bool
    /// Removes leftovers of interrupted uploads older than `age`; returns how many.
    func removeStaleUploads(olderThan age: TimeInterval) async throws -> Int
}

extension ArtifactStore {
    /// Re-hashes the blob as it streams from `open`: what a store that keeps no hash of its own does.
    public func rehashMatches(_ digest: BlobDigest) async throws -> Bool {
        let contents = try await open(digest)
        var hasher = SHA256()
        for try await chunk in contents.chunks {
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        }
        return BlobDigest(bytes: hasher.finalize()) == digest
    }
}

/// Keeps the garbage collection of one server from deleting blobs that another server sharing the artifact store
/// is uploading, and lets one server collect at a time. The registry enters its in-process gate first, then this.
/// Implementation: `PostgresCollectionLock` (advisory locks in the shared database).
public protocol SharedCollectionLock: Sendable {
    func beginUpload() async throws
    func endUpload() async throws
    func beginCollection() async throws
    func endCollection() async throws
}

/// A stored blob's identity and size.
public struct StoredBlob: Sendable, Equatable {
    public var digest: BlobDigest
    public var size: Int64
    public var modifiedAt: Date

    public init(digest: BlobDigest, size: Int64, modifiedAt: Date) {
        self.digest = digest
        self.size = size
        self.modifiedAt = modifiedAt
    }
}

/// A blob being read: its size up front (for Content-Length) and its bytes as a stream.
public struct BlobContents: Sendable {
    public var size: Int64
    public var chunks: AsyncThrowingStream<ByteBuffer, any Error>

    public init(size: Int64, chunks: AsyncThrowingStream<ByteBuffer, any Error>) {
        self.size = size
        self.chunks = chunks
    }
}
