import Foundation
import ModelRuntime
import Testing

@testable import TextEmbedding

/// Token ids against Hugging Face `tokenizers` (fixtures/embeddings/tokenizer-parity.json, written by
/// scripts/embeddings/generate_fixtures.py and regenerated in CI): BERT uncased as all-MiniLM-L6-v2 ships it, four
/// normalizer variants, and truncated singles and pairs.
@Suite struct TokenizerParityTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/embeddings")

    struct Parity: Decodable {
        struct Variant: Decodable {
            var name: String
            var ids: [[Int32]]
        }
        struct Truncated: Decodable {
            var max_length: Int
            var a: String
            var b: String
            var single: [Int32]
            var pair: [Int32]
            var pair_type_ids: [Int32]
        }
        var texts: [String]
        var variants: [Variant]
        var truncation: [Truncated]
    }

    static func parity() throws -> Parity {
        try JSONDecoder().decode(Parity.self, from: Data(contentsOf: folder.appendingPathComponent("tokenizer-parity.json")))
    }

    static func shippedJSON() throws -> Data {
        try Data(contentsOf: folder.appendingPathComponent("bert-uncased/tokenizer.json"))
    }

    /// The shipped tokenizer.json with its normalizer replaced, as the generator does.
    static func tokenizer(variant: String) throws -> WordPieceTokenizer {
        let normalizers: [String: String] = [
            "shipped": "",
            "cased": #"{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":false,"lowercase":false}"#,
            "lowercase_keep_accents": #"{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":false,"lowercase":true}"#,
            "strip_accents_only": #"{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":true,"lowercase":false}"#,
            "no_cleaning": #"{"type":"BertNormalizer","clean_text":false,"handle_chinese_chars":false,"strip_accents":null,"lowercase":true}"#,
        ]
        var text = String(decoding: try shippedJSON(), as: UTF8.self)
        let replacement = try #require(normalizers[variant])
        if !replacement.isEmpty {
            let start = try #require(text.range(of: "\"normalizer\":{"))
            let end = try #require(text.range(of: "}", range: start.upperBound..<text.endIndex))
            text.replaceSubrange(start.lowerBound..<end.upperBound, with: "\"normalizer\":" + replacement)
        }
        return try TokenizerFiles.tokenizer(json: Data(text.utf8))
    }

    @Test("every corpus text gives the ids tokenizers gives, under the shipped normalizer and four variants")
    func corpusParity() throws {
        let parity = try Self.parity()
        #expect(parity.texts.count > 400)
        #expect(parity.variants.count == 5)
        for variant in parity.variants {
            let tokenizer = try Self.tokenizer(variant: variant.name)
            var mismatches: [String] = []
            for (text, expected) in zip(parity.texts, variant.ids) {
                let got = tokenizer.encode(text).ids
                if got != expected {
                    mismatches.append("\(text.debugDescription): got \(got), want \(expected)")
                }
            }
            #expect(mismatches.isEmpty, "\(variant.name): \(mismatches.count) mismatches, first: \(mismatches.prefix(3))")
        }
    }

    @Test("truncation keeps the template's special tokens; pairs lose tokens longest first")
    func truncationParity() throws {
        let parity = try Self.parity()
        let tokenizer = try Self.tokenizer(variant: "shipped")
        #expect(parity.truncation.count >= 20)
        for case_ in parity.truncation {
            let single = tokenizer.encode(case_.a, maxLength: case_.max_length)
            #expect(single.ids == case_.single, "single \(case_.a.debugDescription) at \(case_.max_length)")
            #expect(single.truncated == (tokenizer.encode(case_.a).ids.count > case_.max_length))
            let pair = tokenizer.encode(case_.a, pair: case_.b, maxLength: case_.max_length)
            #expect(pair.ids == case_.pair, "pair \(case_.a.debugDescription) + \(case_.b.debugDescription) at \(case_.max_length)")
            #expect(pair.typeIDs == case_.pair_type_ids)
        }
    }

    @Test("vocab.txt alone gives the same ids as tokenizer.json")
    func vocabularyFileParity() throws {
        let json = try Self.tokenizer(variant: "shipped")
        let lines = json.tokens.map { $0 ?? "" }.joined(separator: "\n") + "\n"
        let fromVocab = try TokenizerFiles.tokenizer(vocabulary: lines)
        #expect(fromVocab.tokens.count == 30522)
        let parity = try Self.parity()
        for (text, expected) in zip(parity.texts, parity.variants[0].ids) {
            #expect(fromVocab.encode(text).ids == expected, "\(text.debugDescription)")
        }
    }

    @Test("a batch is padded to its longest input with the pad id, the mask marking real tokens")
    func batchPadding() throws {
        let tokenizer = try Self.tokenizer(variant: "shipped")
        let batch = tokenizer.encodeBatch(["hello world", "", "a man is eating food."], maxLength: 256)
        #expect(batch.batchSize == 3)
        #expect(batch.sequenceLength == 8)
        #expect(batch.tokenCounts == [4, 2, 8])
        #expect(Array(batch.inputIDs[0..<8]) == [101, 7592, 2088, 102, 0, 0, 0, 0])
        #expect(Array(batch.attentionMask[8..<16]) == [1, 1, 0, 0, 0, 0, 0, 0])
        #expect(batch.tokenTypeIDs.allSatisfy { $0 == 0 })
        #expect(batch.truncated == [false, false, false])
        let short = tokenizer.encodeBatch(["a man is eating food."], maxLength: 5)
        #expect(short.inputIDs == [101, 1037, 2158, 2003, 102])
        #expect(short.truncated == [true])
    }

    @Test("tokenizer files outside what is implemented are refused with a reason")
    func refusals() throws {
        let base = String(decoding: try Self.shippedJSON(), as: UTF8.self)
        let cases: [(String, String, String)] = [
            (#""model":{"type":"WordPiece""#, #""model":{"type":"BPE""#, "model type 'BPE'"),
            (#""type":"BertPreTokenizer""#, #""type":"Metaspace""#, "pre-tokenizer 'Metaspace'"),
            (#""type":"BertNormalizer""#, #""type":"NFKC""#, "normalizer 'NFKC'"),
            (#""type":"TemplateProcessing""#, #""type":"RobertaProcessing""#, "post-processor 'RobertaProcessing'"),
        ]
        for (from, to, message) in cases {
            let changed = base.replacingOccurrences(of: from, with: to)
            #expect(changed != base)
            #expect {
                _ = try TokenizerFiles.tokenizer(json: Data(changed.utf8))
            } throws: { error in
                (error as? TokenizerError)?.message.contains(message) == true
            }
        }
        #expect(throws: TokenizerError.self) { _ = try TokenizerFiles.tokenizer(json: Data("[1, 2".utf8)) }
        #expect(throws: TokenizerError.self) { _ = try TokenizerFiles.tokenizer(vocabulary: "") }
        #expect(throws: TokenizerError.self) { _ = try TokenizerFiles.tokenizer(vocabulary: "a\nb\n") }
    }
}
