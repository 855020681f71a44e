#!/usr/bin/env bash
# Runs the Open Inference Protocol suite (Tests/inference): the real, unchanged `tritonclient[http]` Python client
# against `modelyard serve`, proving the /v2 surface (including the binary tensor data extension) works with it.
# Usage: scripts/inference/run-tests.sh [path-to-modelyard-binary] [pytest args...]
#        (default binary .build/debug/modelyard; build it first with `swift build`)
# Exits non-zero if any test fails or is skipped (Tests/inference/conftest.py turns skips into a failure).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BINARY="${1:-$ROOT/.build/debug/modelyard}"
[ $# -gt 0 ] && shift

"$ROOT/scripts/setup-venv.sh" .venv-inference scripts/inference/requirements.txt

[ -x "$BINARY" ] || { echo "modelyard binary not found or not executable: $BINARY" >&2; exit 1; }
export MODELYARD_BINARY="$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the work tree

cd "$ROOT/Tests/inference"
exec "$ROOT/.venv-inference/bin/python" -m pytest -p no:cacheprovider -rfEs "$@" .
