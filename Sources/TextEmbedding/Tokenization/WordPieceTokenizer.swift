/// A BERT-family tokenizer: added (special) tokens matched in the raw text, `BertNormalizer`, the BERT
/// pre-tokenizer (split on whitespace, every punctuation character a word of its own), WordPiece (greedy longest
/// match, `##` continuations, a word with any unmatched position or longer than `maxInputCharactersPerWord` becomes
/// `[UNK]`), then the post-processor's template (`[CLS] A [SEP]`, `[CLS] A [SEP] B [SEP]`), truncation and padding.
/// Built from `tokenizer.json` or `vocab.txt` (see `TokenizerFiles`); ids match Hugging Face `tokenizers`.
public struct WordPieceTokenizer: Sendable {
    /// One element of a post-processing template.
    public enum TemplatePiece: Sendable, Equatable {
        case special(ids: [Int32], typeID: Int32)
        /// The first (`A`) or second (`B`) sequence.
        case sequence(first: Bool, typeID: Int32)
    }

    /// A token matched as a whole before normalisation (`normalized: false`, as BERT's specials are) or after it.
    public struct AddedToken: Sendable, Equatable {
        public var content: String
        public var id: Int32
        public var normalized: Bool
        public init(content: String, id: Int32, normalized: Bool) {
            self.content = content
            self.id = id
            self.normalized = normalized
        }
    }

    /// `nil`: the text is tokenized as written.
    public let normalizer: BertNormalizer?
    let vocabulary: WordPieceVocabulary
    public let unknownID: Int32
    public let padID: Int32
    public let maxInputCharactersPerWord: Int
    public let singleTemplate: [TemplatePiece]
    public let pairTemplate: [TemplatePiece]
    /// The truncation `tokenizer.json` asks for (special tokens included), if any. Callers decide whether to follow
    /// it: a sentence-transformers model's `max_seq_length` wins over it.
    public let fileTruncation: Int?
    let addedTokens: [AddedToken]
    private let rawPatterns: [(scalars: [Unicode.Scalar], id: Int32)]
    private let normalizedPatterns: [(scalars: [Unicode.Scalar], id: Int32)]
    /// Vocabulary entries by id (`nil` for ids no entry has), for fingerprints and `vocab.txt` round trips.
    public let tokens: [String?]

    init(
        normalizer: BertNormalizer?, vocabulary: [(token: String, id: Int32)], unknownToken: String,
        continuingPrefix: String, maxInputCharactersPerWord: Int, singleTemplate: [TemplatePiece],
        pairTemplate: [TemplatePiece], padID: Int32, fileTruncation: Int?, addedTokens: [AddedToken]
    ) throws {
        self.normalizer = normalizer
        self.vocabulary = WordPieceVocabulary(entries: vocabulary, continuingPrefix: continuingPrefix)
        guard let unknown = self.vocabulary.id(of: unknownToken) ?? addedTokens.first(where: { $0.content == unknownToken })?.id else {
            throw TokenizerError("the unknown token '\(unknownToken)' is not in the vocabulary")
        }
        self.unknownID = unknown
        self.padID = padID
        self.maxInputCharactersPerWord = maxInputCharactersPerWord
        self.singleTemplate = singleTemplate
        self.pairTemplate = pairTemplate
        self.fileTruncation = fileTruncation
        self.addedTokens = addedTokens
        rawPatterns = addedTokens.filter { !$0.normalized && !$0.content.isEmpty }.map { (Array($0.content.unicodeScalars), $0.id) }
        normalizedPatterns = addedTokens.filter { $0.normalized && !$0.content.isEmpty }.map { (Array($0.content.unicodeScalars), $0.id) }
        let largest = Int(vocabulary.map(\.id).max() ?? -1)
        var byID = [String?](repeating: nil, count: max(0, largest + 1))
        for (token, id) in vocabulary where id >= 0 && byID[Int(id)] == nil { byID[Int(id)] = token }
        tokens = byID
    }

    /// How many special tokens the template adds to one sequence, or to a pair.
    public func specialTokenCount(pair: Bool) -> Int {
        (pair ? pairTemplate : singleTemplate).reduce(0) {
            if case .special(let ids, _) = $1 { return $0 + ids.count }
            return $0
        }
    }

    /// The model's tokens for `text`, without special tokens, untruncated.
    public func tokenize(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        let scalars = Array(text.unicodeScalars)
        for segment in split(scalars[...], by: rawPatterns) {
            switch segment {
            case .token(let id): ids.append(id)
            case .text(let raw):
                let normalized = normalizer?.normalize(raw) ?? Array(raw)
                for inner in split(normalized[...], by: normalizedPatterns) {
                    switch inner {
                    case .token(let id): ids.append(id)
                    case .text(let part): wordPieces(part, into: &ids)
                    }
                }
            }
        }
        return ids
    }

    /// One input encoded with its template: ids, token type ids, and whether truncation removed tokens.
    public struct Encoding: Sendable, Equatable {
        public var ids: [Int32]
        public var typeIDs: [Int32]
        public var truncated: Bool
    }

    /// `text` (and `pair`) with special tokens, truncated to `maxLength` tokens in all (longest first for a pair,
    /// as `tokenizers` does) when given.
    public func encode(_ text: String, pair: String? = nil, maxLength: Int? = nil) -> Encoding {
        var first = tokenize(text)
        var second = pair.map(tokenize)
        var truncated = false
        if let maxLength {
            let budget = max(0, maxLength - specialTokenCount(pair: second != nil))
            if var b = second {
                if first.count + b.count > budget {
                    truncated = true
                    var (n1, n2) = (first.count, b.count)
                    let swapped = n1 > n2
                    if swapped { swap(&n1, &n2) }
                    n2 = n1 > budget ? n1 : max(n1, budget - n1)
                    if n1 + n2 > budget {
                        n1 = budget / 2
                        n2 = n1 + budget % 2
                    }
                    if swapped { swap(&n1, &n2) }
                    first.removeLast(max(0, first.count - n1))
                    b.removeLast(max(0, b.count - n2))
                    second = b
                }
            } else if first.count > budget {
                truncated = true
                first.removeLast(first.count - budget)
            }
        }
        var ids: [Int32] = []
        var types: [Int32] = []
        let template = second == nil ? singleTemplate : pairTemplate
        ids.reserveCapacity(first.count + (second?.count ?? 0) + 4)
        for piece in template {
            switch piece {
            case .special(let special, let type):
                ids.append(contentsOf: special)
                types.append(contentsOf: repeatElement(type, count: special.count))
            case .sequence(let isFirst, let type):
                let part = isFirst ? first : (second ?? [])
                ids.append(contentsOf: part)
                types.append(contentsOf: repeatElement(type, count: part.count))
            }
        }
        return Encoding(ids: ids, typeIDs: types, truncated: truncated)
    }

    /// Many inputs, right-padded with the pad id to the longest of the batch: row-major `[batch, sequence]` int64
    /// arrays, ready to be the model's `input_ids`, `attention_mask` and `token_type_ids`.
    public func encodeBatch(_ texts: [String], maxLength: Int?) -> TokenBatch {
        let encodings = texts.map { encode($0, maxLength: maxLength) }
        let length = encodings.map(\.ids.count).max() ?? 0
        var batch = TokenBatch(
            batchSize: texts.count, sequenceLength: length,
            inputIDs: [Int64](repeating: Int64(padID), count: texts.count * length),
            attentionMask: [Int64](repeating: 0, count: texts.count * length),
            tokenTypeIDs: [Int64](repeating: 0, count: texts.count * length),
            tokenCounts: encodings.map(\.ids.count), truncated: encodings.map(\.truncated))
        for (row, encoding) in encodings.enumerated() {
            let base = row * length
            for (i, id) in encoding.ids.enumerated() {
                batch.inputIDs[base + i] = Int64(id)
                batch.attentionMask[base + i] = 1
                batch.tokenTypeIDs[base + i] = Int64(encoding.typeIDs[i])
            }
        }
        return batch
    }

    // MARK: - Pieces

    private enum Segment {
        case text(ArraySlice<Unicode.Scalar>)
        case token(Int32)
    }

    /// Splits at every occurrence of an added token: leftmost match first, the longest where several start there.
    private func split(_ text: ArraySlice<Unicode.Scalar>, by patterns: [(scalars: [Unicode.Scalar], id: Int32)]) -> [Segment] {
        guard !patterns.isEmpty, !text.isEmpty else { return text.isEmpty ? [] : [.text(text)] }
        var segments: [Segment] = []
        var plainStart = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            var best: (length: Int, id: Int32)? = nil
            for (pattern, id) in patterns where pattern.count > (best?.length ?? 0) && text.endIndex - i >= pattern.count {
                if text[i..<(i + pattern.count)].elementsEqual(pattern) { best = (pattern.count, id) }
            }
            if let best {
                if plainStart < i { segments.append(.text(text[plainStart..<i])) }
                segments.append(.token(best.id))
                i += best.length
                plainStart = i
            } else {
                i += 1
            }
        }
        if plainStart < text.endIndex { segments.append(.text(text[plainStart..<text.endIndex])) }
        return segments
    }

    /// BERT pre-tokenization and WordPiece over normalised scalars.
    private func wordPieces(_ text: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        var wordStart = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            let scalar = text[i]
            if BertNormalizer.isWhitespace(scalar) {
                if wordStart < i { word(text[wordStart..<i], into: &ids) }
                wordStart = i + 1
            } else if BertNormalizer.isPunctuation(scalar) {
                if wordStart < i { word(text[wordStart..<i], into: &ids) }
                word(text[i..<(i + 1)], into: &ids)
                wordStart = i + 1
            }
            i += 1
        }
        if wordStart < text.endIndex { word(text[wordStart..<text.endIndex], into: &ids) }
    }

    private func word(_ word: ArraySlice<Unicode.Scalar>, into ids: inout [Int32]) {
        if word.count > maxInputCharactersPerWord {
            ids.append(unknownID)
            return
        }
        let mark = ids.count
        var start = word.startIndex
        while start < word.endIndex {
            let root = start == word.startIndex ? vocabulary.wordRoot : vocabulary.continuationRoot
            guard let (id, end) = vocabulary.longestMatch(word, from: start, root: root) else {
                ids.removeLast(ids.count - mark)
                ids.append(unknownID)
                return
            }
            ids.append(id)
            start = end
        }
    }
}

/// Token ids of a padded batch, row-major `[batchSize, sequenceLength]`.
public struct TokenBatch: Sendable, Equatable {
    public var batchSize: Int
    public var sequenceLength: Int
    public var inputIDs: [Int64]
    public var attentionMask: [Int64]
    public var tokenTypeIDs: [Int64]
    /// Tokens of each input, special tokens included, padding excluded.
    public var tokenCounts: [Int]
    /// Whether each input lost tokens to truncation.
    public var truncated: [Bool]
}

/// A tokenizer file that cannot be used: the message says what is wrong and never names a path.
public struct TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
