#!/usr/bin/env bash
# Creates .venv-mlflow at the repository root with the pinned MLflow client/test requirements (idempotent).
exec "$(dirname "${BASH_SOURCE[0]}")/../setup-venv.sh" .venv-mlflow scripts/mlflow/requirements.txt
