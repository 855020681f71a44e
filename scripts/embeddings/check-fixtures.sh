#!/usr/bin/env bash
# Regenerates the embedding fixtures (tokenizer parity corpus, the shipped BERT tokenizer, the character tables the
# Swift tokenizer compiles in) into a temporary directory with the pinned tokenizers, and checks that they are
# byte for byte the committed ones. Run by the main test command.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/embeddings/setup-venv.sh"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
nice -n 19 "$ROOT/.venv-embed/bin/python" "$ROOT/scripts/embeddings/generate_fixtures.py" --out "$TMP/fixtures" \
    --tables "$TMP/BertCharacterTables.swift"
status=0
diff -rq "$ROOT/fixtures/embeddings" "$TMP/fixtures" || status=1
cmp "$ROOT/Sources/TextEmbedding/Tokenization/BertCharacterTables.swift" "$TMP/BertCharacterTables.swift" || status=1
if [ "$status" != 0 ]; then
    echo "embedding fixtures differ from what scripts/embeddings/generate_fixtures.py writes" >&2
    exit 1
fi
echo "embedding fixtures reproducible: $(find "$TMP/fixtures" -type f | wc -l) files and the character tables"
