import Foundation
import ModelRuntime

/// How token vectors become one sentence vector (sentence-transformers' Pooling module).
public enum Pooling: String, Sendable, Codable, CaseIterable {
    case mean, cls, max
    /// Mean times sqrt(token count).
    case meanSqrtLength = "mean_sqrt_len"
}

/// Vectors for a batch of texts.
public struct Embeddings: Sendable, Equatable {
    /// Row-major `[count, dimension]`.
    public var vectors: [Float]
    public var dimension: Int
    /// Tokens each input became (special tokens included).
    public var tokenCounts: [Int]
    /// Whether each input was cut at the model's maximum.
    public var truncated: [Bool]
    public var count: Int { tokenCounts.count }
    public func vector(_ i: Int) -> ArraySlice<Float> { vectors[(i * dimension)..<((i + 1) * dimension)] }
}

/// A text-embedding model: tokenizer, encoder (an ONNX export or a BERT built from `model.safetensors`),
/// pooling and normalisation, read from a sentence-transformers folder. As an `InferenceSession` it takes a
/// string tensor `text` and returns the float tensor `embedding` `[n, dimension]`, so the Open Inference
/// Protocol (BYTES inputs) and `/predict` serve it unchanged; `embed` adds prompts, truncation control and
/// token counts for the embedding APIs.
public struct EmbeddingSession: InferenceSession {
    public let signature: ModelSignature
    public let metadata: ModelMetadata
    public let tokenizer: WordPieceTokenizer
    public let encoder: any InferenceSession
    public let pooling: Pooling
    public let normalize: Bool
    public let dimension: Int
    /// Tokens per input, special tokens included: sentence-transformers' `max_seq_length` when the folder gives
    /// one (it wins over `tokenizer.json`'s truncation), capped by the encoder's positions.
    public let maxSequenceLength: Int
    /// Named prompts (`config_sentence_transformers.json`), prefixed to each input by name.
    public let prompts: [String: String]
    public let defaultPromptName: String?
    /// `tokenizer.fingerprint`, computed once: what the deploy check compares (with the dimension, pooling and
    /// normalisation) through the version's stored signature (`RegistryCore.EmbeddingFacts`).
    public let tokenizerFingerprint: String
    /// The encoder output that holds token vectors (rank 3), or, for an export that pools in its graph, the
    /// pooled output (rank 2) with `pooledInGraph` set.
    let output: String
    let pooledInGraph: Bool
    let takesTokenTypes: Bool
    /// How many inputs go through the encoder at once (sorted by length so a batch pads little).
    public static let encoderBatch = 32
    /// The most inputs one call may embed.
    public static let maxInputs = 2_048

    init(
        tokenizer: WordPieceTokenizer, encoder: any InferenceSession, pooling: Pooling, normalize: Bool, dimension: Int,
        maxSequenceLength: Int, prompts: [String: String], defaultPromptName: String?, producer: String
    ) throws {
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.pooling = pooling
        self.normalize = normalize
        self.maxSequenceLength = maxSequenceLength
        self.prompts = prompts
        self.defaultPromptName = defaultPromptName
        let names = Set(encoder.signature.inputs.map(\.name))
        guard names.contains("input_ids") else {
            throw ModelRuntimeError(.invalidModel, "the encoder has no input_ids input (it has \(names.sorted().joined(separator: ", ")))")
        }
        let unknown = names.subtracting(["input_ids", "attention_mask", "token_type_ids"])
        guard unknown.isEmpty else {
            throw ModelRuntimeError(.invalidModel, "the encoder takes inputs a text encoder does not have: \(unknown.sorted().joined(separator: ", "))")
        }
        takesTokenTypes = names.contains("token_type_ids")
        let outputs = encoder.signature.outputs
        if let tokens = outputs.first(where: { ["last_hidden_state", "token_embeddings"].contains($0.name) })
            ?? outputs.first(where: { $0.shape?.count == 3 })
        {
            output = tokens.name
            pooledInGraph = false
        } else if let pooled = outputs.first(where: { $0.shape?.count == 2 }) {
            output = pooled.name
            pooledInGraph = true
        } else {
            throw ModelRuntimeError(.invalidModel, "the encoder has no token-vector output ([batch, sequence, hidden])")
        }
        let chosen = output
        if let declared = outputs.first(where: { $0.name == chosen })?.shape?.last, case .fixed(let n) = declared, n != dimension {
            throw ModelRuntimeError(.invalidModel, "the encoder's output has \(n) dimensions, the pooling config says \(dimension)")
        }
        self.dimension = dimension
        tokenizerFingerprint = tokenizer.fingerprint
        signature = ModelSignature(
            inputs: [.init(name: "text", elementType: .string, shape: [.symbolic("batch")])],
            outputs: [.init(name: "embedding", elementType: .float32, shape: [.symbolic("batch"), .fixed(dimension)])],
            classLabels: nil)
        var counts = encoder.metadata.operatorCounts
        counts["Tokenizer"] = 1
        counts["Pooling"] = 1
        metadata = ModelMetadata(
            irVersion: encoder.metadata.irVersion, opsets: encoder.metadata.opsets, producerName: producer,
            producerVersion: encoder.metadata.producerVersion, domain: "text-embedding", modelVersion: 0,
            docString: "text embedding, \(dimension) dimensions, \(pooling.rawValue) pooling\(normalize ? ", L2-normalised" : "")",
            properties: ["embedding_dimension": String(dimension), "max_seq_length": String(maxSequenceLength)],
            operatorCounts: counts)
    }

    /// `text` (strings, any shape) → `embedding` `[n, dimension]`, with the default prompt and truncation.
    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        guard let text = inputs["text"] else {
            throw ModelRuntimeError(.invalidInput, "input 'text' is missing: send the texts to embed as a BYTES tensor named text")
        }
        guard let strings = text.strings else {
            throw ModelRuntimeError(.invalidInput, "input 'text' must hold strings (BYTES), not \(text.elementType.onnxName)")
        }
        if let extra = inputs.keys.first(where: { $0 != "text" }) {
            throw ModelRuntimeError(.invalidInput, "unknown input '\(extra)'; this model takes only 'text'")
        }
        let result = try embed(strings, promptName: nil, truncate: true)
        return ["embedding": try Tensor(shape: [result.count, dimension], floats: result.vectors)]
    }

    public func exampleInputs(batch: Int, seed: UInt64?) throws -> [String: Tensor]? {
        ["text": try Tensor(shape: [batch], strings: Array(repeating: "A warm-up sentence.", count: batch))]
    }

    /// Embeds `texts`. `promptName` picks one of `prompts` (its text is prefixed to every input; `nil` takes the
    /// model's default prompt, if any). With `truncate: false` an input longer than `maxSequenceLength` tokens is
    /// refused (`invalid_input`) instead of being cut.
    public func embed(_ texts: [String], promptName: String?, truncate: Bool) throws -> Embeddings {
        guard texts.count <= Self.maxInputs else {
            throw ModelRuntimeError(.tooLarge, "\(texts.count) inputs in one call; at most \(Self.maxInputs)")
        }
        var prefix = ""
        if let name = promptName ?? defaultPromptName {
            guard let prompt = prompts[name] else {
                let known = prompts.keys.sorted()
                throw ModelRuntimeError(
                    .invalidInput,
                    "unknown prompt '\(name)'; " + (known.isEmpty ? "this model has no prompts" : "this model has: \(known.joined(separator: ", "))"))
            }
            prefix = prompt
        }
        let encodings = texts.map { tokenizer.encode(prefix + $0, maxLength: maxSequenceLength) }
        if !truncate, let long = encodings.firstIndex(where: \.truncated) {
            let full = tokenizer.encode(prefix + texts[long]).ids.count
            throw ModelRuntimeError(
                .invalidInput,
                "input \(long) has \(full) tokens, more than the model's maximum of \(maxSequenceLength); shorten it or allow truncation")
        }
        var vectors = [Float](repeating: 0, count: texts.count * dimension)
        // Similar lengths together: each batch pads to its longest input, not the call's.
        let order = encodings.indices.sorted { encodings[$0].ids.count < encodings[$1].ids.count }
        var start = 0
        while start < order.count {
            let rows = Array(order[start..<min(start + Self.encoderBatch, order.count)])
            try encode(rows.map { encodings[$0] }) { row, vector in
                let target = rows[row] * dimension
                for d in 0..<dimension { vectors[target + d] = vector[d] }
            }
            start += rows.count
        }
        return Embeddings(
            vectors: vectors, dimension: dimension, tokenCounts: encodings.map(\.ids.count), truncated: encodings.map(\.truncated))
    }

    /// Runs the encoder on one padded batch and hands each row's pooled (and normalised) vector to `emit`.
    private func encode(_ batch: [WordPieceTokenizer.Encoding], emit: (Int, UnsafeBufferPointer<Float>) -> Void) throws {
        let length = batch.map(\.ids.count).max() ?? 0
        let n = batch.count
        var ids = [Int64](repeating: Int64(tokenizer.padID), count: n * length)
        var mask = [Int64](repeating: 0, count: n * length)
        var types = [Int64](repeating: 0, count: n * length)
        for (row, encoding) in batch.enumerated() {
            for (i, id) in encoding.ids.enumerated() {
                ids[row * length + i] = Int64(id)
                mask[row * length + i] = 1
                types[row * length + i] = Int64(encoding.typeIDs[i])
            }
        }
        var inputs: [String: Tensor] = [
            "input_ids": try Tensor(shape: [n, length], int64s: ids),
            "attention_mask": try Tensor(shape: [n, length], int64s: mask),
        ]
        if takesTokenTypes { inputs["token_type_ids"] = try Tensor(shape: [n, length], int64s: types) }
        let encoderInputs = Set(encoder.signature.inputs.map(\.name))
        inputs = inputs.filter { encoderInputs.contains($0.key) }
        guard let out = try encoder.run(inputs)[output], let values = out.floats else {
            throw ModelRuntimeError(.executionFailed, "the encoder did not return float vectors in '\(output)'")
        }
        var pooled = [Float](repeating: 0, count: dimension)
        if pooledInGraph {
            guard out.shape == [n, dimension] else {
                throw ModelRuntimeError(.executionFailed, "the encoder returned \(out.shape), expected [\(n), \(dimension)]")
            }
        } else {
            guard out.shape == [n, length, dimension] else {
                throw ModelRuntimeError(.executionFailed, "the encoder returned \(out.shape), expected [\(n), \(length), \(dimension)]")
            }
        }
        for row in 0..<n {
            if pooledInGraph {
                for d in 0..<dimension { pooled[d] = values[row * dimension + d] }
            } else {
                Self.pool(values, row: row, length: length, tokens: batch[row].ids.count, dimension: dimension, mode: pooling, into: &pooled)
            }
            if normalize {
                var sum: Float = 0
                for v in pooled { sum += v * v }
                let scale = 1 / Swift.max(sum.squareRoot(), 1e-12)
                for d in 0..<dimension { pooled[d] *= scale }
            }
            pooled.withUnsafeBufferPointer { emit(row, $0) }
        }
    }

    /// sentence-transformers' Pooling over the first `tokens` (unpadded) positions of one row.
    static func pool(_ values: [Float], row: Int, length: Int, tokens: Int, dimension: Int, mode: Pooling, into out: inout [Float]) {
        let base = row * length * dimension
        switch mode {
        case .cls:
            for d in 0..<dimension { out[d] = values[base + d] }
        case .max:
            for d in 0..<dimension { out[d] = tokens > 0 ? -.greatestFiniteMagnitude : 0 }
            for t in 0..<tokens {
                for d in 0..<dimension { out[d] = Swift.max(out[d], values[base + t * dimension + d]) }
            }
        case .mean, .meanSqrtLength:
            var sums = [Double](repeating: 0, count: dimension)
            for t in 0..<tokens {
                for d in 0..<dimension { sums[d] += Double(values[base + t * dimension + d]) }
            }
            let divisor = mode == .mean ? Swift.max(Double(tokens), 1e-9) : Swift.max(Double(tokens), 1e-9).squareRoot()
            for d in 0..<dimension { out[d] = Float(sums[d] / divisor) }
        }
    }
}
