#!/usr/bin/env bash
# Schema fuzzing: Schemathesis generates requests for every operation of /openapi.json (documented examples,
# boundary values and random data, from a fixed seed) against `modelyard serve --auth` with an admin token, and
# fails on any 5xx, any answer that violates the documented schema, status or content type, or fewer than the
# minimum number of generated cases.
# Usage: scripts/schemathesis/run.sh [path-to-modelyard-binary] [--seed N] [--examples N] [--min-cases N]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BINARY="${1:-$ROOT/.build/debug/modelyard}"
[ $# -gt 0 ] && shift
SEED=20261207
EXAMPLES=30
MIN_CASES=1000
while [ $# -gt 0 ]; do
    case "$1" in
        --seed) SEED="$2"; shift 2 ;;
        --examples) EXAMPLES="$2"; shift 2 ;;
        --min-cases) MIN_CASES="$2"; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
"$ROOT/scripts/setup-venv.sh" .venv-schemathesis scripts/schemathesis/requirements.txt
[ -x "$BINARY" ] || { echo "modelyard binary not found or not executable: $BINARY" >&2; exit 1; }

WORK="$(mktemp -d)"
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
TOKEN="$("$BINARY" tokens create "schema-fuzz-$RANDOM$RANDOM" --bootstrap --data-dir "$WORK/data" 2>/dev/null)"
"$BINARY" serve --auth --port 0 --data-dir "$WORK/data" --log-level error >"$WORK/out.log" 2>"$WORK/err.log" &
SERVER=$!
URL=""
for _ in $(seq 1 300); do
    URL="$(sed -n 's/^modelyard listening on \(http[^ ]*\).*/\1/p' "$WORK/out.log")"
    [ -n "$URL" ] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/err.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$URL" ] || { echo "the server did not start" >&2; cat "$WORK/err.log" >&2; exit 1; }

# Something to act on: a model whose version 1.0.0 serves a real ONNX forest.
call() {
    local code
    code="$(curl -s -o "$WORK/call.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$@")"
    [ "${code:0:1}" = "2" ] || { echo "seeding failed ($code): $*" >&2; cat "$WORK/call.json" >&2; exit 1; }
}
JSON=(-H "Content-Type: application/json")
call "${JSON[@]}" -d '{"name": "fuzz-forest"}' "$URL/api/v1/models"
call "${JSON[@]}" -d '{}' "$URL/api/v1/models/fuzz-forest/versions"
call -X PUT --data-binary "@$ROOT/fixtures/onnx/random_forest.onnx" "$URL/api/v1/models/fuzz-forest/versions/1.0.0/artifacts/model.onnx"
call "${JSON[@]}" -X PATCH -d '{"status": "ready"}' "$URL/api/v1/models/fuzz-forest/versions/1.0.0"
call "${JSON[@]}" -d '{"version": "1.0.0"}' "$URL/api/v1/models/fuzz-forest/deployments"

# Revoking a token is left out: the fuzzer would revoke its own (revocation has its own tests).
set +e
# From the scratch directory: Schemathesis keeps a cache (.schemathesis/) in its working directory.
cd "$WORK"
"$ROOT/.venv-schemathesis/bin/schemathesis" --config-file "$ROOT/scripts/schemathesis/schemathesis.toml" run "$URL/openapi.json" \
    --header "Authorization: Bearer $TOKEN" --seed "$SEED" --max-examples "$EXAMPLES" \
    --phases examples,coverage,fuzzing \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --exclude-path "/api/v1/tokens/{name}" --no-color 2>&1 | tee "$WORK/report.txt"
STATUS=${PIPESTATUS[0]}
set -e
kill -0 "$SERVER" 2>/dev/null || { echo "the server died during the run:" >&2; cat "$WORK/err.log" >&2; exit 1; }
[ "$STATUS" -eq 0 ] || { echo "schemathesis found failures (exit $STATUS)" >&2; exit "$STATUS"; }
CASES="$(grep -oE '[0-9]+ generated' "$WORK/report.txt" | tail -1 | cut -d' ' -f1)"
if [ -z "$CASES" ] || [ "$CASES" -lt "$MIN_CASES" ]; then
    echo "only ${CASES:-0} cases were generated; at least $MIN_CASES are required" >&2
    exit 1
fi
echo "schemathesis: $CASES generated cases (seed $SEED), no failures"
