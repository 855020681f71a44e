#!/usr/bin/env bash
# Creates .venv-mlflow at the repository root and installs the pinned MLflow client/test requirements.
# Idempotent: when the venv already satisfies requirements.txt it returns in about a second.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv-mlflow"
REQ="$ROOT/scripts/mlflow/requirements.txt"
STAMP="$VENV/.requirements.sha256"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
WANT="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
    exit 0
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
echo "$WANT" > "$STAMP"
