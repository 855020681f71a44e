import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// Streaming uploads and downloads with a progress bar for large files.
extension APIClient {
    /// Streams a local file as the body of a PUT; returns the response body.
    func upload(file: URL, to path: String, showProgress: Bool) async throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: file.path) else {
            throw CLIError("cannot read \(file.path)")
        }
        let size = Int64((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)??.int64Value ?? 0)
        let progress = ProgressBar(label: file.lastPathComponent, total: size, enabled: showProgress)
        let chunks = FileChunks(handle: handle, progress: progress)
        var request = makeRequest(.PUT, path)
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = .stream(chunks, length: .known(size))
        let response = try await execute(request)
        let data = Data(buffer: try await response.body.collect(upTo: 16 * 1024 * 1024))
        progress.finish()
        try? handle.close()
        try Self.check(response.status, data)
        return data
    }

    /// Streams a GET response into `file` (written to a temp file first, renamed when complete).
    func download(from path: String, to file: URL, showProgress: Bool) async throws -> (size: Int64, sha256: String?) {
        let response = try await execute(makeRequest(.GET, path))
        guard response.status.code < 400 else {
            let data = Data(buffer: try await response.body.collect(upTo: 1024 * 1024))
            try Self.check(response.status, data)
            throw CLIError("download failed with HTTP \(response.status.code)")
        }
        let total = response.headers.first(name: "Content-Length").flatMap(Int64.init) ?? 0
        let partial = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil),
            let handle = FileHandle(forWritingAtPath: partial.path)
        else {
            throw CLIError("cannot write \(file.path)")
        }
        let progress = ProgressBar(label: file.lastPathComponent, total: total, enabled: showProgress)
        var written: Int64 = 0
        do {
            for try await chunk in response.body {
                try handle.write(contentsOf: Data(buffer: chunk))
                written += Int64(chunk.readableBytes)
                progress.update(written)
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: partial)
            throw CLIError("download of \(file.lastPathComponent) failed: \(error)")
        }
        progress.finish()
        if total > 0 && written != total {
            try? FileManager.default.removeItem(at: partial)
            throw CLIError("download of \(file.lastPathComponent) was cut short (\(written) of \(total) bytes)")
        }
        _ = try? FileManager.default.removeItem(at: file)
        try FileManager.default.moveItem(at: partial, to: file)
        return (written, response.headers.first(name: "X-Modelyard-Sha256"))
    }
}

/// A file as an async sequence of 1 MiB buffers, reporting progress as it is read.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let handle: FileHandle
    let progress: ProgressBar

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle
        let progress: ProgressBar
        var sent: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let data = try handle.read(upToCount: 1024 * 1024), !data.isEmpty else { return nil }
            sent += Int64(data.count)
            progress.update(sent)
            return ByteBuffer(data: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(handle: handle, progress: progress) }
}
