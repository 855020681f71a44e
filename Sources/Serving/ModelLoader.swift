import Crypto
public import Foundation
public import ModelRuntime
import NIOCore
import NIOPosix
public import RegistryCore
public import RegistryStore
import ScikitLearn
import TextEmbedding

/// Reads a version's model file from the artifact store, verifies its sha256, plans it and warms it up.
struct ModelLoader: Sendable {
    let artifacts: any ArtifactStore
    let maxModelBytes: Int64

    /// The file's bytes, refused unless they hash to the manifest's sha256.
    func read(_ entry: ArtifactEntry, version: SemanticVersion) async throws -> Data {
        guard entry.size <= maxModelBytes else {
            throw ServingProblem(
                "model_too_large",
                "\(entry.path.rawValue) of \(version) is \(entry.size) bytes, more than the \(maxModelBytes) a model may have; "
                    + "raise --max-model-bytes to serve it")
        }
        let contents: BlobContents
        do {
            contents = try await artifacts.open(entry.sha256)
        } catch {
            throw ServingProblem(
                "missing_artifact", "\(entry.path.rawValue) of \(version) is missing from the artifact store (\(error))")
        }
        var data = Data()
        data.reserveCapacity(Int(contents.size))
        var hasher = SHA256()
        for try await chunk in contents.chunks {
            chunk.withUnsafeReadableBytes { bytes in
                hasher.update(bufferPointer: bytes)
                data.append(contentsOf: bytes)
            }
            guard data.count <= maxModelBytes else {
                throw ServingProblem("model_too_large", "\(entry.path.rawValue) of \(version) grew past \(maxModelBytes) bytes while reading")
            }
        }
        let digest = BlobDigest(bytes: hasher.finalize())
        guard digest == entry.sha256 else {
            throw ServingProblem(
                "corrupt_artifact",
                "\(entry.path.rawValue) of \(version) is corrupt: its bytes hash to \(digest.rawValue) but the manifest "
                    + "records \(entry.sha256.rawValue); re-register the version from the original file")
        }
        return data
    }

    /// Reads the model file (and, for a joblib model, the `scaler.joblib` beside it), then plans and warms it up.
    func session(_ entry: ArtifactEntry, manifest: [ArtifactEntry], version: SemanticVersion) async throws -> any InferenceSession {
        let data = try await read(entry, version: version)
        guard ModelFile.isJoblib(entry.path) else { return try await Self.session(data, version: version) }
        var preprocessing: [UInt8]?
        if let scaler = ModelFile.preprocessing(for: entry, in: manifest) {
            preprocessing = [UInt8](try await read(scaler, version: version))
        }
        let limit = Int(clamping: maxModelBytes)
        return try await Self.warm(version: version) { [preprocessing] in
            try SklearnSession(bytes: [UInt8](data), maxInflatedBytes: limit, preprocessing: preprocessing)
        }
    }

    /// Reads every file of a text-embedding folder (each verified against its sha256; configs and tokenizer files
    /// at most `maxConfigBytes`, the weights at most `maxModelBytes`), then builds and warms up the model.
    func embeddingSession(_ folder: EmbeddingFolder, manifest: [ArtifactEntry], version: SemanticVersion) async throws
        -> any InferenceSession
    {
        var files: [String: Data] = [:]
        for path in folder.files {
            guard let entry = manifest.first(where: { $0.path.rawValue == path }) else { continue }
            if path != folder.weights, entry.size > Self.maxConfigBytes {
                throw ServingProblem(
                    "model_too_large", "\(path) of \(version) is \(entry.size) bytes, more than the \(Self.maxConfigBytes) a tokenizer or config file may have")
            }
            files[path] = try await read(entry, version: version)
        }
        return try await Self.warm(version: version) { [files] in try EmbeddingSession.load(folder, files: files) }
    }

    /// The largest tokenizer or configuration file of an embedding folder (a multilingual tokenizer.json is ~20 MB).
    static let maxConfigBytes: Int64 = 64 << 20

    /// Plans an ONNX model on a thread-pool thread (parsing a large forest takes a while) and runs a smoke prediction.
    static func session(_ data: Data, version: SemanticVersion) async throws -> any InferenceSession {
        try await warm(version: version) { try ONNXSession(data: data) }
    }

    /// Builds a session off the event loops and runs a smoke prediction on it.
    static func warm(version: SemanticVersion, _ make: @escaping @Sendable () throws -> any InferenceSession) async throws
        -> any InferenceSession
    {
        let session: any InferenceSession
        do {
            session = try await NIOThreadPool.singleton.runIfActive { try make() }
        } catch let error as ModelRuntimeError {
            throw ServingProblem(error.code.rawValue, "version \(version) cannot be served: \(error.message)")
        }
        do {
            _ = try await NIOThreadPool.singleton.runIfActive { try session.run(SignatureInputs.make(session, batch: nil, seed: nil)) }
        } catch let error as ModelRuntimeError {
            throw ServingProblem("warmup_failed", "version \(version) failed its warm-up prediction: \(error.message)")
        }
        return session
    }
}

extension EmbeddingSession {
    /// The facts the deploy-compatibility check and the dashboard read from a version's signature.
    public var facts: JSONValue {
        .object([
            "dimension": .number(Double(dimension)), "pooling": .string(pooling.rawValue), "normalized": .bool(normalize),
            "tokenizer": .string(tokenizerFingerprint), "max_sequence_length": .number(Double(maxSequenceLength)),
            "prompts": .array(prompts.keys.sorted().map { .string($0) }),
        ])
    }
}

extension InferenceSession {
    /// The signature as `ServingInfo.signature` stores it.
    public var signatureJSON: JSONValue {
        signature.json(embedding: (self as? EmbeddingSession)?.facts)
    }
}

extension ModelSignature {
    /// The signature as JSON for `ServingInfo.signature` and the APIs: inputs and outputs with their Open
    /// Inference Protocol datatype and shape (-1 for a free dimension), and the class labels.
    public var jsonValue: JSONValue { json(embedding: nil) }

    /// The signature as JSON, with an embedding model's facts (`dimension`, `pooling`, `normalized`, `tokenizer`,
    /// `max_sequence_length`, `prompts`) under `embedding`.
    public func json(embedding: JSONValue?) -> JSONValue {
        func values(_ list: [Value]) -> JSONValue {
            .array(list.map { value in
                var object: [String: JSONValue] = [
                    "name": .string(value.name), "datatype": .string(value.elementType.inferenceProtocolName),
                ]
                if let shape = value.shape {
                    object["shape"] = .array(shape.map { if case .fixed(let n) = $0 { .number(Double(n)) } else { .number(-1) } })
                }
                return .object(object)
            })
        }
        var object: [String: JSONValue] = ["inputs": values(inputs), "outputs": values(outputs)]
        if let embedding { object["embedding"] = embedding }
        switch classLabels {
        case .int64s(let labels): object["classes"] = .array(labels.map { .number(Double($0)) })
        case .strings(let labels): object["classes"] = .array(labels.map { .string($0) })
        case nil: break
        }
        return .object(object)
    }
}
