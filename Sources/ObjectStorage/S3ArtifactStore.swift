import AsyncHTTPClient
import Crypto
public import Foundation
import Logging
public import NIOCore
public import RegistryCore
public import RegistryStore

/// Blobs in an S3-compatible bucket: `PREFIX/blobs/sha256/ab/abcd…` for complete blobs, `PREFIX/tmp/` for uploads
/// in progress.
///
/// A blob's name is its sha256, known only once all of its bytes went by, so an upload is written under a temporary
/// key and then copied (server-side, no bytes through this process) to its name. S3 makes an object visible only
/// once it is complete, so a blob's key never names partial bytes. Small blobs (below one part) are known whole
/// before they are sent and go straight to their name. Every part is signed with its sha256, which S3 checks.
///
/// Memory stays flat whatever the size: an upload holds the part being filled and the one being sent; a download
/// reads the object in ranged GETs whose bodies AsyncHTTPClient streams with backpressure, resuming a range from its
/// last byte when a connection drops.
public struct S3ArtifactStore: ArtifactStore {
    /// Sizes that shape the S3 calls; tests shrink them to exercise multipart paths with small blobs.
    public struct Tuning: Sendable {
        /// The smallest multipart part (S3's minimum is 5 MiB); parts grow so a blob of `maxSize` fits 10,000 parts.
        public var minimumPartSize = 8 << 20
        /// Blobs up to this size are copied to their name with one CopyObject (S3 allows 5 GiB); larger ones part by part.
        public var singleCopyLimit: Int64 = 5 << 30
        public var copyPartSize: Int64 = 1 << 30
        /// Bytes asked for by one ranged GET (a dropped connection resumes from its last byte either way).
        public var readWindow: Int64 = 1 << 30

        public init() {}
    }

    public let client: S3Client
    public var tuning: Tuning

    public init(client: S3Client, tuning: Tuning = .init()) {
        self.client = client
        self.tuning = tuning
    }

    private func key(_ suffix: String) -> String {
        client.configuration.prefix.isEmpty ? suffix : "\(client.configuration.prefix)/\(suffix)"
    }

    private var blobsPrefix: String { key("blobs/sha256/") }
    private var tmpPrefix: String { key("tmp/") }

    func key(of digest: BlobDigest) -> String {
        key("blobs/sha256/\(digest.rawValue.prefix(2))/\(digest.rawValue)")
    }

    /// `PREFIX/tmp/upload-SECONDS-UUID`: the start time is in the name, in this process's clock, because
    /// S3-compatible servers do not all report when a multipart upload began (moto answers a fixed date in 2010).
    private func temporaryKey() -> String {
        key("tmp/upload-\(Int(Date().timeIntervalSince1970))-\(UUID().uuidString)")
    }

    /// When a temporary upload began, read from its key; nil for keys this store did not name.
    static func startTime(ofTemporaryKey key: String) -> Date? {
        guard let name = key.split(separator: "/").last, name.hasPrefix("upload-") else { return nil }
        let seconds = name.dropFirst("upload-".count).prefix { $0.isNumber }
        return Double(seconds).map(Date.init(timeIntervalSince1970:))
    }

    // MARK: Writing

    public func put<Bytes: AsyncSequence>(_ bytes: Bytes, maxSize: Int64, expected: BlobDigest?) async throws
        -> StoredBlob where Bytes.Element == ByteBuffer
    {
        // Large enough for `maxSize` to fit S3's 10,000 parts, within S3's 5 GiB part limit; memory grows with the
        // bytes that actually arrive, never reserved up front beyond 64 MiB.
        let partSize = min(max(tuning.minimumPartSize, Int(clamping: maxSize / 10_000 + 1)), 5 << 30)
        var hasher = SHA256()
        var size: Int64 = 0
        var part = ByteBufferAllocator().buffer(capacity: 0)
        var upload: MultipartUpload?
        do {
            for try await chunk in bytes {
                size += Int64(chunk.readableBytes)
                if size > maxSize { throw BlobLimits.tooLarge(maxSize) }
                chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                var rest = chunk
                while rest.readableBytes > 0 {
                    if part.capacity == 0 { part.reserveCapacity(min(partSize, 64 << 20)) }
                    var slice = rest.readSlice(length: min(rest.readableBytes, partSize - part.readableBytes))!
                    part.writeBuffer(&slice)
                    if part.readableBytes == partSize {
                        if upload == nil {
                            let tmp = temporaryKey()
                            upload = MultipartUpload(client: client, key: tmp, id: try await client.createMultipartUpload(key: tmp))
                        }
                        try await upload!.send(part)
                        part = ByteBufferAllocator().buffer(capacity: 0)
                    }
                }
            }
            let digest = BlobDigest(bytes: hasher.finalize())
            if let expected, expected != digest { throw BlobLimits.mismatch(expected: expected, actual: digest) }
            let name = key(of: digest)
            if var upload {
                if part.readableBytes > 0 { try await upload.send(part) }
                try await upload.complete()
                try await copy(upload.key, to: name, size: size)
                try? await client.deleteObject(key: upload.key)
            } else {
                // Written whole under its name; writing bytes that exist already refreshes the object's time, so
                // garbage collection's grace period restarts as it does for the local store.
                try await client.putObject(key: name, body: part)
            }
            return StoredBlob(digest: digest, size: size, modifiedAt: Date())
        } catch {
            if let upload { await upload.abandon() }
            throw error
        }
    }

    /// Server-side copy of a completed temporary object to its content address.
    private func copy(_ source: String, to target: String, size: Int64) async throws {
        if size <= tuning.singleCopyLimit {
            try await client.copyObject(from: source, to: target)
            return
        }
        let id = try await client.createMultipartUpload(key: target)
        do {
            var tags: [String] = []
            var start: Int64 = 0
            while start < size {
                let end = min(size, start + tuning.copyPartSize) - 1
                tags.append(
                    try await client.uploadPartCopy(
                        key: target, uploadID: id, number: tags.count + 1, source: source, range: start...end))
                start = end + 1
            }
            try await client.completeMultipartUpload(key: target, uploadID: id, parts: tags)
        } catch {
            try? await client.abortMultipartUpload(key: target, uploadID: id)
            throw error
        }
    }

    /// A multipart upload with at most one part in flight while the next one fills.
    private struct MultipartUpload {
        let client: S3Client
        let key: String
        let id: String
        var tags: [String] = []
        var inFlight: Task<String, any Error>?

        init(client: S3Client, key: String, id: String) {
            self.client = client
            self.key = key
            self.id = id
        }

        mutating func send(_ part: ByteBuffer) async throws {
            try await drain()
            let (client, key, id, number) = (client, key, id, tags.count + 1)
            inFlight = Task { try await client.uploadPart(key: key, uploadID: id, number: number, body: part) }
        }

        private mutating func drain() async throws {
            if let inFlight {
                self.inFlight = nil
                tags.append(try await inFlight.value)
            }
        }

        mutating func complete() async throws {
            try await drain()
            try await client.completeMultipartUpload(key: key, uploadID: id, parts: tags)
        }

        func abandon() async {
            inFlight?.cancel()
            _ = try? await inFlight?.value
            try? await client.abortMultipartUpload(key: key, uploadID: id)
            try? await client.deleteObject(key: key)
        }
    }

    // MARK: Reading

    public func open(_ digest: BlobDigest) async throws -> BlobContents {
        let name = key(of: digest)
        guard let head = try await client.headObject(key: name) else { throw BlobLimits.missing(digest) }
        let reader = RangeReader(client: client, key: name, size: head.size, window: tuning.readWindow)
        return BlobContents(size: head.size, chunks: AsyncThrowingStream { try await reader.next() })
    }

    /// Reads an object window by window. The stream calls `next` one call at a time (AsyncThrowingStream's
    /// unfolding initialiser awaits each call before the next), which is what makes the unchecked state safe.
    private final class RangeReader: @unchecked Sendable {
        let client: S3Client
        let key: String
        let size: Int64
        let window: Int64
        var offset: Int64 = 0
        var windowEnd: Int64 = -1
        var body: HTTPClientResponse.Body.AsyncIterator?
        var failures = 0

        init(client: S3Client, key: String, size: Int64, window: Int64) {
            self.client = client
            self.key = key
            self.size = size
            self.window = window
        }

        func next() async throws -> ByteBuffer? {
            while offset < size {
                if body == nil || offset > windowEnd {
                    windowEnd = min(size, offset + window) - 1
                    body = try await client.getObject(key: key, range: offset...windowEnd).makeAsyncIterator()
                }
                do {
                    if let chunk = try await body!.next() {
                        guard Int64(chunk.readableBytes) <= windowEnd - offset + 1 else {
                            throw S3Client.protocolError("a ranged GET of \(key) sent more bytes than asked for")
                        }
                        offset += Int64(chunk.readableBytes)
                        return chunk
                    }
                    // The range ended early (the connection closed cleanly): ask again from where it stopped.
                    body = nil
                    try retried("the object ended at byte \(offset) of \(size)")
                } catch let error as RegistryError {
                    throw error
                } catch {
                    body = nil
                    try retried("\(error)")
                }
            }
            return nil
        }

        private func retried(_ reason: String) throws {
            failures += 1
            guard failures <= 3 else {
                throw RegistryError.unavailable("reading \(key) from the artifact store failed: \(reason)")
            }
        }
    }

    public func contains(_ digest: BlobDigest) async throws -> Bool {
        try await client.headObject(key: key(of: digest)) != nil
    }

    public func delete(_ digest: BlobDigest) async throws {
        try await client.deleteObject(key: key(of: digest))
    }

    public func list() async throws -> [StoredBlob] {
        var result: [StoredBlob] = []
        var continuation: String?
        repeat {
            let page = try await client.listObjects(prefix: blobsPrefix, continuation: continuation)
            for object in page.objects {
                let name = object.key.split(separator: "/").last.map(String.init) ?? ""
                guard let digest = try? BlobDigest(validating: name), object.key == key(of: digest) else { continue }
                result.append(StoredBlob(digest: digest, size: object.size, modifiedAt: object.lastModified))
            }
            continuation = page.next
        } while continuation != nil
        return result
    }

    public func verify(_ digest: BlobDigest) async throws -> Bool {
        try await rehashMatches(digest)
    }

    /// Aborts multipart uploads and deletes temporary objects left by interrupted uploads (a crash, a lost
    /// connection) that began more than `age` ago.
    public func removeStaleUploads(olderThan age: TimeInterval) async throws -> Int {
        let cutoff = Date().addingTimeInterval(-age)
        var removed = 0
        for upload in try await client.listMultipartUploads(prefix: tmpPrefix)
        where (Self.startTime(ofTemporaryKey: upload.key) ?? upload.initiated) <= cutoff {
            try await client.abortMultipartUpload(key: upload.key, uploadID: upload.uploadID)
            removed += 1
        }
        var continuation: String?
        repeat {
            let page = try await client.listObjects(prefix: tmpPrefix, continuation: continuation)
            for object in page.objects where (Self.startTime(ofTemporaryKey: object.key) ?? object.lastModified) <= cutoff {
                try await client.deleteObject(key: object.key)
                removed += 1
            }
            continuation = page.next
        } while continuation != nil
        return removed
    }
}
