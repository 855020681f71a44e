import Foundation
import ModelRuntime
import Testing

@testable import TextEmbedding

/// The tiny BERT's sentence-transformers folder loaded as an embedding model, from its ONNX export and from its
/// safetensors weights, against the reference sentence embeddings (mean pooling, L2 normalisation).
@Suite struct EmbeddingSessionTests {
    static let folder = TinyBertTests.folder

    /// The folder's files as a version's manifest holds them (under `prefix`), without those in `except`.
    static func files(except: Set<String> = [], prefix: String = "") throws -> (EmbeddingFolder, [String: Data]) {
        let names = [
            "config.json", "config_sentence_transformers.json", "model.onnx", "model_opset13.onnx", "model.safetensors",
            "modules.json", "sentence_bert_config.json", "tokenizer.json", "vocab.txt", "1_Pooling/config.json",
        ].filter { !except.contains($0) }
        let located = try #require(EmbeddingFolder.locate(names.map { prefix + $0 } + ["README.md"]))
        var files: [String: Data] = [:]
        for path in located.files {
            files[path] = try Data(contentsOf: folder.appendingPathComponent(String(path.dropFirst(prefix.count))))
        }
        return (located, files)
    }

    static func session(except: Set<String> = []) throws -> EmbeddingSession {
        let (located, files) = try files(except: except)
        return try EmbeddingSession.load(located, files: files)
    }

    static func cosine(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
        var (dot, na, nb) = (0.0, 0.0, 0.0)
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return dot / (na.squareRoot() * nb.squareRoot())
    }

    @Test("the folder is found under a prefix and picks the ONNX export before the safetensors")
    func locate() throws {
        let (located, _) = try Self.files(prefix: "embedder/")
        #expect(located.root == "embedder/")
        #expect(located.weights == "embedder/model.onnx")
        #expect(located.files.contains("embedder/1_Pooling/config.json"))
        #expect(!located.files.contains("embedder/model_opset13.onnx"))
        let (native, _) = try Self.files(except: ["model.onnx"])
        #expect(native.weights == "model.safetensors")
        #expect(EmbeddingFolder.locate(["model.onnx", "data.csv"]) == nil)
        #expect(EmbeddingFolder.locate(["tokenizer.json", "config.json"]) == nil)
    }

    @Test("ONNX export and native safetensors BERT both give the reference sentence embeddings", arguments: [false, true])
    func embeddingsMatchTheReference(native: Bool) throws {
        let expected = try TinyBertTests.expected()
        let session = try Self.session(except: native ? ["model.onnx"] : [])
        #expect(session.dimension == 32)
        #expect(session.maxSequenceLength == 48, "sentence_bert_config.json's 48 wins over tokenizer.json's 32")
        #expect(session.pooling == .mean)
        #expect(session.normalize)
        #expect(session.metadata.producerName.contains(native ? "safetensors" : "onnx"))
        let result = try session.embed(expected.sentences, promptName: nil, truncate: true)
        #expect(result.tokenCounts == expected.token_counts)
        #expect(result.truncated == expected.sentences.indices.map { $0 == 5 })
        for i in expected.sentences.indices {
            let want = expected.sentence_embedding[(i * 32)..<((i + 1) * 32)]
            #expect(Self.cosine(result.vector(i), want) > 0.999999, "sentence \(i)")
            #expect(zip(result.vector(i), want).allSatisfy { abs($0 - $1) < 1e-5 }, "sentence \(i)")
        }
    }

    @Test("as an InferenceSession: strings in, [n, dimension] floats out, the same vectors")
    func inferenceSession() throws {
        let session = try Self.session()
        #expect(session.signature.inputs.map(\.name) == ["text"])
        #expect(session.signature.inputs[0].elementType == .string)
        #expect(session.signature.outputs[0].shape == [.symbolic("batch"), .fixed(32)])
        let out = try session.run(["text": try Tensor(shape: [2], strings: ["A man is eating food.", ""])])
        let tensor = try #require(out["embedding"])
        #expect(tensor.shape == [2, 32])
        let direct = try session.embed(["A man is eating food.", ""], promptName: nil, truncate: true)
        #expect(tensor.floats == direct.vectors)
        #expect(throws: ModelRuntimeError.self) { _ = try session.run(["text": try Tensor(shape: [1], floats: [1])]) }
        #expect(throws: ModelRuntimeError.self) { _ = try session.run(["texts": try Tensor(shape: [1], strings: ["x"])]) }
    }

    @Test("a named prompt is prefixed for the caller; unknown prompts and refused truncation say why")
    func promptsAndTruncation() throws {
        let expected = try TinyBertTests.expected()
        let session = try Self.session()
        #expect(session.prompts == ["query": "query: ", "passage": "passage: "])
        let prompted = try session.embed(["what is the capital of france?"], promptName: "query", truncate: true)
        let reference = expected.sentence_embedding[(6 * 32)..<(7 * 32)]
        #expect(zip(prompted.vector(0), reference).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(prompted.tokenCounts == [expected.token_counts[6]])
        do {
            _ = try session.embed(["x"], promptName: "document", truncate: true)
            Issue.record("an unknown prompt was accepted")
        } catch let error as ModelRuntimeError {
            #expect(error.code == .invalidInput)
            #expect(error.message.contains("passage, query"))
        }
        do {
            _ = try session.embed(["short", expected.sentences[5]], promptName: nil, truncate: false)
            Issue.record("a long input was accepted with truncate false")
        } catch let error as ModelRuntimeError {
            #expect(error.code == .invalidInput)
            #expect(error.message.contains("input 1 has 134 tokens, more than the model's maximum of 48"))
        }
        #expect(throws: ModelRuntimeError.self) {
            _ = try session.embed(Array(repeating: "x", count: EmbeddingSession.maxInputs + 1), promptName: nil, truncate: true)
        }
    }

    @Test("vocab.txt instead of tokenizer.json: the same vectors, a tokenizer fingerprint of its own")
    func vocabularyFallback() throws {
        let json = try Self.session()
        let vocab = try Self.session(except: ["tokenizer.json"])
        #expect(vocab.maxSequenceLength == 48)
        let a = try json.embed(["Hello, world! How are you?"], promptName: nil, truncate: true)
        let b = try vocab.embed(["Hello, world! How are you?"], promptName: nil, truncate: true)
        #expect(a == b)
        #expect(json.dimension == vocab.dimension)
        #expect(json.tokenizerFingerprint.count == 64)
    }

    @Test("folders that cannot be served are refused with the reason")
    func refusals() throws {
        func load(_ changes: [String: String], except: Set<String> = ["model.onnx"]) throws -> ModelRuntimeError? {
            var (located, files) = try Self.files(except: except)
            for (name, text) in changes { files[name] = Data(text.utf8) }
            do {
                _ = try EmbeddingSession.load(located, files: files)
                return nil
            } catch let error as ModelRuntimeError {
                return error
            }
        }
        let config = String(decoding: try Data(contentsOf: Self.folder.appendingPathComponent("config.json")), as: UTF8.self)
        let cases: [([String: String], String)] = [
            (["modules.json": #"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},{"idx":1,"name":"1","path":"2_Dense","type":"sentence_transformers.models.Dense"}]"#], "Dense is not supported"),
            (["1_Pooling/config.json": #"{"word_embedding_dimension":32,"pooling_mode_cls_token":true,"pooling_mode_mean_tokens":true}"#], "exactly one pooling mode"),
            (["config.json": config.replacingOccurrences(of: "\"hidden_size\": 32", with: "\"hidden_size\": 30")], "hidden_size 30 is not a multiple"),
            (["config.json": config.replacingOccurrences(of: "\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": 3")], "no tensor 'encoder.layer.2."),
            (["config.json": config.replacingOccurrences(of: "\"vocab_size\"", with: "\"vocab_size_\"")], "vocab_size is missing"),
            (["config.json": config.replacingOccurrences(of: "\"bert\"", with: "\"roberta\"")], "model_type 'roberta'"),
            (["config.json": "{"], "config.json is not valid JSON"),
            (["model.safetensors": "\u{8}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}{}"], "header length 8 does not fit"),
            (["tokenizer.json": #"{"model":{"type":"Unigram"}}"#], "model type 'Unigram'"),
        ]
        for (changes, message) in cases {
            let error = try load(changes)
            #expect(error?.message.contains(message) == true, "\(message): got \(String(describing: error))")
        }
    }
}

@Suite struct SafeTensorsTests {
    static func file(_ header: String, data: [UInt8]) -> Data {
        var bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
        bytes += Array(header.utf8) + data
        return Data(bytes)
    }

    @Test func halfAndBrainFloatWidenExactly() throws {
        // 1.0, -2.0, 65504 (largest half), a subnormal, +inf in half; 1.0 and -0.5 in bfloat16.
        let half: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00]
        let brain: [UInt16] = [0x3F80, 0xBF00]
        let bytes = (half + brain).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let header = #"{"__metadata__":{"format":"pt"},"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[10,14]}}"#
        let tensors = try SafeTensors.tensors(Self.file(header, data: bytes))
        #expect(tensors["h"]?.floats == [1, -2, 65504, 0x1p-24, .infinity])
        #expect(tensors["b"]?.floats == [1, -0.5])
    }

    @Test func hostileHeadersAreRefusedBeforeAllocating() {
        let cases: [(String, [UInt8])] = [
            (#"{"a":{"dtype":"F32","shape":[1000000000,1000000000],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, [0, 0, 0, 0]),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#, [UInt8](repeating: 0, count: 8)),
            (#"{"a":{"dtype":"X9","shape":[1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]),
            (#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, [0, 0, 0, 0]),
            (#"["#, []),
        ]
        for (header, data) in cases {
            #expect(throws: ModelRuntimeError.self, "\(header)") { _ = try SafeTensors.tensors(Self.file(header, data: data)) }
        }
        #expect(throws: ModelRuntimeError.self) { _ = try SafeTensors.tensors(Data([1, 2, 3])) }
        #expect(throws: ModelRuntimeError.self) { _ = try SafeTensors.tensors(Data([255, 255, 255, 255, 255, 255, 255, 127, 0])) }
    }
}
