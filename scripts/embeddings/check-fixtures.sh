#!/usr/bin/env bash
# Regenerates the embedding fixtures (the tokenizer parity corpus, the shipped BERT tokenizer, the random-weight BERT
# folder with its ONNX exports and reference outputs, the character tables the Swift tokenizer compiles in) into a
# temporary directory with the pinned tokenizers, onnx and onnxruntime, and checks them against the committed ones:
# byte for byte, except the reference outputs, which are NumPy float64 products and so may differ in the last bits
# from one CPU's BLAS to another's (compared within 1e-6). Run by the main test command.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/embeddings/setup-venv.sh"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
nice -n 19 "$ROOT/.venv-embed/bin/python" "$ROOT/scripts/embeddings/generate_fixtures.py" --out "$TMP/fixtures" \
    --tables "$TMP/BertCharacterTables.swift" >/dev/null
status=0
diff -rq -x '*.expected.json' "$ROOT/fixtures/embeddings" "$TMP/fixtures" || status=1
cmp "$ROOT/Sources/TextEmbedding/Tokenization/BertCharacterTables.swift" "$TMP/BertCharacterTables.swift" || status=1
"$ROOT/.venv-embed/bin/python" - "$ROOT/fixtures/embeddings" "$TMP/fixtures" <<'PYEOF' || status=1
import json, os, sys
committed, fresh = sys.argv[1], sys.argv[2]
for name in sorted(f for f in os.listdir(fresh) if f.endswith(".expected.json")):
    old, new = json.load(open(os.path.join(committed, name))), json.load(open(os.path.join(fresh, name)))
    if old.keys() != new.keys():
        sys.exit(f"{name}: keys differ")
    for key in old:
        a, b = old[key], new[key]
        if isinstance(a, list) and a and isinstance(a[0], float):
            if len(a) != len(b) or any(abs(x - y) > 1e-6 for x, y in zip(a, b)):
                sys.exit(f"{name}: {key} differs by more than 1e-6")
        elif a != b:
            sys.exit(f"{name}: {key} differs")
PYEOF
if [ "$status" != 0 ]; then
    echo "embedding fixtures differ from what scripts/embeddings/generate_fixtures.py writes" >&2
    exit 1
fi
echo "embedding fixtures reproducible: $(find "$TMP/fixtures" -type f | wc -l) files and the character tables"
