#!/usr/bin/env bash
# Regenerates the drift oracle (Evidently's DataDriftPreset on the scenario CSVs) with the pinned Evidently into a
# temporary directory and checks that the committed fixtures/drift match: the same CSVs, the same method and verdict
# per column, statistics within 1e-9 relative, the same dataset counts. Run by the main test command.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$ROOT/scripts/setup-venv.sh" .venv-drift scripts/drift/requirements.txt
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
nice -n 19 "$ROOT/.venv-drift/bin/python" "$ROOT/scripts/drift/generate_oracle.py" --out "$TMP" >/dev/null
python3 - "$ROOT/fixtures/drift" "$TMP" <<'PYEOF'
import filecmp, json, os, sys
committed, fresh = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(fresh))
problems = []
if sorted(os.listdir(committed)) != names:
    problems.append("the fixture set differs")
for name in names:
    a, b = os.path.join(committed, name), os.path.join(fresh, name)
    if not os.path.exists(a):
        continue
    if name.endswith(".csv"):
        if not filecmp.cmp(a, b, shallow=False):
            problems.append(f"{name} differs")
        continue
    old, new = json.load(open(a)), json.load(open(b))
    if old["dataset"] != new["dataset"] or old["columns"].keys() != new["columns"].keys():
        problems.append(f"{name}: dataset verdict or columns differ")
        continue
    for column, o in old["columns"].items():
        n = new["columns"][column]
        close = o["statistic"] == n["statistic"] or abs(o["statistic"] - n["statistic"]) <= 1e-9 * abs(n["statistic"])
        if o["method"] != n["method"] or o["drifted"] != n["drifted"] or not close:
            problems.append(f"{name}: column {column} differs")
if problems:
    print("\n".join(problems)); sys.exit(1)
print(f"drift oracle reproducible: {len([n for n in names if n.endswith('.json')])} scenarios")
PYEOF
