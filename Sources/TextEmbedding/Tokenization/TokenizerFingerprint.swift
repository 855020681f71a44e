import Crypto
import Foundation

extension WordPieceTokenizer {
    /// SHA-256 (hex) of everything that decides the ids: the vocabulary by id, the normaliser's settings, the
    /// unknown token, the per-word limit, the added tokens and the templates. Equal fingerprints, equal ids.
    public var fingerprint: String {
        var hasher = SHA256()
        func add(_ text: String) { hasher.update(data: Data((text + "\u{0}").utf8)) }
        add("wordpiece/1")
        if let n = normalizer {
            add("normalizer \(n.cleanText) \(n.handleChineseCharacters) \(n.stripAccents) \(n.lowercase)")
        } else {
            add("no normalizer")
        }
        add("unk \(unknownID) pad \(padID) max \(maxInputCharactersPerWord)")
        for (id, token) in tokens.enumerated() { add("\(id) \(token ?? "")") }
        for token in addedTokens { add("added \(token.id) \(token.normalized) \(token.content)") }
        add("single \(singleTemplate)")
        add("pair \(pairTemplate)")
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
