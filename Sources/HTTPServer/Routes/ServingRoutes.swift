import Foundation
import HTTPTypes
import Hummingbird
import ModelRuntime
import NIOCore
import Registry
import RegistryCore
import Serving

/// Native predictions, what serves where, per-version performance, and Prometheus metrics.
struct ServingRoutes {
    let registry: Registry
    let pool: ModelPool

    /// Largest prediction body (a 10,000-row batch of a few dozen features fits easily).
    static let bodyLimit = 64 * 1024 * 1024

    func register(on api: RouterGroup<ModelyardRequestContext>, root: Router<ModelyardRequestContext>) {
        api.post("models/{model}/predict") { request, context in
            let model = try context.modelName()
            let environment = try EnvironmentName(validating: request.uri.queryParameters.get("environment") ?? "production")
            let loaded = try await pool.route(model, environment: environment)
            return try await predict(request, on: loaded, environment: environment.rawValue)
        }
        api.post("models/{model}/versions/{version}/predict") { request, context in
            let loaded = try await pool.loaded(try context.modelName(), try context.versionSelector())
            return try await predict(request, on: loaded, environment: nil)
        }
        api.get("models/{model}/versions/{version}/performance") { _, context in
            let model = try context.modelName()
            let version = try await registry.version(model, try context.versionSelector())
            let loaded = pool.loadedInstance(version.key)
            return try JSONBody.response(
                PerformanceResponse(
                    model: model.rawValue, version: version.version.description, number: version.number,
                    loaded: loaded != nil, loadedAt: loaded?.loadedAt, loadSeconds: loaded?.loadSeconds,
                    performance: loaded?.metrics.snapshot()))
        }
        api.get("serving") { _, _ in
            try JSONBody.response(ServingStatusResponse(routes: pool.status()))
        }
        root.get("metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: pool.prometheus.emitToBuffer())))
        }
    }

    private func predict(_ request: Request, on loaded: LoadedModel, environment: String?) async throws -> Response {
        let body = try await Self.collect(request)
        let batch: PredictionCodec.Batch
        do {
            batch = try PredictionCodec.decode(body, signature: loaded.signature, maxRows: pool.configuration.maxRows)
        } catch let error as ModelRuntimeError {
            loaded.metrics.recordRejected()
            throw RegistryError.invalidArgument(error.message)
        }
        let (outputs, seconds) = try pool.predict(loaded, batch.inputs, rows: batch.rows)
        let data = try PredictionCodec.encode(
            outputs, rows: batch.rows, layout: loaded.outputs,
            provenance: .init(
                model: loaded.key.model.rawValue, version: loaded.key.version.description, number: loaded.number,
                environment: environment, seconds: seconds))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[HTTPField.Name("X-Modelyard-Version")!] = loaded.key.version.description
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func collect(_ request: Request) async throws -> Data {
        do {
            return Data(try await request.body.collect(upTo: bodyLimit).readableBytesView)
        } catch is NIOTooManyBytesError {
            throw RegistryError.payloadTooLarge("the request body is larger than \(bodyLimit) bytes; split the batch")
        }
    }
}

struct ServingStatusResponse: Encodable {
    var routes: [ServingStatus]
}

struct PerformanceResponse: Encodable {
    var model: String
    var version: String
    var number: Int64
    /// Whether this server has the version in memory (metrics are per server, since it loaded the version).
    var loaded: Bool
    var loadedAt: Date?
    var loadSeconds: Double?
    var performance: PerformanceSnapshot?

    enum CodingKeys: String, CodingKey {
        case model, version, number, loaded, performance
        case loadedAt = "loaded_at"
        case loadSeconds = "load_seconds"
    }
}
