import Foundation
import ModelRuntime
import Testing

@testable import TextEmbedding

/// The random-weight BERT of fixtures/embeddings/tiny-bert (scripts/embeddings/tiny_bert.py): its two ONNX
/// exports run by ModelRuntime against the float64 NumPy implementation of Hugging Face's BertModel that
/// onnxruntime was checked against when the fixture was written.
@Suite struct TinyBertTests {
    static let folder = TokenizerParityTests.folder.appendingPathComponent("tiny-bert")

    struct Expected: Decodable {
        var sentences: [String]
        var token_counts: [Int]
        var input_ids: [Int64]
        var attention_mask: [Int64]
        var shape: [Int]
        var last_hidden_state: [Float]
        var mean_pooled: [Float]
        var sentence_embedding: [Float]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(
            Expected.self, from: Data(contentsOf: TokenizerParityTests.folder.appendingPathComponent("tiny-bert.expected.json")))
    }

    static func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test("the tokenizer, truncating at sentence-transformers' 48, gives the ids the reference ran on")
    func tokenizerMatches() throws {
        let expected = try Self.expected()
        let tokenizer = try TokenizerFiles.tokenizer(json: Data(contentsOf: Self.folder.appendingPathComponent("tokenizer.json")))
        #expect(tokenizer.fileTruncation == 32)
        let batch = tokenizer.encodeBatch(expected.sentences, maxLength: 48)
        #expect([batch.batchSize, batch.sequenceLength] == expected.shape)
        #expect(batch.inputIDs == expected.input_ids)
        #expect(batch.attentionMask == expected.attention_mask)
        #expect(batch.tokenCounts == expected.token_counts)
        #expect(batch.truncated.filter { $0 }.count == 1)
    }

    @Test("both ONNX exports (opset 17 with LayerNormalization; opset 13 decomposed, pooling in the graph) match the reference", arguments: ["model.onnx", "model_opset13.onnx"])
    func onnxExportsMatch(file: String) throws {
        let expected = try Self.expected()
        let session = try ONNXSession(contentsOf: Self.folder.appendingPathComponent(file))
        let ids = try Tensor(shape: expected.shape, int64s: expected.input_ids)
        let mask = try Tensor(shape: expected.shape, int64s: expected.attention_mask)
        let types = try Tensor(shape: expected.shape, int64s: [Int64](repeating: 0, count: expected.input_ids.count))
        let outputs = try session.run(["input_ids": ids, "attention_mask": mask, "token_type_ids": types])
        let hidden = try #require(outputs["last_hidden_state"])
        #expect(hidden.shape == expected.shape + [32])
        #expect(Self.largestDifference(try #require(hidden.floats), expected.last_hidden_state) < 1e-4)
        if file == "model_opset13.onnx" {
            let pooled = try #require(outputs["sentence_embedding"])
            #expect(pooled.shape == [expected.shape[0], 32])
            #expect(Self.largestDifference(try #require(pooled.floats), expected.mean_pooled) < 1e-4)
        }
    }
}
