import Crypto
public import Foundation
public import NIOCore
import NIOPosix
public import RegistryCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Blobs in a local folder: `blobs/sha256/ab/abcd…` for complete blobs, `tmp/` for uploads in progress.
///
/// A write goes to a fresh file in `tmp/`, is fsynced, then renamed into place and the folder fsynced, so a blob
/// path only ever names complete, durable bytes. Blocking file calls run on NIO's thread pool, never on the
/// caller's executor.
public struct LocalArtifactStore: ArtifactStore {
    public let root: URL
    private let threadPool: NIOThreadPool
    private let chunkSize = 256 * 1024

    public init(root: URL, threadPool: NIOThreadPool = .singleton) throws {
        self.root = root
        self.threadPool = threadPool
        for folder in [Self.blobsFolder(root), Self.tmpFolder(root)] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
    }

    static func blobsFolder(_ root: URL) -> URL { root.appendingPathComponent("blobs/sha256", isDirectory: true) }
    static func tmpFolder(_ root: URL) -> URL { root.appendingPathComponent("tmp", isDirectory: true) }

    func path(of digest: BlobDigest) -> String {
        Self.blobsFolder(root).appendingPathComponent(String(digest.rawValue.prefix(2)))
            .appendingPathComponent(digest.rawValue).path
    }

    public func put<Bytes: AsyncSequence>(_ bytes: Bytes, maxSize: Int64, expected: BlobDigest?) async throws
        -> StoredBlob where Bytes.Element == ByteBuffer
    {
        let tempPath = Self.tmpFolder(root).appendingPathComponent("upload-\(UUID().uuidString)").path
        let fd = try await threadPool.runIfActive {
            try POSIX.check(POSIX.openFile(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644), "create upload file")
        }
        let digest: BlobDigest
        let size: Int64
        do {
            (digest, size) = try await streamToFile(bytes, fd: fd, maxSize: maxSize)
            if let expected, expected != digest { throw BlobLimits.mismatch(expected: expected, actual: digest) }
            _ = try await threadPool.runIfActive { try POSIX.check(fsync(fd), "fsync upload") }
        } catch {
            try? await threadPool.runIfActive {
                _ = close(fd)
                _ = unlink(tempPath)
            }
            throw error
        }
        let finalPath = path(of: digest)
        try await threadPool.runIfActive {
            _ = close(fd)
            do {
                try Self.moveIntoPlace(tempPath: tempPath, finalPath: finalPath)
            } catch {
                _ = unlink(tempPath)
                throw error
            }
        }
        return StoredBlob(digest: digest, size: size, modifiedAt: Date())
    }

    private func streamToFile<Bytes: AsyncSequence>(_ bytes: Bytes, fd: Int32, maxSize: Int64) async throws
        -> (BlobDigest, Int64) where Bytes.Element == ByteBuffer
    {
        var hasher = SHA256()
        var size: Int64 = 0
        for try await chunk in bytes {
            size += Int64(chunk.readableBytes)
            if size > maxSize { throw BlobLimits.tooLarge(maxSize) }
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            try await threadPool.runIfActive { try POSIX.writeAll(fd, chunk) }
        }
        return (BlobDigest(bytes: hasher.finalize()), size)
    }

    /// Renames a complete temp file to its content address; if the blob exists already the temp file is dropped and
    /// the existing blob's time refreshed (so garbage collection's grace period restarts).
    private static func moveIntoPlace(tempPath: String, finalPath: String) throws {
        let folder = (finalPath as NSString).deletingLastPathComponent
        if access(finalPath, F_OK) == 0 {
            _ = unlink(tempPath)
            _ = utimes(finalPath, nil)
            return
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try POSIX.check(rename(tempPath, finalPath), "store blob")
        let dirFD = POSIX.openFile(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            _ = close(dirFD)
        }
    }

    public func open(_ digest: BlobDigest) async throws -> BlobContents {
        let path = path(of: digest)
        let chunkSize = self.chunkSize
        let (fd, size) = try await threadPool.runIfActive { () throws -> (Int32, Int64) in
            let fd = POSIX.openFile(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw BlobLimits.missing(digest) }
            var info = stat()
            guard fstat(fd, &info) == 0 else {
                _ = close(fd)
                throw BlobLimits.missing(digest)
            }
            return (fd, Int64(info.st_size))
        }
        let pool = threadPool
        let file = OpenFile(fd: fd)
        // Demand-driven: a chunk is read only when the consumer asks for the next one, so a slow reader (an HTTP
        // client, whose writes wait for the socket to drain) holds at most one chunk in memory, not the file. A
        // producer task feeding a buffered stream read a 1 GiB blob into memory ahead of a slow client.
        let stream = AsyncThrowingStream<ByteBuffer, any Error> {
            try await pool.runIfActive { try POSIX.read(file.fd, upTo: chunkSize) }
        }
        return BlobContents(size: size, chunks: stream)
    }

    /// A descriptor closed when the last reference to it (the stream reading it) goes away.
    private final class OpenFile: Sendable {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        deinit { _ = close(fd) }
    }

    public func contains(_ digest: BlobDigest) async throws -> Bool {
        let path = path(of: digest)
        return try await threadPool.runIfActive { access(path, F_OK) == 0 }
    }

    public func delete(_ digest: BlobDigest) async throws {
        let path = path(of: digest)
        try await threadPool.runIfActive {
            if unlink(path) != 0 && errno != ENOENT { try POSIX.check(-1, "delete blob") }
        }
    }

    public func list() async throws -> [StoredBlob] {
        let folder = Self.blobsFolder(root)
        return try await threadPool.runIfActive {
            var result: [StoredBlob] = []
            let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey]
            for shard in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) {
                for file in try FileManager.default.contentsOfDirectory(at: shard, includingPropertiesForKeys: keys) {
                    guard let digest = try? BlobDigest(validating: file.lastPathComponent) else { continue }
                    let values = try file.resourceValues(forKeys: Set(keys))
                    result.append(
                        StoredBlob(
                            digest: digest, size: Int64(values.fileSize ?? 0),
                            modifiedAt: values.contentModificationDate ?? .distantPast))
                }
            }
            return result
        }
    }

    public func verify(_ digest: BlobDigest) async throws -> Bool {
        try await rehashMatches(digest)
    }

    public func removeStaleUploads(olderThan age: TimeInterval) async throws -> Int {
        let folder = Self.tmpFolder(root)
        return try await threadPool.runIfActive {
            let cutoff = Date().addingTimeInterval(-age)
            var removed = 0
            for file in try FileManager.default.contentsOfDirectory(
                at: folder, includingPropertiesForKeys: [.contentModificationDateKey])
            {
                let modified = try file.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate
                if (modified ?? .distantPast) <= cutoff, unlink(file.path) == 0 { removed += 1 }
            }
            return removed
        }
    }
}

/// Thin checked wrappers over the POSIX calls the local store uses.
enum POSIX {
    static func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
        open(path, flags, mode)
    }

    @discardableResult
    static func check(_ result: Int32, _ what: String) throws -> Int32 {
        guard result >= 0 else {
            let code = errno
            if code == ENOSPC { throw RegistryError(.internal, "the artifact disk is full") }
            throw RegistryError(.internal, "could not \(what) (errno \(code))")
        }
        return result
    }

    static func writeAll(_ fd: Int32, _ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = write(fd, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    try check(-1, "write upload")
                }
                offset += written
            }
        }
    }

    private static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        Glibc.read(fd, buffer, count)
    }

    /// Reads up to `count` bytes; `nil` at end of file.
    static func read(_ fd: Int32, upTo count: Int) throws -> ByteBuffer? {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        let readCount = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            while true {
                let n = Self.systemRead(fd, raw.baseAddress, count)
                if n < 0 && errno == EINTR { continue }
                return Int(try check(Int32(clamping: n), "read blob"))
            }
        }
        return readCount == 0 ? nil : buffer
    }
}
