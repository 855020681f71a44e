#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what the tests need, builds once, runs the suites,
# runs the real MLflow and tritonclient clients, a headless Chromium and Schemathesis against a live server, then checks that the committed ONNX fixtures are reproducible
# with the pinned Python exporters, the scikit-learn fixtures under both pinned scikit-learn versions, the drift oracle with the pinned Evidently,
# and the embedding fixtures (tokenizer ids, BERT outputs) with the pinned tokenizers and onnxruntime.
# Usage: scripts/test.sh        (CI runs exactly this through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

# System libraries: SQLite headers for GRDB, OpenBLAS (via pkg-config) for ModelRuntime's matrix products,
# zlib headers for CompressNIO (joblib's compressed files), python3-venv for the Python suites, chromium and its
# driver for the dashboard suite, curl to seed the schema fuzzing, libxml2 for FoundationXML (S3's XML answers),
# postgresql for the PostgreSQL tests (a cluster made by initdb in a temporary directory; no service is used).
NEEDED="libsqlite3-dev libopenblas-dev zlib1g-dev pkg-config python3-venv chromium chromium-driver curl libxml2 postgresql"
missing=""
for package in $NEEDED; do
    dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q $missing
    else
        echo "missing system packages:$missing (install them, e.g. sudo apt-get install$missing)" >&2
        exit 1
    fi
fi
# One BLAS thread per call: OpenBLAS's idle threads otherwise compete for the cores.
export OPENBLAS_NUM_THREADS=1

echo "== Package.swift declares every module each target imports"
python3 scripts/check-imports.py

echo "== swift build (debug, with tests)"
swift build --build-tests

echo "== S3 API for the artifact store tests: moto in server mode (the tests start and stop it)"
scripts/setup-venv.sh .venv-s3 scripts/s3/requirements.txt

echo "== swift test"
swift test --skip-build

echo "== MLflow compatibility: the real mlflow client against a live server"
scripts/mlflow/run-tests.sh .build/debug/modelyard

echo "== Open Inference Protocol: the real tritonclient against a live server"
scripts/inference/run-tests.sh .build/debug/modelyard

echo "== Text embeddings: all-MiniLM-L6-v2 through the real openai client and tritonclient, against sentence-transformers' vectors"
scripts/embeddings/run-tests.sh .build/debug/modelyard

echo "== Dashboard: a real headless Chromium against a live server (screenshots in .build/dashboard-screenshots)"
scripts/dashboard/run-tests.sh .build/debug/modelyard

echo "== Schema fuzzing: Schemathesis against /openapi.json with a token (fixed seed, at least 1,000 cases)"
scripts/schemathesis/run.sh .build/debug/modelyard

echo "== ONNX fixtures reproducible with onnxruntime and the pinned exporters"
scripts/onnx/check-fixtures.sh

echo "== scikit-learn fixtures reproducible under both pinned versions"
scripts/sklearn/check-fixtures.sh

echo "== Drift oracle reproducible with the pinned Evidently"
scripts/drift/check-oracle.sh

echo "== Embedding fixtures reproducible with the pinned tokenizers and onnxruntime"
scripts/embeddings/check-fixtures.sh
