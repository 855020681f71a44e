import Foundation

/// BERT's text normalisation, exactly as Hugging Face `tokenizers` applies its `BertNormalizer`: clean the text,
/// put spaces around CJK ideographs, strip accents, lowercase, in that order, one Unicode scalar at a time.
///
/// Where `tokenizers` and Google's original BERT differ, `tokenizers` is followed, since that is what produced the
/// ids a model was trained and exported with: controls are categories Cc (less `\t \n \r`), Cf and Co, not Cn; the
/// CJK ranges include `tokenizers`' 2B920–2CEAF (not 2B820); lowercasing maps each scalar on its own (no final-sigma
/// rule).
public struct BertNormalizer: Sendable, Equatable {
    /// Drop NUL, U+FFFD and control characters; turn every whitespace character into a space.
    public var cleanText: Bool
    /// Put a space on each side of every CJK ideograph, so each becomes a word of its own.
    public var handleChineseCharacters: Bool
    /// Decompose (NFD) and drop nonspacing marks.
    public var stripAccents: Bool
    public var lowercase: Bool

    /// `stripAccents: nil` follows `lowercase`, as in `tokenizers`.
    public init(cleanText: Bool = true, handleChineseCharacters: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseCharacters = handleChineseCharacters
        self.stripAccents = stripAccents ?? lowercase
        self.lowercase = lowercase
    }

    /// The normalised scalars of `text`.
    public func normalize(_ text: some Sequence<Unicode.Scalar>) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.underestimatedCount + 8)
        var ascii = true
        for scalar in text {
            if cleanText {
                let v = scalar.value
                if v == 0 || v == 0xFFFD || Self.isControl(scalar) { continue }
                if Self.isWhitespace(scalar) {
                    out.append(" ")
                    continue
                }
            }
            if handleChineseCharacters, Self.isChineseCharacter(scalar) {
                out.append(" ")
                out.append(scalar)
                out.append(" ")
                ascii = false
                continue
            }
            if !scalar.isASCII { ascii = false }
            out.append(scalar)
        }
        if ascii {
            // Neither accents nor case mappings beyond ASCII can occur.
            if lowercase {
                for i in out.indices where out[i].value >= 65 && out[i].value <= 90 {
                    out[i] = Unicode.Scalar(out[i].value + 32)!
                }
            }
            return out
        }
        if stripAccents {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: out)
            let decomposed = String(view).decomposedStringWithCanonicalMapping
            out.removeAll(keepingCapacity: true)
            for scalar in decomposed.unicodeScalars
                where !BertCharacterTables.contains(BertCharacterTables.nonspacingMarks, scalar.value)
            {
                out.append(scalar)
            }
        }
        if lowercase {
            var lowered: [Unicode.Scalar] = []
            lowered.reserveCapacity(out.count)
            for scalar in out {
                if scalar.isASCII {
                    lowered.append(scalar.value >= 65 && scalar.value <= 90 ? Unicode.Scalar(scalar.value + 32)! : scalar)
                } else if scalar.properties.changesWhenLowercased {
                    lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                } else {
                    lowered.append(scalar)
                }
            }
            out = lowered
        }
        return out
    }

    /// `\t \n \r` and the Unicode White_Space property.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09, 0x0A, 0x0D: return true
        case 0..<0x80: return scalar.value == 0x0B || scalar.value == 0x0C
        default: return scalar.properties.isWhitespace
        }
    }

    /// Categories Cc, Cf and Co, less `\t \n \r` (which count as whitespace), as `tokenizers` classifies them.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 { return (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || v == 0x7F }
        return BertCharacterTables.contains(BertCharacterTables.control, v)
    }

    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default: return false
        }
    }

    /// ASCII punctuation (`!`–`/`, `:`–`@`, `[`–`` ` ``, `{`–`~`) and the Unicode P* categories as `tokenizers`
    /// knows them.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x80 {
            return (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v)
        }
        return BertCharacterTables.contains(BertCharacterTables.punctuation, v)
    }
}

extension BertCharacterTables {
    /// Whether `value` lies in one of the sorted flat `[first, last, ...]` ranges.
    static func contains(_ table: [UInt32], _ value: UInt32) -> Bool {
        var lo = 0
        var hi = table.count / 2
        while lo < hi {
            let mid = (lo + hi) >> 1
            if value < table[2 * mid] {
                hi = mid
            } else if value > table[2 * mid + 1] {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}
