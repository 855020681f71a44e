#!/usr/bin/env bash
# Creates .venv-onnx at the repository root with the pinned fixture/benchmark requirements (idempotent).
exec "$(dirname "${BASH_SOURCE[0]}")/../setup-venv.sh" .venv-onnx scripts/onnx/requirements.txt
