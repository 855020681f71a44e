import Foundation
import Hummingbird
import ModelRuntime
import ModelyardAPI
import NIOCore
import RegistryCore
import Serving
import TextEmbedding

/// Text embeddings: the native `embed` endpoint and the OpenAI-compatible `/v1/embeddings`, both through the
/// serving pool (traffic splits, metrics, hot swaps apply as for predictions).
struct EmbeddingRoutes {
    let pool: ModelPool

    /// Largest embedding request body.
    static let bodyLimit = 16 * 1024 * 1024

    func register(on api: RouterGroup<ModelyardRequestContext>, root: Router<ModelyardRequestContext>) {
        api.post("models/{model}/embed") { request, context in
            let model = try context.modelName()
            let body = try await JSONBody.decode(EmbedRequest.self, from: request, limit: Self.bodyLimit)
            let environment = body.environment ?? request.uri.queryParameters.get("environment").map { String($0) }
            let loaded = try await target(
                model, version: body.version, environment: environment, key: request.headers[ServingRoutes.keyHeader])
            return try await pool.offloaded {
                let (result, _) = try pool.embed(loaded, body.inputs, promptName: body.promptName, truncate: body.truncate ?? true)
                return try JSONBody.response(
                    EmbedResponse(
                        model: model.rawValue, version: loaded.key.version.description, dimension: result.dimension,
                        embeddings: (0..<result.count).map { Array(result.vector($0)) }, tokenCounts: result.tokenCounts,
                        truncated: result.truncated, promptName: body.promptName))
            }
        }
        root.post("v1/embeddings") { request, context in
            let body = try await OpenAIEmbeddingRequest.decode(try await JSONBody.collect(request, limit: Self.bodyLimit))
            let (name, selector) = try OpenAIEmbeddingRequest.target(body.model)
            let loaded = try await target(
                name, version: selector, environment: nil, key: body.user ?? request.headers[ServingRoutes.keyHeader])
            return try await pool.offloaded {
                let (result, _) = try pool.embed(loaded, body.input, promptName: body.promptName, truncate: body.truncate ?? true)
                if let wanted = body.dimensions, wanted != result.dimension {
                    throw RegistryError.invalidArgument(
                        "dimensions \(wanted) is not offered: '\(name)' gives \(result.dimension)-dimensional vectors; omit dimensions")
                }
                return try JSONBody.response(OpenAIEmbeddingResponse(result, model: body.model, base64: body.base64))
            }
        }
    }

    /// The version to embed with: an explicit version, else the environment's traffic policy.
    private func target(_ model: ModelName, version: String?, environment: String?, key: String?) async throws -> LoadedModel {
        if let version {
            return try await pool.loaded(model, try VersionSelector(parsing: version))
        }
        let environment = try EnvironmentName(validating: environment ?? "production")
        return try await pool.select(model, environment: environment, key: key).model
    }
}

/// OpenAI's `POST /v1/embeddings` body: `model`, `input` (a string or a list of strings), `encoding_format`
/// (`float` or `base64`), `dimensions`, `user`; plus Modelyard's `prompt_name` and `truncate` (sent by the
/// OpenAI client as `extra_body`).
struct OpenAIEmbeddingRequest {
    var model: String
    var input: [String]
    var base64: Bool
    var dimensions: Int?
    var user: String?
    var promptName: String?
    var truncate: Bool?

    static let fields: Set<String> = ["model", "input", "encoding_format", "dimensions", "user", "prompt_name", "truncate"]

    static func decode(_ buffer: ByteBuffer) throws -> OpenAIEmbeddingRequest {
        let value: FastJSON.Value
        do { value = try FastJSON.parseValue(Data(buffer.readableBytesView)) } catch {
            throw RegistryError.invalidArgument("the body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else { throw RegistryError.invalidArgument("the body must be a JSON object") }
        if let unknown = object.keys.filter({ !fields.contains($0) }).sorted().first {
            throw RegistryError.invalidArgument("unknown field '\(unknown)'; this request takes \(fields.sorted().joined(separator: ", "))")
        }
        guard case .string(let model)? = object["model"], !model.isEmpty else {
            throw RegistryError.invalidArgument("model is required: the name of a registered embedding model, optionally @alias or @version")
        }
        var input: [String]
        switch object["input"] {
        case .string(let text)?: input = [text]
        case .array(let items)?:
            input = []
            for item in items {
                switch item {
                case .string(let text): input.append(text)
                case .number, .integer, .array:
                    throw RegistryError.invalidArgument("input as token ids is not supported; send the texts as strings")
                default: throw RegistryError.invalidArgument("input must be a string or a list of strings")
                }
            }
        default: throw RegistryError.invalidArgument("input is required: a string or a list of strings")
        }
        guard !input.isEmpty else { throw RegistryError.invalidArgument("input must not be an empty list") }
        var base64 = false
        switch object["encoding_format"] {
        case nil, .null?: break
        case .string("float")?: break
        case .string("base64")?: base64 = true
        default: throw RegistryError.invalidArgument("encoding_format must be float or base64")
        }
        var dimensions: Int?
        switch object["dimensions"] {
        case nil, .null?: break
        case .number(let n)? where n == n.rounded() && n > 0 && n < 1e9: dimensions = Int(n)
        default: throw RegistryError.invalidArgument("dimensions must be a positive integer")
        }
        func string(_ key: String) throws -> String? {
            switch object[key] {
            case nil, .null?: return nil
            case .string(let s)?: return s
            default: throw RegistryError.invalidArgument("\(key) must be a string")
            }
        }
        var truncate: Bool?
        switch object["truncate"] {
        case nil, .null?: break
        case .bool(let b)?: truncate = b
        default: throw RegistryError.invalidArgument("truncate must be true or false")
        }
        return OpenAIEmbeddingRequest(
            model: model, input: input, base64: base64, dimensions: dimensions, user: try string("user"),
            promptName: try string("prompt_name"), truncate: truncate)
    }

    /// `name`, `name@alias` (an environment) or `name@1.2.0` / `name@3` (a version): the model and the selector to
    /// pass on (`nil`: production's traffic policy; `@alias`: that environment's).
    static func target(_ model: String) throws -> (ModelName, String?) {
        guard let at = model.lastIndex(of: "@") else { return (try ModelName(validating: model), nil) }
        let name = try ModelName(validating: String(model[..<at]))
        let suffix = String(model[model.index(after: at)...])
        guard !suffix.isEmpty else { throw RegistryError.invalidArgument("model '\(model)' ends with @; name an alias or a version after it") }
        if (try? SemanticVersion(parsing: suffix)) != nil || Int64(suffix) != nil { return (name, suffix) }
        return (name, "@" + suffix)
    }
}

struct OpenAIEmbeddingResponse: Encodable {
    struct Item: Encodable {
        var object = "embedding"
        var index: Int
        var embedding: Vector
    }
    enum Vector: Encodable {
        case floats([Float])
        case base64(String)
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .floats(let v): try c.encode(v)
            case .base64(let s): try c.encode(s)
            }
        }
    }
    struct Usage: Encodable {
        var promptTokens: Int
        var totalTokens: Int
        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case totalTokens = "total_tokens"
        }
    }
    var object = "list"
    var data: [Item]
    var model: String
    var usage: Usage

    init(_ result: Embeddings, model: String, base64: Bool) {
        data = (0..<result.count).map { i in
            let vector = Array(result.vector(i))
            // base64 of the little-endian float32 bytes, as OpenAI's client decodes it (numpy frombuffer float32).
            let encoded: Vector = base64
                ? .base64(vector.map { $0.bitPattern.littleEndian }.withUnsafeBytes { Data($0) }.base64EncodedString())
                : .floats(vector)
            return Item(index: i, embedding: encoded)
        }
        self.model = model
        let tokens = result.tokenCounts.reduce(0, +)
        usage = Usage(promptTokens: tokens, totalTokens: tokens)
    }
}
