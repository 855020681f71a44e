#!/usr/bin/env bash
# Benchmarks Modelyard's model serving against MLServer (see bench.py's docstring for what is measured): Open
# Inference Protocol predictions/s and p50/p99 latency of a 100-tree random forest at batch 1 and 100, and the time
# from a deploy request to the first prediction answered by a new ~100 MB version, with zero failed requests.
# Sets up .venv-serving (pinned MLServer, scikit-learn, skl2onnx), installs wrk (the load generator) from Debian's
# packages when it is missing and this runs as root, then runs bench.py.
# Usage: scripts/serving/bench.sh [path-to-modelyard-binary] [--quick] [--json OUT] [bench.py options]
#        (default binary .build/release/modelyard; build it with `swift build -c release`)
# Takes about 4 minutes on two cores plus the waits for an idle machine; the figures are only meaningful on an
# otherwise idle machine (the script waits for one and warns about measurements that other programs skewed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/setup-venv.sh" .venv-serving scripts/serving/requirements.txt
if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing wrk (Debian package) once" >&2
        apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
    else
        echo "wrk is required (Debian: sudo apt-get install -y wrk)" >&2
        exit 1
    fi
fi
# One BLAS thread per call: OpenBLAS's idle threads otherwise compete for the cores (both servers).
export OPENBLAS_NUM_THREADS=1
export PYTHONDONTWRITEBYTECODE=1
exec "$ROOT/.venv-serving/bin/python" "$ROOT/scripts/serving/bench.py" "$@"
