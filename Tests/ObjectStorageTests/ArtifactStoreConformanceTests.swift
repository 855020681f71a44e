import Crypto
import Foundation
import NIOCore
@testable import ObjectStorage
import RegistryCore
import RegistryStore
import TestServers
import Testing

/// One contract, three artifact stores: the local folder, the in-memory store of the unit tests, and S3 (moto in
/// server mode, a real S3 API on loopback). The S3 store runs with small parts, windows and copy limits, so blobs of
/// a few MiB take every multipart, ranged-read and part-copy path that large blobs take in use.
@Suite struct ArtifactStoreConformanceTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case local, inMemory, s3
        var testDescription: String { rawValue }
    }

    /// A fresh, empty store of `kind`, and what must be cleaned up after.
    static func makeStore(_ kind: Kind) async throws -> (store: any ArtifactStore, cleanup: @Sendable () -> Void) {
        switch kind {
        case .local:
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("artifacts-\(UUID().uuidString)")
            return (try LocalArtifactStore(root: root), { try? FileManager.default.removeItem(at: root) })
        case .inMemory:
            return (InMemoryArtifactStore(), {})
        case .s3:
            return (try await s3Store(), {})
        }
    }

    static func s3Client(prefix: String = "registry/blobs-test") async throws -> S3Client {
        let endpoint = try MotoServer.endpoint()
        let configuration = try S3Configuration.resolve(
            url: "s3://\(MotoServer.uniqueBucket("conformance"))/\(prefix)",
            environment: MotoServer.environment(endpoint: endpoint))
        let client = S3Client(configuration: configuration)
        try await client.createBucket()
        return client
    }

    static func s3Store() async throws -> S3ArtifactStore {
        var tuning = S3ArtifactStore.Tuning()
        tuning.minimumPartSize = 5 << 20
        tuning.readWindow = 3 << 20 + 17
        tuning.singleCopyLimit = 6 << 20
        tuning.copyPartSize = 5 << 20
        return S3ArtifactStore(client: try await s3Client(), tuning: tuning)
    }

    /// `size` bytes of a pattern that differs at every offset of a part, sent in uneven chunks.
    static func chunks(size: Int, seed: UInt8 = 7, chunk: Int = 300_007) -> [ByteBuffer] {
        var result: [ByteBuffer] = []
        var offset = 0
        while offset < size {
            let count = min(chunk, size - offset)
            result.append(ByteBuffer(bytes: (offset..<offset + count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ Int(seed)) }))
            offset += count
        }
        return result
    }

    static func digest(_ chunks: [ByteBuffer]) -> BlobDigest {
        var hasher = SHA256()
        for chunk in chunks { chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
        return BlobDigest(bytes: hasher.finalize())
    }

    static func read(_ store: any ArtifactStore, _ digest: BlobDigest) async throws -> (size: Int64, digest: BlobDigest, bytes: Int) {
        let contents = try await store.open(digest)
        var hasher = SHA256()
        var count = 0
        for try await chunk in contents.chunks {
            count += chunk.readableBytes
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        }
        return (contents.size, BlobDigest(bytes: hasher.finalize()), count)
    }

    /// 0 bytes, a few bytes, just under one S3 part, and several parts with a short last one (which the S3 store
    /// also copies part by part, being above its shrunk single-copy limit, and reads in several windows).
    @Test(arguments: Kind.allCases, [0, 11, 5 << 20 - 1, 12 << 20 + 5])
    func blobsRoundTripWithTheirDigestAndSize(kind: Kind, size: Int) async throws {
        let (store, cleanup) = try await Self.makeStore(kind)
        defer { cleanup() }
        let chunks = Self.chunks(size: size)
        let expected = Self.digest(chunks)
        let stored = try await store.put(chunks.async, maxSize: 64 << 20, expected: expected)
        #expect(stored.digest == expected)
        #expect(stored.size == Int64(size))
        #expect(try await store.contains(expected))
        let read = try await Self.read(store, expected)
        #expect(read.size == Int64(size) && read.bytes == size && read.digest == expected)
        #expect(try await store.verify(expected))
        let listed = try await store.list()
        #expect(listed.map(\.digest) == [expected])
        #expect(listed.first?.size == Int64(size))
        #expect(abs(listed.first!.modifiedAt.timeIntervalSinceNow) < 600)
    }

    /// The largest limit a server can be given costs no more memory than the bytes sent.
    @Test(arguments: Kind.allCases)
    func theLargestLimitReservesNothingUpFront(kind: Kind) async throws {
        let (store, cleanup) = try await Self.makeStore(kind)
        defer { cleanup() }
        let stored = try await store.put(Self.chunks(size: 11).async, maxSize: .max, expected: nil)
        #expect(stored.size == 11)
        #expect(try await store.verify(stored.digest))
    }

    @Test(arguments: Kind.allCases)
    func storingTheSameBytesTwiceKeepsOneBlob(kind: Kind) async throws {
        let (store, cleanup) = try await Self.makeStore(kind)
        defer { cleanup() }
        let chunks = Self.chunks(size: 6 << 20)
        let first = try await store.put(chunks.async, maxSize: 64 << 20, expected: nil)
        let second = try await store.put(chunks.async, maxSize: 64 << 20, expected: nil)
        #expect(first.digest == second.digest)
        let other = try await store.put(Self.chunks(size: 100, seed: 9).async, maxSize: 64 << 20, expected: nil)
        #expect(Set(try await store.list().map(\.digest)) == [first.digest, other.digest])
    }

    /// A wrong digest, an oversized stream and a stream that fails part-way all store nothing, leave no temporary
    /// upload behind, and say why.
    @Test(arguments: Kind.allCases)
    func refusedUploadsKeepNothing(kind: Kind) async throws {
        let (store, cleanup) = try await Self.makeStore(kind)
        defer { cleanup() }
        let chunks = Self.chunks(size: 11 << 20)
        let wrong = Self.digest(Self.chunks(size: 5))
        await #expect {
            try await store.put(chunks.async, maxSize: 64 << 20, expected: wrong)
        } throws: { ($0 as? RegistryError)?.code == .invalidArgument }
        await #expect {
            try await store.put(chunks.async, maxSize: 10 << 20, expected: nil)
        } throws: { ($0 as? RegistryError)?.code == .payloadTooLarge }
        struct Broken: Error {}
        let failing = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            for chunk in chunks.prefix(30) { continuation.yield(chunk) }
            continuation.finish(throwing: Broken())
        }
        await #expect(throws: Broken.self) { try await store.put(failing, maxSize: 64 << 20, expected: nil) }
        #expect(try await store.list().isEmpty)
        #expect(try await store.removeStaleUploads(olderThan: 0) == 0, "a refused upload left temporary data behind")
        if kind == .s3, let s3 = store as? S3ArtifactStore {
            #expect(try await s3.client.listMultipartUploads(prefix: "").isEmpty)
            #expect(try await s3.client.listObjects(prefix: "", continuation: nil).objects.isEmpty)
        }
    }

    @Test(arguments: Kind.allCases)
    func missingBlobsAndDeletion(kind: Kind) async throws {
        let (store, cleanup) = try await Self.makeStore(kind)
        defer { cleanup() }
        let absent = Self.digest(Self.chunks(size: 3))
        #expect(try await !store.contains(absent))
        await #expect { try await store.open(absent) } throws: { "\($0)".contains("missing from the artifact store") }
        try await store.delete(absent)
        let stored = try await store.put(Self.chunks(size: 1000).async, maxSize: 64 << 20, expected: nil)
        try await store.delete(stored.digest)
        #expect(try await !store.contains(stored.digest))
        #expect(try await store.list().isEmpty)
    }

    /// Leftovers of an interrupted upload (a process killed mid-upload cannot abort its own) are found and removed
    /// once older than the age given, and not before.
    @Test func staleS3UploadsAreAbortedAndTemporaryObjectsDeleted() async throws {
        let store = try await Self.s3Store()
        let client = store.client
        let prefix = client.configuration.prefix
        let now = Int(Date().timeIntervalSince1970)
        let crashed = "\(prefix)/tmp/upload-\(now)-crashed"
        let id = try await client.createMultipartUpload(key: crashed)
        _ = try await client.uploadPart(key: crashed, uploadID: id, number: 1, body: ByteBuffer(repeating: 1, count: 1024))
        try await client.putObject(key: "\(prefix)/tmp/upload-\(now)-copied-not-deleted", body: ByteBuffer(string: "left"))
        #expect(S3ArtifactStore.startTime(ofTemporaryKey: crashed) == Date(timeIntervalSince1970: Double(now)))
        let kept = try await store.put(Self.chunks(size: 10).async, maxSize: 100, expected: nil)
        #expect(try await store.removeStaleUploads(olderThan: 3600) == 0)
        #expect(try await store.removeStaleUploads(olderThan: 0) == 2)
        #expect(try await client.listMultipartUploads(prefix: prefix).isEmpty)
        #expect(try await client.listObjects(prefix: "\(prefix)/tmp/", continuation: nil).objects.isEmpty)
        #expect(try await store.list().map(\.digest) == [kept.digest])
    }

    /// Listing follows continuation tokens past S3's 1,000 keys a page.
    @Test func listingPagesPastOneThousandKeys() async throws {
        let store = try await Self.s3Store()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for batch in 0..<8 {
                group.addTask {
                    for index in stride(from: batch, to: 1_005, by: 8) {
                        _ = try await store.put([ByteBuffer(string: "blob \(index)")].async, maxSize: 100, expected: nil)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await store.list().count == 1_005)
    }

    @Test func aMissingBucketIsNamedAtStart() async throws {
        let endpoint = try MotoServer.endpoint()
        let configuration = try S3Configuration.resolve(
            url: "s3://never-created-\(UUID().uuidString.prefix(8).lowercased())",
            environment: MotoServer.environment(endpoint: endpoint))
        await #expect {
            try await S3Client(configuration: configuration).checkBucket()
        } throws: { "\($0)".contains("does not exist; create it first") }
    }
}

extension Array where Element: Sendable {
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
