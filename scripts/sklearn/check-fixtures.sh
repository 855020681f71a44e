#!/usr/bin/env bash
# Regenerates the scikit-learn fixtures under each pinned version (the oldest and the newest scikit-learn that
# install for this Python: requirements-*.txt) into a temporary directory and checks that scikit-learn's recorded
# inputs and outputs match the committed fixtures/sklearn/VERSION/*.json (labels exactly, numbers within 1e-9
# relative: training is in float64 on fixed seeds, so only BLAS rounding can move them).
# Run by the main test command; makes the venvs .venv-sklearn-VERSION once.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for requirements in "$ROOT"/scripts/sklearn/requirements-*.txt; do
    version="$(basename "$requirements" .txt)"
    version="${version#requirements-}"
    "$ROOT/scripts/setup-venv.sh" ".venv-sklearn-$version" "scripts/sklearn/requirements-$version.txt"
    nice -n 19 "$ROOT/.venv-sklearn-$version/bin/python" "$ROOT/scripts/sklearn/generate_fixtures.py" --out "$TMP/$version" >/dev/null
    python3 - "$ROOT/fixtures/sklearn/$version" "$TMP/$version" <<'PYEOF'
import json, os, sys
committed, fresh = sys.argv[1], sys.argv[2]
names = sorted(f for f in os.listdir(fresh) if f.endswith(".json"))
differs = sorted(set(f for f in os.listdir(committed) if f.endswith(".json")) ^ set(names))
problems = [f"fixture set differs: {differs}"] if differs else []
def same(a, b):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-9 * max(1.0, abs(b))
    return a == b
for name in names:
    new = json.load(open(os.path.join(fresh, name)))
    path = os.path.join(committed, name)
    if not os.path.exists(path):
        continue
    old = json.load(open(path))
    for a, b in zip(new["cases"], old["cases"]):
        if not same(a["X"], b["X"]) or a["outputs"].keys() != b["outputs"].keys() or not all(
                same(a["outputs"][m].get("values"), b["outputs"][m].get("values")) for m in a["outputs"]):
            problems.append(f"{os.path.basename(committed)}/{name}: case '{b['name']}' differs from the committed fixture")
if problems:
    print("\n".join(problems)); sys.exit(1)
print(f"scikit-learn {os.path.basename(committed)}: {len(names)} fixtures reproducible")
PYEOF
done
