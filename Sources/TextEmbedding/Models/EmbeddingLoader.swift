import Foundation
import ModelRuntime

extension EmbeddingSession {
    /// Loads the model `folder` describes from its files' bytes (keyed by the paths in `folder.files`).
    ///
    /// Where the folder's files disagree, sentence-transformers' reading wins, as it does for the people who
    /// trained and evaluated the model: `sentence_bert_config.json`'s `max_seq_length` over `tokenizer.json`'s
    /// truncation (all-MiniLM-L6-v2 ships 128 in one and 256 in the other), `1_Pooling/config.json` over any
    /// default, and a `Normalize` module in `modules.json` for L2 normalisation.
    public static func load(_ folder: EmbeddingFolder, files: [String: Data]) throws -> EmbeddingSession {
        func data(_ name: String) -> Data? { folder.path(name, in: files).flatMap { files[$0] } }
        func json(_ name: String) throws -> FastJSON.Value? {
            guard let bytes = data(name) else { return nil }
            do { return try FastJSON.parseValue(bytes) } catch {
                throw ModelRuntimeError(.invalidModel, "\(name) is not valid JSON: \(error)")
            }
        }

        // Modules: Transformer, Pooling, optional Normalize; anything else changes the vectors in ways not built.
        var normalize = false
        var poolingPath = "1_Pooling"
        if let modules = try json("modules.json") {
            guard let list = modules.array else { throw ModelRuntimeError(.invalidModel, "modules.json is not a list") }
            for module in list {
                let type = module["type"]?.string ?? ""
                switch type.split(separator: ".").last.map(String.init) ?? type {
                case "Transformer":
                    guard (module["path"]?.string ?? "").isEmpty else {
                        throw ModelRuntimeError(.invalidModel, "modules.json: a Transformer module in a subfolder is not supported (it must be the folder itself)")
                    }
                case "Pooling": poolingPath = module["path"]?.string ?? poolingPath
                case "Normalize": normalize = true
                default:
                    throw ModelRuntimeError(
                        .invalidModel, "modules.json: the module \(type) is not supported (Transformer, Pooling and Normalize are)")
                }
            }
        }

        // Tokenizer: tokenizer.json, else vocab.txt with tokenizer_config.json's casing.
        let tokenizerConfig = try json("tokenizer_config.json")
        let tokenizer: WordPieceTokenizer
        do {
            if let bytes = data("tokenizer.json") {
                tokenizer = try TokenizerFiles.tokenizer(json: bytes)
            } else if let bytes = data("vocab.txt") {
                tokenizer = try TokenizerFiles.tokenizer(
                    vocabulary: String(decoding: bytes, as: UTF8.self), lowercase: tokenizerConfig?["do_lower_case"]?.bool ?? true,
                    stripAccents: tokenizerConfig?["strip_accents"]?.bool)
            } else {
                throw ModelRuntimeError(.invalidModel, "the folder has neither tokenizer.json nor vocab.txt")
            }
        } catch let error as TokenizerError {
            throw ModelRuntimeError(.invalidModel, error.message)
        }

        // Encoder: the ONNX export, or a BERT built from the safetensors weights and config.json.
        let config = try json("config.json")
        let encoder: any InferenceSession
        var positions: Int? = config?["max_position_embeddings"]?.int
        let weightsName = String(folder.weights.dropFirst(folder.root.count)).lowercased()
        guard let weightBytes = files[folder.weights] else {
            throw ModelRuntimeError(.invalidModel, "the weights file \(weightsName) was not read")
        }
        if weightsName.hasSuffix(".onnx") {
            encoder = try ONNXSession(data: weightBytes)
        } else {
            guard let config else { throw ModelRuntimeError(.invalidModel, "model.safetensors needs the config.json beside it") }
            let configuration = try bertConfiguration(config)
            positions = configuration.maxPositions
            encoder = try BertEncoder.session(configuration: configuration, weights: try SafeTensors.tensors(weightBytes))
        }

        // Pooling and dimension.
        let poolingConfig = try json(poolingPath + "/config.json")
        let pooling: Pooling
        var dimension = config?["hidden_size"]?.int
        if let p = poolingConfig {
            let modes: [(String, Pooling)] = [
                ("pooling_mode_cls_token", .cls), ("pooling_mode_mean_tokens", .mean), ("pooling_mode_max_tokens", .max),
                ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLength),
            ]
            let chosen = modes.filter { p[$0.0]?.bool == true }
            for unsupported in ["pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"] where p[unsupported]?.bool == true {
                throw ModelRuntimeError(.invalidModel, "\(poolingPath)/config.json: \(unsupported) is not supported")
            }
            if p["include_prompt"]?.bool == false {
                throw ModelRuntimeError(.invalidModel, "\(poolingPath)/config.json: include_prompt false is not supported")
            }
            guard chosen.count == 1 else {
                throw ModelRuntimeError(
                    .invalidModel, "\(poolingPath)/config.json must choose exactly one pooling mode (it chooses \(chosen.count))")
            }
            pooling = chosen[0].1
            dimension = p["word_embedding_dimension"]?.int ?? dimension
        } else {
            pooling = .mean
        }
        if dimension == nil, let last = encoder.signature.outputs.first?.shape?.last, case .fixed(let n) = last { dimension = n }
        guard let dimension, dimension > 0, dimension <= 65_536 else {
            throw ModelRuntimeError(.invalidModel, "the embedding dimension is unknown: give word_embedding_dimension in the pooling config")
        }

        // Sequence length: sentence-transformers' max_seq_length wins, then the tokenizer's model_max_length, then
        // tokenizer.json's truncation, then the positions; never past the positions.
        var length = try json("sentence_bert_config.json")?["max_seq_length"]?.int
        if length == nil, let m = tokenizerConfig?["model_max_length"]?.int, m < 1_000_000 { length = m }
        length = length ?? tokenizer.fileTruncation ?? positions ?? 512
        if let positions { length = min(length!, positions) }
        guard let maxLength = length, maxLength >= tokenizer.specialTokenCount(pair: false) + 1 else {
            throw ModelRuntimeError(.invalidModel, "max_seq_length is smaller than the special tokens it must hold")
        }

        var prompts: [String: String] = [:]
        var defaultPrompt: String?
        if let st = try json("config_sentence_transformers.json") {
            if case .object(let table)? = st["prompts"] {
                for (name, value) in table {
                    guard let text = value.string else {
                        throw ModelRuntimeError(.invalidModel, "config_sentence_transformers.json: prompt '\(name)' is not a string")
                    }
                    prompts[name] = text
                }
            }
            defaultPrompt = st["default_prompt_name"]?.string
            if let name = defaultPrompt, prompts[name] == nil {
                throw ModelRuntimeError(.invalidModel, "config_sentence_transformers.json: default_prompt_name '\(name)' is not among the prompts")
            }
        }
        return try EmbeddingSession(
            tokenizer: tokenizer, encoder: encoder, pooling: pooling, normalize: normalize, dimension: dimension,
            maxSequenceLength: maxLength, prompts: prompts, defaultPromptName: defaultPrompt,
            producer: weightsName.hasSuffix(".onnx") ? "sentence-transformers (onnx)" : "sentence-transformers (safetensors)")
    }

    /// Reads a Hugging Face BERT `config.json`.
    static func bertConfiguration(_ config: FastJSON.Value) throws -> BertConfiguration {
        let type = config["model_type"]?.string ?? "bert"
        guard ["bert"].contains(type) else {
            throw ModelRuntimeError(.invalidModel, "config.json: model_type '\(type)' is not supported from safetensors (bert is; export other encoders to ONNX)")
        }
        if let embedding = config["position_embedding_type"]?.string, embedding != "absolute" {
            throw ModelRuntimeError(.invalidModel, "config.json: position_embedding_type '\(embedding)' is not supported (absolute is)")
        }
        func int(_ key: String, default value: Int? = nil) throws -> Int {
            guard let n = config[key]?.int ?? value else { throw ModelRuntimeError(.invalidModel, "config.json: \(key) is missing") }
            return n
        }
        var epsilon: Float = 1e-12
        if case .number(let e)? = config["layer_norm_eps"] { epsilon = Float(e) }
        return BertConfiguration(
            hiddenSize: try int("hidden_size"), attentionHeads: try int("num_attention_heads"), layers: try int("num_hidden_layers"),
            intermediateSize: try int("intermediate_size"), maxPositions: try int("max_position_embeddings", default: 512),
            typeVocabularySize: try int("type_vocab_size", default: 2), vocabularySize: try int("vocab_size"),
            layerNormEpsilon: epsilon, activation: config["hidden_act"]?.string ?? "gelu")
    }
}
