#!/usr/bin/env bash
# Compiles scripts/onnx/ort_harness.c (onnxruntime's C API, dlopened at run time; no onnxruntime headers needed)
# into .build/ort-harness/ort_harness and prints that path. Needs a C compiler: Debian's gcc (build-essential),
# installed here when missing and running as root.
# Usage: scripts/onnx/build-ort-harness.sh   then   bench_ort.py --in-process .build/ort-harness/ort_harness ...
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SRC="$ROOT/scripts/onnx/ort_harness.c"
OUT="$ROOT/.build/ort-harness/ort_harness"
CC="${CC:-cc}"
if ! command -v "$CC" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing build-essential (no C compiler found)" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential >/dev/null
        CC=cc
    else
        echo "no C compiler ($CC): install build-essential" >&2
        exit 1
    fi
fi
mkdir -p "$(dirname "$OUT")"
if [ ! -x "$OUT" ] || [ "$SRC" -nt "$OUT" ]; then
    "$CC" -O2 -std=gnu11 -Wall -Wextra -o "$OUT.tmp" "$SRC" -ldl
    mv "$OUT.tmp" "$OUT"
fi
echo "$OUT"
