#!/usr/bin/env bash
# Runs the dashboard's browser suite (Tests/dashboard): a real headless Chromium, driven by Selenium, against
# `modelyard serve`. It creates models, registers versions with history, compares, deploys and rolls back
# through the pages, and saves a screenshot of every page it checks.
# Usage: scripts/dashboard/run-tests.sh [path-to-modelyard-binary] [pytest args...]
#        (default binary .build/debug/modelyard; build it first with `swift build`)
# Screenshots go to $MODELYARD_SCREENSHOTS (default .build/dashboard-screenshots, which git ignores).
# Exits non-zero if any test fails or is skipped (the shared pytest plugin turns skips into a failure).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BINARY="${1:-$ROOT/.build/debug/modelyard}"
[ $# -gt 0 ] && shift

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        echo "installing chromium and chromium-driver (once)" >&2
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 chromium chromium-driver >/dev/null
    else
        echo "the dashboard suite needs chromium and chromium-driver: sudo apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi
"$ROOT/scripts/setup-venv.sh" .venv-dashboard scripts/dashboard/requirements.txt

[ -x "$BINARY" ] || { echo "modelyard binary not found or not executable: $BINARY" >&2; exit 1; }
export MODELYARD_BINARY="$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")"
export MODELYARD_SCREENSHOTS="${MODELYARD_SCREENSHOTS:-$ROOT/.build/dashboard-screenshots}"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the work tree

cd "$ROOT/Tests/dashboard"
status=0
"$ROOT/.venv-dashboard/bin/python" -m pytest -p no:cacheprovider -rfEs "$@" . || status=$?
echo "dashboard screenshots: $MODELYARD_SCREENSHOTS" >&2
exit $status
