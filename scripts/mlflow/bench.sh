#!/usr/bin/env bash
# Benchmarks Modelyard's MLflow-compatible REST API against a real `mlflow server` (see bench.py's docstring for
# what is measured). Sets up .venv-mlflow (pinned mlflow client and server), then runs bench.py.
# Usage: scripts/mlflow/bench.sh [path-to-modelyard-binary] [--only mlflow|modelyard] [--quick] [--json OUT]
#        (default binary .build/release/modelyard; build it with `swift build -c release`)
# Takes about 6 minutes in full size on two cores, most of it on MLflow's side; the figures are only meaningful on
# an otherwise idle machine (the script waits for one and flags rows that other programs skewed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/mlflow/setup-venv.sh"
# One BLAS thread per call: OpenBLAS's idle threads otherwise compete for the cores.
export OPENBLAS_NUM_THREADS=1
exec "$ROOT/.venv-mlflow/bin/python" "$ROOT/scripts/mlflow/bench.py" "$@"
