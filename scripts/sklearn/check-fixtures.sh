#!/usr/bin/env bash
# Checks the scikit-learn fixtures under each pinned version (the oldest and the newest scikit-learn that install
# for this Python: requirements-*.txt):
#  1. the committed model files, loaded by that scikit-learn, give the committed outputs on the committed inputs
#     (labels exactly, numbers within 1e-9 relative): what the Swift tests rely on;
#  2. regenerating them makes the same fixtures (names, estimators, cases). Retrained numbers are reported, not
#     compared: lbfgs-trained models (logistic regression) take a different path on another CPU's BLAS kernels and
#     end up to 3 % apart (an AMD EPYC against the machine that wrote the fixtures), so training is not reproducible
#     to 1e-9 across machines, while a given model's outputs are.
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
    "$ROOT/.venv-sklearn-$version/bin/python" "$ROOT/scripts/sklearn/generate_fixtures.py" --check "$ROOT/fixtures/sklearn/$version"
    python3 - "$ROOT/fixtures/sklearn/$version" "$TMP/$version" <<'PYEOF'
import json, os, sys
committed, fresh = sys.argv[1], sys.argv[2]
names = sorted(f for f in os.listdir(fresh) if f.endswith(".json"))
differs = sorted(set(f for f in os.listdir(committed) if f.endswith(".json")) ^ set(names))
if differs:
    sys.exit(f"fixture set differs from the committed one: {differs}")
retrained = []
for name in names:
    new, old = (json.load(open(os.path.join(d, name))) for d in (fresh, committed))
    if new["estimator"] != old["estimator"] or [c["name"] for c in new["cases"]] != [c["name"] for c in old["cases"]]:
        sys.exit(f"{name}: the regenerated fixture has other estimators or cases than the committed one")
    if json.dumps(new["cases"]) != json.dumps(old["cases"]):
        retrained.append(name[:-len(".json")])
note = f"; retrained on this machine, {len(retrained)} differ in numbers ({', '.join(retrained)})" if retrained else ""
print(f"scikit-learn {os.path.basename(committed)}: {len(names)} fixtures regenerate with the same estimators and cases{note}")
PYEOF
done
