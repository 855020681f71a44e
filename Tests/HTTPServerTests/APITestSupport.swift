import Foundation
import HTTPServer
import ModelyardComposition
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Registry
import RegistryCore
import Serving
import Testing
import ModelyardAPI

/// A fresh registry in a temporary directory (real SQLite file, real artifact folder) behind the real router.
struct APIHarness {
    let directory: URL
    let components: ModelyardServer.Components
    var registry: Registry { components.registry }
    var pool: ModelPool { components.pool }

    init(
        limits: RegistryLimits = .init(), serving: ModelPool.Configuration = .init(), access: AccessSettings = .init(),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-api-\(UUID().uuidString)")
        var components = try Composition.open(
            dataDirectory: directory, limits: limits, serving: serving, logger: Logger(label: "test"), clock: clock)
        components.access = access
        self.components = components
    }

    /// Runs `body` against the router in-process (no socket); removes the data afterwards unless `keep`.
    func run(keep: Bool = false, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { if !keep { cleanup() } }
        let app = Application(router: ModelyardServer.buildRouter(components))
        try await app.test(.router) { client in try await body(client) }
    }

    /// Runs `body` against a live server on a free loopback port, with connections handled as `serve` does.
    func live(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { cleanup() }
        let app = Application(
            router: ModelyardServer.buildRouter(components), server: .eventLoopPinnedHTTP1(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(client) }
    }
}

extension APIHarness {
    func cleanup() { try? FileManager.default.removeItem(at: directory) }
}

extension TestClientProtocol {
    /// Sends a JSON body (or raw text when given a String) and returns the response.
    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, json: (any Encodable)? = nil, raw: String? = nil,
        actor: String? = nil, headers extra: [String: String] = [:]
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let actor { headers[HTTPField.Name("X-Modelyard-Actor")!] = actor }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        var body: ByteBuffer?
        if let json { body = ByteBuffer(data: try JSONBody.encoder.encode(json)) }
        if let raw { body = ByteBuffer(string: raw) }
        return try await execute(uri: uri, method: method, headers: headers, body: body)
    }

    func upload(_ uri: String, bytes: [UInt8], headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .put, headers: headers, body: ByteBuffer(bytes: bytes))
    }
}

extension TestResponse {
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONBody.decoder.decode(type, from: Data(buffer: body))
    }

    /// The `{"error": {"code", "message"}}` body of a failed call.
    var error: APIErrorBody.Detail? { (try? decode(APIErrorBody.self))?.error }

    var text: String { String(buffer: body) }
}

import NIOFoundationCompat
