#!/usr/bin/env bash
# Regenerates every fixture into a temporary directory and checks that onnxruntime's recorded inputs and
# outputs match the committed fixtures/onnx/*.json (labels exactly, numbers within 1e-4 relative).
# Why not tighter: the exporters train in float32 through the CPU's BLAS, whose kernels (AVX2 or AVX-512) round
# differently, so the same seeds give weights and outputs that differ by up to about 1e-5 from one CPU to another;
# a changed generator (other data, another model, another converter option) moves them by far more than 1e-4.
# Run by the main test command; needs the venv from scripts/onnx/setup-venv.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/onnx/setup-venv.sh"
PY="$ROOT/.venv-onnx/bin/python"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
nice -n 19 "$PY" "$ROOT/scripts/onnx/generate_fixtures.py" --out "$TMP" 2>/dev/null
"$PY" - "$ROOT/fixtures/onnx" "$TMP" <<'PYEOF'
import json, math, os, sys
committed, fresh = sys.argv[1], sys.argv[2]
names = sorted(f for f in os.listdir(fresh) if f.endswith(".json"))
missing = sorted(set(f for f in os.listdir(committed) if f.endswith(".json")) ^ set(names))
problems = [f"fixture set differs: {missing}"] if missing else []
def same(a, b):
    if isinstance(a, str) or isinstance(b, str) or isinstance(a, bool) or isinstance(a, int) and isinstance(b, int):
        return a == b
    return a == b or abs(a - b) <= 1e-4 * max(1.0, abs(b))
for name in names:
    with open(os.path.join(fresh, name)) as fh: new = json.load(fh)
    path = os.path.join(committed, name)
    if not os.path.exists(path): continue
    with open(path) as fh: old = json.load(fh)
    for key in ("inputs", "outputs"):
        for a, b in zip(new[key], old[key]):
            if a["name"] != b["name"] or a["shape"] != b["shape"] or a["datatype"] != b["datatype"] \
                    or len(a["data"]) != len(b["data"]) or not all(same(x, y) for x, y in zip(a["data"], b["data"])):
                problems.append(f"{name}: {key} '{b['name']}' differs from the committed fixture")
                break
if problems:
    print("\n".join(problems)); sys.exit(1)
print(f"fixtures reproducible: {len(names)} checked")
PYEOF
