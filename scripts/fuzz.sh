#!/usr/bin/env bash
# Long structure-aware fuzz runs: each surface's fuzz test (the same one `swift test` runs briefly, seeded) runs for
# --minutes with a fresh seed, and the script reports the cases tried, the crashes (the test process died; the case
# it was running is kept in .build/fuzz/), the failed expectations (e.g. a 5xx) and the peak memory of each run.
#
# Surfaces: onnx-loader, joblib, drift-dataset, oip-json, oip-binary, native-predict, mlflow-json, upload (default: all, one after
# another).
# Usage: scripts/fuzz.sh [--minutes N] [--surface NAME]... [--seed N]
# Exit status: 0 when no surface crashed or failed.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=10
seed=$(date +%s)
surfaces=()
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --surface) surfaces+=("$2"); shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ ${#surfaces[@]} -gt 0 ] || surfaces=(onnx-loader joblib drift-dataset oip-json oip-binary native-predict mlflow-json upload)

filter_for() {
    case "$1" in
        onnx-loader) echo "StructuredLoaderFuzzTests" ;;
        joblib) echo "JoblibFuzzTests" ;;
        drift-dataset) echo "DriftDatasetFuzzTests" ;;
        oip-json) echo "RequestFuzzTests/openInferenceProtocolJSON" ;;
        oip-binary) echo "RequestFuzzTests/openInferenceProtocolBinary" ;;
        native-predict) echo "RequestFuzzTests/nativePredict" ;;
        mlflow-json) echo "RequestFuzzTests/mlflowJSON" ;;
        upload) echo "RequestFuzzTests/artifactUpload" ;;
        *) echo "unknown surface '$1'" >&2; exit 2 ;;
    esac
}
for surface in "${surfaces[@]}"; do filter_for "$surface" >/dev/null; done

export OPENBLAS_NUM_THREADS=1
swift build --build-tests >/dev/null
mkdir -p .build/fuzz
# The tests run from a copy, outside SwiftPM (which would hold the build directory's lock for the whole run), so
# builds made meanwhile neither wait for the fuzzer nor swap its binary.
cp .build/debug/modelyardPackageTests.xctest .build/fuzz/tests.xctest
summary=()
status=0
for surface in "${surfaces[@]}"; do
    filter=$(filter_for "$surface")
    end=$(( $(date +%s) + minutes * 60 ))
    cases=0; crashes=0; failures=0; peak=0; run=0
    while [ "$(date +%s)" -lt "$end" ]; do
        remaining=$(( end - $(date +%s) ))
        log=".build/fuzz/$surface.log"
        case_file=".build/fuzz/$surface.case"
        rm -f "$case_file"
        set +e
        MODELYARD_FUZZ_SECONDS=$remaining MODELYARD_FUZZ_SEED=$(( seed + run )) MODELYARD_FUZZ_CASE_FILE="$case_file" \
            .build/fuzz/tests.xctest --testing-library swift-testing --filter "$filter" >"$log" 2>&1
        rc=$?
        set -e
        report=$(grep -o 'fuzz-report .*' "$log" | tail -n 1 || true)
        if [ -z "$report" ]; then
            crashes=$(( crashes + 1 ))
            kept=".build/fuzz/crash-$surface-$(( seed + run )).case"
            [ -f "$case_file" ] && cp "$case_file" "$kept"
            cp "$log" "$kept.log"
            echo "CRASH in $surface (seed $(( seed + run ))): reproducer $kept, log $kept.log" >&2
        else
            cases=$(( cases + $(sed -n 's/.*cases=\([0-9]*\).*/\1/p' <<<"$report") ))
            rss=$(sed -n 's/.*peak_rss_mb=\([0-9-]*\).*/\1/p' <<<"$report")
            [ "$rss" -gt "$peak" ] && peak=$rss
            if [ "$rc" -ne 0 ]; then
                failures=$(( failures + $(grep -c 'Expectation failed' "$log" || true) ))
                cp "$log" ".build/fuzz/failed-$surface-$(( seed + run )).log"
            fi
        fi
        run=$(( run + 1 ))
    done
    [ $(( crashes + failures )) -eq 0 ] || status=1
    line="$surface: $cases cases in $minutes min, $crashes crashes, $failures failed expectations, peak RSS $peak MB"
    echo "$line"
    summary+=("$line")
done
echo "== fuzz summary (seed $seed)"
printf '%s\n' "${summary[@]}"
exit $status
