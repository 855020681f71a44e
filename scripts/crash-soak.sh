#!/usr/bin/env bash
# Crash soak: SIGKILLs the server at random moments of a mixed workload (registrations with uploads, status changes,
# deploys, score updates, MLflow log-batch, training-folder imports), restarts it each time on the same data, and
# checks the registry's invariants after every restart (see Tests/EndToEndTests/CrashConsistencyTests.swift). The
# test suite runs a short seeded soak; this runs a long one.
# Usage: scripts/crash-soak.sh [--kills N (default 200)] [--seed N]
# Prints the kills made and the inconsistencies found; exits non-zero when there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
kills=200
seed=$(date +%s)
while [ $# -gt 0 ]; do
    case "$1" in
        --kills) kills="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
export OPENBLAS_NUM_THREADS=1
swift build --build-tests >/dev/null
# The server and the test run from copies, outside SwiftPM (which would hold the build directory's lock), so
# builds made while the soak runs neither wait for it nor swap a binary under it.
mkdir -p .build/soak
cp .build/debug/modelyard .build/soak/modelyard
cp .build/debug/modelyardPackageTests.xctest .build/soak/tests.xctest
log=.build/soak/soak-$seed.log
start=$(date +%s)
set +e
MODELYARD_BIN=.build/soak/modelyard MODELYARD_SOAK_KILLS=$kills MODELYARD_SOAK_SEED=$seed \
    .build/soak/tests.xctest --testing-library swift-testing --filter CrashConsistencyTests >"$log" 2>&1
rc=$?
set -e
inconsistencies=$(grep -c 'Expectation failed' "$log" || true)
report=$(grep -o 'soak-report .*' "$log" | tail -n 1 || true)
[ -n "$report" ] || echo "the soak did not finish (the test process died or was stopped): see $log" >&2
echo "crash soak (seed $seed): ${report:-no report}; $inconsistencies inconsistencies in $(( $(date +%s) - start )) s (log: $log)"
grep -A1 'Expectation failed' "$log" | grep '↳' | head -20 || true
[ "$rc" -eq 0 ] && [ "$inconsistencies" -eq 0 ]
