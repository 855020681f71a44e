import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ModelyardAPI

/// A failure reported to the CLI user as one line on stderr.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The CLI's HTTP client for the native API: JSON in and out, the server's error messages passed through.
struct APIClient {
    let baseURL: String
    let actor: String?
    /// Sent as `Authorization: Bearer`; never printed.
    let token: String?
    let http: HTTPClient = Self.sharedClient

    /// One client for the process; a short connect timeout so a stopped server is reported at once instead of
    /// retried for minutes. (The process exits without shutting it down, which is fine for a CLI.)
    static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(5)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    init(baseURL: String, actor: String?, token: String? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.actor = actor
        self.token = token
    }

    /// Percent-encodes one path segment (model names may contain spaces and other characters).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    func makeRequest(_ method: HTTPMethod, _ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let actor { request.headers.add(name: "X-Modelyard-Actor", value: actor) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        return request
    }

    /// Sends a request with an optional JSON body; returns the response body or throws the server's error.
    func send(_ method: HTTPMethod, _ path: String, json body: (any Encodable)? = nil, accept: String? = nil) async throws
        -> Data
    {
        var request = makeRequest(method, path)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: try APIJSON.encoder.encode(body)))
        }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await execute(request)
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 31 - 1))
        try Self.check(response.status, data)
        return data
    }

    /// Sends a body that is already JSON (a prediction request read from a file).
    func send(_ method: HTTPMethod, _ path: String, rawJSON body: Data) async throws -> Data {
        try await send(method, path, body: body, contentType: "application/json")
    }

    /// Sends bytes as they are (a CSV or JSON Lines dataset).
    func send(_ method: HTTPMethod, _ path: String, body: Data, contentType: String) async throws -> Data {
        var request = makeRequest(method, path)
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(data: body))
        let response = try await execute(request)
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 31 - 1))
        try Self.check(response.status, data)
        return data
    }

    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        try APIJSON.decoder.decode(type, from: try await send(.GET, path))
    }

    func execute(_ request: HTTPClientRequest, timeout: TimeAmount = .hours(24)) async throws -> HTTPClientResponse {
        do {
            return try await http.execute(request, timeout: timeout)
        } catch {
            let reason = "\(error)".contains("refused") ? "connection refused" : "\(error)"
            throw CLIError(
                "cannot reach the Modelyard server at \(baseURL) (\(reason)); start it with `modelyard serve` or set --url / MODELYARD_URL")
        }
    }

    /// Throws the server's `{"error": {"code", "message"}}` as a one-line error.
    static func check(_ status: HTTPResponseStatus, _ data: Data) throws {
        guard status.code >= 400 else { return }
        if let body = try? APIJSON.decoder.decode(APIErrorBody.self, from: data) {
            throw CLIError("\(body.error.message) [\(body.error.code), HTTP \(status.code)]")
        }
        throw CLIError("the server answered HTTP \(status.code)")
    }
}
