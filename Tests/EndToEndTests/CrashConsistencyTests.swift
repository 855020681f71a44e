import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RegistryCore
import RegistryStore
import Testing

/// Kills the server with SIGKILL while uploads and registrations are in flight, many times over one data
/// directory, then checks the registry reopens consistent: every manifest entry names a complete blob whose bytes
/// hash to its name, no partial file is visible as a blob, and version numbers have no gaps.
@Suite(.serialized) struct CrashConsistencyTests {
    @Test func sigkillMidUploadAndRegistrationLeavesAConsistentRegistry() async throws {
        let data = try temporaryDirectory("crash")
        defer { try? FileManager.default.removeItem(at: data) }
        let http = HTTPClient.shared

        // 2 MiB per upload, streamed in 64 KiB chunks; each upload differs in its first bytes.
        let payload = [UInt8](repeating: 0x5A, count: Self.uploadSize)
        var killedDuringWork = 0
        for round in 0..<12 {
            let server = try ServerProcess(dataDirectory: data)
            if round == 0 {
                _ = try await Self.send(http, server, .POST, "/api/v1/models", body: #"{"name": "crash", "default_bump": "patch"}"#)
            }
            let worker = Task {
                var completed = 0
                while !Task.isCancelled {
                    guard let created = try? await Self.send(http, server, .POST, "/api/v1/models/crash/versions", body: "{}"),
                        let version = Self.version(in: created)
                    else { break }
                    var body = payload
                    withUnsafeBytes(of: (round, completed)) { body.replaceSubrange(0..<$0.count, with: $0) }
                    _ = try? await Self.send(http, server, .PUT, "/api/v1/models/crash/versions/\(version)/artifacts/w-\(completed).bin", bytes: body)
                    completed += 1
                }
                return completed
            }
            try await Task.sleep(for: .milliseconds(400 + (round * 173) % 1000))
            server.kill(SIGKILL)
            _ = server.wait()
            worker.cancel()
            if await worker.value > 0 { killedDuringWork += 1 }
        }
        #expect(killedDuringWork > 0, "the kills landed while work was in flight")
        try await Self.checkConsistency(data)
    }

    static let uploadSize = 2 << 20

    static func checkConsistency(_ data: URL) async throws {
        let store = try SQLiteRegistryStore(path: data.appendingPathComponent("registry.sqlite").path)
        let artifacts = try LocalArtifactStore(root: data.appendingPathComponent("artifacts"))
        let versions = try await store.listVersions(ModelName(rawValue: "crash"), filter: .init(), page: .all).items
        #expect(!versions.isEmpty)
        let patches = versions.map(\.version.patch).sorted()
        #expect(patches == Array(0..<patches.count), "version numbers have no gaps or duplicates")
        var referenced = 0
        for version in versions {
            for entry in try await store.artifacts(version.model, version.version) {
                referenced += 1
                #expect(try await artifacts.contains(entry.sha256), "manifest entry \(entry.path) has its blob")
                #expect(try await artifacts.verify(entry.sha256), "blob of \(entry.path) is complete")
                #expect(entry.size == Int64(Self.uploadSize), "a manifest entry only ever names a complete upload")
            }
        }
        #expect(referenced > 0, "some uploads completed between kills")
        for blob in try await artifacts.list() {
            #expect(try await artifacts.verify(blob.digest), "no partial file is visible as a blob")
        }
    }

    static func send(
        _ http: HTTPClient, _ server: ServerProcess, _ method: HTTPMethod, _ path: String, body: String? = nil,
        bytes: [UInt8]? = nil
    ) async throws -> Data {
        var request = HTTPClientRequest(url: server.url + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        if let bytes {
            let chunks = stride(from: 0, to: bytes.count, by: 65_536).map { ByteBuffer(bytes: bytes[$0..<min($0 + 65_536, bytes.count)]) }
            request.body = .stream(chunks.async, length: .known(Int64(bytes.count)))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        var buffer = try await response.body.collect(upTo: 1 << 20)
        return Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    static func version(in data: Data) -> String? {
        (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["version"] as? String
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence (for streamed request bodies).
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
