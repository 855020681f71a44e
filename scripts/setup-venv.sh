#!/usr/bin/env bash
# Creates (or updates) a Python virtual environment at the repository root with pinned requirements.
# Usage: scripts/setup-venv.sh VENV_NAME REQUIREMENTS_FILE   e.g. scripts/setup-venv.sh .venv-onnx scripts/onnx/requirements.txt
# Idempotent: when the venv already satisfies the requirements (same file hash) it returns at once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/$1"
REQ="$ROOT/$2"
STAMP="$VENV/.requirements.sha256"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
WANT="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
    exit 0
fi
echo "installing $2 into $1 (once)" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
echo "$WANT" > "$STAMP"
