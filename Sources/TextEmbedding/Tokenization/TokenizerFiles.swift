import Foundation
import ModelRuntime

/// Reads the tokenizer files BERT-family models ship: Hugging Face `tokenizer.json`, or `vocab.txt` (one token per
/// line, the line number its id) with BERT's defaults. Anything outside what `WordPieceTokenizer` implements is
/// refused with a message naming it, never approximated.
public enum TokenizerFiles {
    /// Largest vocabulary accepted (BERT's is 30,522; multilingual ones reach about 250,000).
    public static let maxVocabularySize = 1_000_000

    /// A tokenizer from `tokenizer.json`: a WordPiece model with a `BertNormalizer` (or none), the BERT
    /// pre-tokenizer, and a `TemplateProcessing` or `BertProcessing` post-processor (or none).
    public static func tokenizer(json data: Data) throws -> WordPieceTokenizer {
        let root: FastJSON.Value
        do { root = try FastJSON.parseValue(data) } catch { throw TokenizerError("tokenizer.json is not valid JSON: \(error)") }
        guard case .object = root else { throw TokenizerError("tokenizer.json is not a JSON object") }

        guard let model = root["model"], model["type"]?.string == "WordPiece" else {
            throw TokenizerError("tokenizer.json: model type '\(root["model"]?["type"]?.string ?? "none")' is not supported (WordPiece only)")
        }
        guard case .object(let vocab)? = model["vocab"] else { throw TokenizerError("tokenizer.json: model.vocab is missing") }
        guard vocab.count <= maxVocabularySize else { throw TokenizerError("tokenizer.json: the vocabulary has more than \(maxVocabularySize) entries") }
        var entries: [(token: String, id: Int32)] = []
        entries.reserveCapacity(vocab.count)
        for (token, value) in vocab {
            guard let id = value.int, id >= 0, id < maxVocabularySize else {
                throw TokenizerError("tokenizer.json: vocabulary entry '\(token.prefix(40))' has no valid id")
            }
            entries.append((token, Int32(id)))
        }
        entries.sort { $0.id < $1.id }

        var added: [WordPieceTokenizer.AddedToken] = []
        if case .array(let list)? = root["added_tokens"] {
            for item in list {
                guard let content = item["content"]?.string, let id = item["id"]?.int, id >= 0, id < maxVocabularySize else {
                    throw TokenizerError("tokenizer.json: an added token has no content or id")
                }
                for flag in ["lstrip", "rstrip", "single_word"] where item[flag]?.bool == true {
                    throw TokenizerError("tokenizer.json: added token '\(content.prefix(40))' sets \(flag), which is not supported")
                }
                added.append(.init(content: content, id: Int32(id), normalized: item["normalized"]?.bool ?? !(item["special"]?.bool ?? false)))
            }
        }

        let normalizer: BertNormalizer?
        switch root["normalizer"] {
        case nil, .null?: normalizer = nil
        case let n? where n["type"]?.string == "BertNormalizer":
            normalizer = BertNormalizer(
                cleanText: n["clean_text"]?.bool ?? true, handleChineseCharacters: n["handle_chinese_chars"]?.bool ?? true,
                stripAccents: n["strip_accents"]?.bool, lowercase: n["lowercase"]?.bool ?? true)
        case let n?:
            throw TokenizerError("tokenizer.json: normalizer '\(n["type"]?.string ?? "?")' is not supported (BertNormalizer only)")
        }
        switch root["pre_tokenizer"] {
        case let p? where p["type"]?.string == "BertPreTokenizer": break
        case let p?:
            throw TokenizerError("tokenizer.json: pre-tokenizer '\(p["type"]?.string ?? "none")' is not supported (BertPreTokenizer only)")
        case nil: throw TokenizerError("tokenizer.json: pre-tokenizer 'none' is not supported (BertPreTokenizer only)")
        }

        let (single, pair) = try templates(root["post_processor"], entries: entries, added: added)
        let unknown = model["unk_token"]?.string ?? "[UNK]"
        let padID = root["padding"]?["pad_id"]?.int.map(Int32.init) ?? id(of: "[PAD]", entries, added) ?? 0
        var truncation: Int? = nil
        if let length = root["truncation"]?["max_length"]?.int {
            guard length > 0 else { throw TokenizerError("tokenizer.json: truncation.max_length must be positive") }
            truncation = length
        }
        let maxChars = model["max_input_chars_per_word"]?.int ?? 100
        guard maxChars > 0 else { throw TokenizerError("tokenizer.json: max_input_chars_per_word must be positive") }
        return try WordPieceTokenizer(
            normalizer: normalizer, vocabulary: entries, unknownToken: unknown,
            continuingPrefix: model["continuing_subword_prefix"]?.string ?? "##", maxInputCharactersPerWord: maxChars,
            singleTemplate: single, pairTemplate: pair, padID: padID, fileTruncation: truncation, addedTokens: added)
    }

    /// A tokenizer from `vocab.txt` with BERT's defaults (`[CLS] A [SEP]`, `[UNK]`, `[PAD]`, 100 characters per
    /// word); `lowercase` comes from the model's `tokenizer_config.json` (`do_lower_case`, true when absent).
    public static func tokenizer(vocabulary text: String, lowercase: Bool = true, stripAccents: Bool? = nil) throws -> WordPieceTokenizer {
        var entries: [(token: String, id: Int32)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var token = Substring(line)
            if token.last == "\r" { token = token.dropLast() }
            if entries.count == maxVocabularySize { throw TokenizerError("vocab.txt has more than \(maxVocabularySize) entries") }
            entries.append((String(token), Int32(entries.count)))
        }
        if entries.last?.token.isEmpty == true { entries.removeLast() }
        guard !entries.isEmpty else { throw TokenizerError("vocab.txt is empty") }
        let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        let added = specials.compactMap { name in id(of: name, entries, []).map { WordPieceTokenizer.AddedToken(content: name, id: $0, normalized: false) } }
        guard let cls = id(of: "[CLS]", entries, []), let sep = id(of: "[SEP]", entries, []) else {
            throw TokenizerError("vocab.txt has no [CLS] or [SEP] token")
        }
        return try WordPieceTokenizer(
            normalizer: BertNormalizer(stripAccents: stripAccents, lowercase: lowercase), vocabulary: entries,
            unknownToken: "[UNK]", continuingPrefix: "##", maxInputCharactersPerWord: 100,
            singleTemplate: [.special(ids: [cls], typeID: 0), .sequence(first: true, typeID: 0), .special(ids: [sep], typeID: 0)],
            pairTemplate: [
                .special(ids: [cls], typeID: 0), .sequence(first: true, typeID: 0), .special(ids: [sep], typeID: 0),
                .sequence(first: false, typeID: 1), .special(ids: [sep], typeID: 1),
            ],
            padID: id(of: "[PAD]", entries, []) ?? 0, fileTruncation: nil, addedTokens: added)
    }

    private static func id(of token: String, _ entries: [(token: String, id: Int32)], _ added: [WordPieceTokenizer.AddedToken]) -> Int32? {
        added.first(where: { $0.content == token })?.id ?? entries.first(where: { $0.token == token })?.id
    }

    private static func templates(
        _ processor: FastJSON.Value?, entries: [(token: String, id: Int32)], added: [WordPieceTokenizer.AddedToken]
    ) throws -> (single: [WordPieceTokenizer.TemplatePiece], pair: [WordPieceTokenizer.TemplatePiece]) {
        guard let processor, case .object = processor else {
            return ([.sequence(first: true, typeID: 0)], [.sequence(first: true, typeID: 0), .sequence(first: false, typeID: 1)])
        }
        switch processor["type"]?.string {
        case "BertProcessing":
            guard let cls = processor["cls"]?.array?.last?.int, let sep = processor["sep"]?.array?.last?.int else {
                throw TokenizerError("tokenizer.json: BertProcessing needs cls and sep")
            }
            let (c, s) = (Int32(clamping: cls), Int32(clamping: sep))
            return (
                [.special(ids: [c], typeID: 0), .sequence(first: true, typeID: 0), .special(ids: [s], typeID: 0)],
                [
                    .special(ids: [c], typeID: 0), .sequence(first: true, typeID: 0), .special(ids: [s], typeID: 0),
                    .sequence(first: false, typeID: 1), .special(ids: [s], typeID: 1),
                ]
            )
        case "TemplateProcessing":
            var specials: [String: [Int32]] = [:]
            if case .object(let table)? = processor["special_tokens"] {
                for (name, value) in table {
                    guard let ids = value["ids"]?.array?.compactMap(\.int), !ids.isEmpty else {
                        throw TokenizerError("tokenizer.json: special token '\(name.prefix(40))' has no ids")
                    }
                    specials[name] = ids.map { Int32(clamping: $0) }
                }
            }
            func pieces(_ key: String) throws -> [WordPieceTokenizer.TemplatePiece] {
                guard let list = processor[key]?.array else { throw TokenizerError("tokenizer.json: TemplateProcessing.\(key) is missing") }
                return try list.map { item in
                    if let special = item["SpecialToken"], let name = special["id"]?.string {
                        guard let ids = specials[name] ?? id(of: name, entries, added).map({ [$0] }) else {
                            throw TokenizerError("tokenizer.json: template token '\(name.prefix(40))' is unknown")
                        }
                        return .special(ids: ids, typeID: Int32(clamping: special["type_id"]?.int ?? 0))
                    }
                    if let sequence = item["Sequence"], let name = sequence["id"]?.string, name == "A" || name == "B" {
                        return .sequence(first: name == "A", typeID: Int32(clamping: sequence["type_id"]?.int ?? 0))
                    }
                    throw TokenizerError("tokenizer.json: a TemplateProcessing piece is neither SpecialToken nor Sequence A/B")
                }
            }
            return (try pieces("single"), try pieces("pair"))
        case let other:
            throw TokenizerError("tokenizer.json: post-processor '\(other ?? "?")' is not supported (TemplateProcessing or BertProcessing)")
        }
    }
}

extension FastJSON.Value {
    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    var array: [FastJSON.Value]? { if case .array(let a) = self { return a } else { return nil } }
    /// An integral number as `Int`; nil for fractions, out-of-range values and non-numbers.
    var int: Int? {
        switch self {
        case .number(let d) where d == d.rounded() && abs(d) < 9.0e15: return Int(d)
        case .integer(let i): return Int(exactly: i)
        default: return nil
        }
    }
}
