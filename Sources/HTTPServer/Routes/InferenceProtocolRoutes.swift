import Foundation
import HTTPTypes
import Hummingbird
import ModelRuntime
import NIOCore
import Registry
import RegistryCore
import Serving
import ModelyardAPI

/// The Open Inference Protocol v2 REST surface (KServe, Triton): health, server and model metadata, readiness and
/// `infer`, with the binary tensor data extension `tritonclient` uses by default.
///
/// `/v2/models/{model}` is the model's `production` environment; `/v2/models/{model}/versions/{v}` is a version by
/// semantic version, registration number or `@alias`.
struct InferenceProtocolRoutes {
    let registry: Registry
    let pool: ModelPool
    static let headerLength = HTTPField.Name("Inference-Header-Content-Length")!

    func register(on v2: RouterGroup<ModelyardRequestContext>) {
        v2.get("health/live") { _, _ in Response(status: .ok) }
        v2.get("health/ready") { _, _ in
            _ = try await registry.listModels(filter: .init(), page: try PageRequest(limit: 1))
            return Response(status: .ok)
        }
        v2.get("") { _, _ in
            try Self.json([
                "name": "modelyard", "version": ModelyardVersion.current, "extensions": ["binary_tensor_data"],
            ])
        }
        v2.get("models/{model}") { request, context in
            try await metadata(try await production(request, context).model, requestedVersion: nil)
        }
        v2.get("models/{model}/ready") { request, context in
            _ = try await production(request, context)
            return Response(status: .ok)
        }
        v2.get("models/{model}/versions/{version}") { _, context in
            try await metadata(try await specific(context), requestedVersion: try context.pathParameter("version"))
        }
        v2.get("models/{model}/versions/{version}/ready") { _, context in
            _ = try await specific(context)
            return Response(status: .ok)
        }
        v2.post("models/{model}/infer") { request, context in
            try await infer(request, on: try await production(request, context))
        }
        v2.post("models/{model}/versions/{version}/infer") { request, context in
            try await infer(request, on: ModelPool.Selection(model: try await specific(context)))
        }
    }

    /// The model's production environment, under its traffic policy (`X-Modelyard-Key` keeps a caller on one
    /// version of a split).
    private func production(_ request: Request, _ context: ModelyardRequestContext) async throws -> ModelPool.Selection {
        try await pool.select(
            try context.modelName(), environment: EnvironmentName(rawValue: "production"),
            key: request.headers[ServingRoutes.keyHeader])
    }

    private func specific(_ context: ModelyardRequestContext) async throws -> LoadedModel {
        try await pool.loaded(try context.modelName(), try context.versionSelector())
    }

    private func metadata(_ loaded: LoadedModel, requestedVersion: String?) async throws -> Response {
        func tensors(_ values: [ModelSignature.Value]) -> [[String: Any]] {
            values.map { value in
                [
                    "name": value.name, "datatype": value.elementType.inferenceProtocolName,
                    "shape": (value.shape ?? [.unknown]).map { if case .fixed(let n) = $0 { n } else { -1 } },
                ]
            }
        }
        return try Self.json([
            "name": loaded.key.model.rawValue, "versions": [loaded.key.version.description], "platform": "onnx",
            "inputs": tensors(loaded.signature.inputs), "outputs": tensors(loaded.signature.outputs),
        ])
    }

    private func infer(_ request: Request, on selection: ModelPool.Selection) async throws -> Response {
        let body = try await ServingRoutes.collect(request)
        return try await pool.offloaded { try answer(body, headers: request.headers, on: selection) }
    }

    /// Decodes the tensors, predicts and encodes the answer (on the inference executor).
    private func answer(_ body: Data, headers: HTTPFields, on selection: ModelPool.Selection) throws -> Response {
        let loaded = selection.model
        var headerLength = body.count
        if let text = headers[Self.headerLength] {
            guard let value = Int(text), value >= 0, value <= body.count else {
                throw RegistryError.invalidArgument("Inference-Header-Content-Length '\(text.prefix(20))' does not fit the body")
            }
            headerLength = value
        }
        guard let parsed = try? FastJSON.parseValue(body.prefix(headerLength)) else {
            throw RegistryError.invalidArgument(
                "the inference request is not valid JSON"
                    + (headers[Self.headerLength] == nil ? "" : " (its first \(headerLength) bytes, per Inference-Header-Content-Length)"))
        }
        guard case .object(let header) = parsed else {
            throw RegistryError.invalidArgument("the inference request must be a JSON object with an 'inputs' array")
        }
        guard case .array(let list)? = header["inputs"] else {
            throw RegistryError.invalidArgument("the inference request has no 'inputs' array of tensors")
        }
        let entries = try list.enumerated().map { index, item -> [String: FastJSON.Value] in
            guard case .object(let entry) = item else {
                throw RegistryError.invalidArgument("inputs[\(index)] of the inference request is not an object")
            }
            return entry
        }
        var inputs: [String: Tensor] = [:]
        var offset = headerLength
        var rows = 0
        do {
            for (index, entry) in entries.enumerated() {
                let named: InferenceProtocolJSON.NamedTensor
                if case .number(let sizeValue)? = entry["parameters"]?["binary_data_size"], let size = Int(exactly: sizeValue) {
                    guard case .string(let name)? = entry["name"], case .string(let datatype)? = entry["datatype"],
                        case .array(let dimensions)? = entry["shape"],
                        case let shape = dimensions.compactMap({ if case .number(let n) = $0 { Int(exactly: n) } else { nil } }),
                        shape.count == dimensions.count, shape.allSatisfy({ $0 >= 0 }),
                        size >= 0, offset + size <= body.count
                    else {
                        throw ModelRuntimeError(.invalidInput, "inputs[\(index)] has an invalid name, datatype, shape or binary_data_size")
                    }
                    let tensor = try InferenceProtocolBinary.decode(
                        name: name, datatype: datatype, shape: shape, bytes: body[(body.startIndex + offset)..<(body.startIndex + offset + size)])
                    offset += size
                    named = .init(name: name, tensor: tensor)
                } else {
                    named = try InferenceProtocolJSON.decodeTensor(entry, where: "inputs[\(index)]")
                }
                inputs[named.name] = named.tensor
                rows = max(rows, named.tensor.shape.first ?? 1)
            }
        } catch let error as ModelRuntimeError {
            loaded.metrics.recordRejected()
            throw RegistryError.invalidArgument(error.message)
        }
        guard rows <= pool.configuration.maxRows else {
            throw RegistryError.invalidArgument("\(rows) rows is more than the limit of \(pool.configuration.maxRows) per request; split the batch")
        }
        let (outputs, _) = try pool.predict(selection, inputs, rows: rows)

        // Which outputs, and which of them as binary.
        let binaryByDefault = Self.bool(header["parameters"]?["binary_data_output"]) ?? false
        var requested: [(name: String, binary: Bool)] = loaded.signature.outputs.map { ($0.name, binaryByDefault) }
        if case .array(let wanted)? = header["outputs"] {
            requested = try wanted.map { entry in
                guard case .string(let name)? = entry["name"], outputs[name] != nil else {
                    let names = loaded.signature.outputs.map(\.name).joined(separator: ", ")
                    let given: String
                    if case .string(let text)? = entry["name"] { given = text } else { given = "" }
                    throw RegistryError.invalidArgument("unknown output '\(given.prefix(100))' (model outputs: \(names))")
                }
                let binary = Self.bool(entry["parameters"]?["binary_data"]) ?? binaryByDefault
                return (name, binary)
            }
        }
        // Written by hand, keys sorted as JSONSerialization's .sortedKeys would: this runs on every prediction.
        var json: [UInt8] = []
        json.reserveCapacity(256 + rows * 32)
        json.append(UInt8(ascii: "{"))
        if case .string(let id)? = header["id"] {
            json.append(contentsOf: "\"id\":".utf8)
            JSONBytes.appendString(id, to: &json)
            json.append(UInt8(ascii: ","))
        }
        json.append(contentsOf: "\"model_name\":".utf8)
        JSONBytes.appendString(loaded.key.model.rawValue, to: &json)
        json.append(contentsOf: ",\"model_version\":".utf8)
        JSONBytes.appendString(loaded.key.version.description, to: &json)
        json.append(contentsOf: ",\"outputs\":[".utf8)
        var binary: [UInt8] = []
        var first = true
        for (name, asBinary) in requested {
            guard let tensor = outputs[name] else { continue }
            if !first { json.append(UInt8(ascii: ",")) }
            first = false
            if asBinary {
                let bytes = InferenceProtocolBinary.encode(tensor)
                JSONBytes.appendTensorEntry(name: name, tensor: tensor, binarySize: bytes.count, to: &json)
                binary += bytes
            } else {
                JSONBytes.appendTensorEntry(name: name, tensor: tensor, to: &json)
            }
        }
        json.append(contentsOf: "]}".utf8)
        var headers = HTTPFields()
        headers[HTTPField.Name("X-Modelyard-Version")!] = loaded.key.version.description
        if binary.isEmpty {
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
        headers[.contentType] = "application/octet-stream"
        headers[Self.headerLength] = "\(json.count)"
        var buffer = ByteBuffer(bytes: json)
        buffer.writeBytes(binary)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    private static func bool(_ value: FastJSON.Value?) -> Bool? {
        if case .bool(let flag)? = value { return flag }
        return nil
    }

    static func json(_ object: [String: Any]) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
