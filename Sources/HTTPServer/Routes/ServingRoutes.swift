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
            let body = try await Self.collect(request)
            let key = request.headers[Self.keyHeader]
            return try await pool.offloaded {
                let parsed = try Self.invalidInput { try PredictionCodec.parse(body, maxRows: pool.configuration.maxRows) }
                let selection = try await pool.select(model, environment: environment, key: parsed.key ?? key)
                return try predict(parsed, on: selection, environment: environment.rawValue)
            }
        }
        api.get("models/{model}/traffic") { _, context in
            let traffic = try await registry.traffic(try context.modelName())
            return try JSONBody.response(
                TrafficResponse(environments: Dictionary(uniqueKeysWithValues: traffic.map { ($0.key.rawValue, TrafficDTO($0.value)) })))
        }
        api.put("models/{model}/traffic") { request, context in
            let model = try context.modelName()
            let body = try await JSONBody.decode(SetTrafficRequest.self, from: request)
            var policy = TrafficPolicy()
            for share in body.shares ?? [] {
                policy.shares.append(
                    .init(version: try await registry.version(model, try VersionSelector(parsing: share.version)).version, percent: share.percent))
            }
            if let shadow = body.shadow {
                policy.shadow = try await registry.version(model, try VersionSelector(parsing: shadow)).version
            }
            let saved = try await registry.setTraffic(
                model, environment: try EnvironmentName(validating: body.environment ?? "production"), policy: policy,
                force: body.force ?? false, allowIncompatible: body.allowIncompatible ?? false,
                audit: request.audit(reason: body.reason))
            return try JSONBody.response(TrafficDTO(saved))
        }
        api.post("models/{model}/versions/{version}/predict") { request, context in
            let loaded = try await pool.loaded(try context.modelName(), try context.versionSelector())
            let body = try await Self.collect(request)
            return try await pool.offloaded {
                let parsed = try Self.invalidInput { try PredictionCodec.parse(body, maxRows: pool.configuration.maxRows) }
                return try predict(parsed, on: ModelPool.Selection(model: loaded), environment: nil)
            }
        }
        api.get("models/{model}/versions/{version}/performance") { request, context in
            let model = try context.modelName()
            let version = try await registry.version(model, try context.versionSelector())
            let loaded = pool.loadedInstance(version.key)
            let hours = try request.queryInt("hours") ?? 24
            guard (1...24 * 90).contains(hours) else {
                throw RegistryError.invalidArgument("hours must be between 1 and 2160")
            }
            let history = try await registry.inferenceHistory(
                model, .version(version.version), since: registry.now().addingTimeInterval(-Double(hours) * 3600))
            return try JSONBody.response(
                PerformanceResponse(
                    model: model.rawValue, version: version.version.description, number: version.number,
                    loaded: loaded != nil, loadedAt: loaded?.loadedAt, loadSeconds: loaded?.loadSeconds,
                    performance: loaded?.metrics.snapshot(), history: history))
        }
        api.get("models/{model}/serving-limits") { _, context in
            try JSONBody.response(try await registry.servingLimits(try context.modelName()))
        }
        api.put("models/{model}/serving-limits") { request, context in
            let body = try await JSONBody.decode(SetServingLimitsRequest.self, from: request)
            let limits = body.reset == true
                ? nil
                : ServingLimits(
                    maxErrorRate: body.maxErrorRate ?? ServingLimits.default.maxErrorRate,
                    maxP99Milliseconds: body.maxP99Milliseconds,
                    windowSeconds: body.windowSeconds ?? ServingLimits.default.windowSeconds,
                    minRequests: body.minRequests ?? ServingLimits.default.minRequests)
            return try JSONBody.response(
                try await registry.setServingLimits(
                    try context.modelName(), limits: limits, audit: request.audit(reason: body.reason)))
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

    static let keyHeader = HTTPField.Name("X-Modelyard-Key")!

    static func invalidInput<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ModelRuntimeError {
            throw RegistryError.invalidArgument(error.message)
        }
    }

    private func predict(
        _ parsed: PredictionCodec.Request, on selection: ModelPool.Selection, environment: String?
    ) throws -> Response {
        let loaded = selection.model
        let batch: PredictionCodec.Batch
        do {
            batch = try PredictionCodec.batch(parsed, signature: loaded.signature)
        } catch let error as ModelRuntimeError {
            loaded.metrics.recordRejected()
            throw RegistryError.invalidArgument(error.message)
        }
        let (outputs, seconds) = try pool.predict(selection, batch.inputs, rows: batch.rows)
        let data = try PredictionCodec.encode(
            outputs, rows: batch.rows, layout: loaded.outputs,
            provenance: .init(
                model: loaded.key.model.rawValue, version: loaded.key.version.description, number: loaded.number,
                environment: environment, seconds: seconds),
            threshold: loaded.threshold)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[HTTPField.Name("X-Modelyard-Version")!] = loaded.key.version.description
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func collect(_ request: Request) async throws -> Data {
        if let encoding = request.headers[.contentEncoding], encoding.lowercased() != "identity" {
            throw RegistryError.invalidArgument(
                "Content-Encoding '\(encoding.prefix(40))' is not supported for request bodies; send the body uncompressed")
        }
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
    /// Stored per-period summaries (they survive restarts), oldest first.
    var history: [InferenceSummary]

    enum CodingKeys: String, CodingKey {
        case model, version, number, loaded, performance, history
        case loadedAt = "loaded_at"
        case loadSeconds = "load_seconds"
    }
}

struct SetTrafficRequest: Decodable {
    struct Share: Decodable {
        var version: String
        var percent: Int
    }
    var environment: String?
    var shares: [Share]?
    var shadow: String?
    var reason: String?
    /// Give shares to versions that fail validation; needs a reason, audited.
    var force: Bool?
    /// Give shares to versions whose embeddings do not match those serving; needs a reason, audited.
    var allowIncompatible: Bool?

    enum CodingKeys: String, CodingKey {
        case environment, shares, shadow, reason, force
        case allowIncompatible = "allow_incompatible"
    }
}

struct TrafficDTO: Encodable {
    struct Share: Encodable {
        var version: String
        var percent: Int
    }
    var shares: [Share]
    var shadow: String?

    init(_ policy: TrafficPolicy) {
        shares = policy.shares.map { Share(version: $0.version.description, percent: $0.percent) }
        shadow = policy.shadow?.description
    }
}

struct TrafficResponse: Encodable {
    var environments: [String: TrafficDTO]
}

struct SetServingLimitsRequest: Decodable {
    var maxErrorRate: Double?
    var maxP99Milliseconds: Double?
    var windowSeconds: Int?
    var minRequests: Int?
    /// Back to the defaults.
    var reset: Bool?
    var reason: String?

    enum CodingKeys: String, CodingKey {
        case reset, reason
        case maxErrorRate = "max_error_rate"
        case maxP99Milliseconds = "max_p99_ms"
        case windowSeconds = "window_seconds"
        case minRequests = "min_requests"
    }
}

