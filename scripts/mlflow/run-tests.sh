#!/usr/bin/env bash
# Runs the MLflow-compatibility suite (Tests/mlflow): the real, unchanged `mlflow` Python client against a server.
# Usage: scripts/mlflow/run-tests.sh [path-to-modelyard-binary] [pytest args...]
#        (default binary .build/debug/modelyard; build it first with `swift build`)
# With MLFLOW_TEST_TARGET=mlflow the same suite runs against a real `mlflow server` instead, minus the
# Modelyard-only cross-surface tests (deselected): that proves the tests encode real MLflow behaviour.
# Exits non-zero if any test fails or is skipped (Tests/mlflow/conftest.py turns skips into a failure).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="${MLFLOW_TEST_TARGET:-modelyard}"
BINARY="${1:-$ROOT/.build/debug/modelyard}"
[ $# -gt 0 ] && shift

"$ROOT/scripts/mlflow/setup-venv.sh"

SELECT=()
case "$TARGET" in
    modelyard)
        [ -x "$BINARY" ] || { echo "modelyard binary not found or not executable: $BINARY" >&2; exit 1; }
        export MODELYARD_BINARY="$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")"
        ;;
    mlflow)
        SELECT=(-m "not modelyard_only")
        ;;
    *)
        echo "MLFLOW_TEST_TARGET must be modelyard or mlflow, not '$TARGET'" >&2
        exit 2
        ;;
esac
export MLFLOW_TEST_TARGET="$TARGET"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the work tree

cd "$ROOT/Tests/mlflow"
exec "$ROOT/.venv-mlflow/bin/python" -m pytest -p no:cacheprovider -rfEs "${SELECT[@]}" "$@" .
