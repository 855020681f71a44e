#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what the tests need, builds once, runs the suites.
# Usage: scripts/test.sh        (CI runs exactly this through .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    # GRDB links the system SQLite.
    if ! dpkg -s libsqlite3-dev >/dev/null 2>&1; then
        apt-get update -q
        apt-get -o DPkg::Lock::Timeout=300 install -y -q libsqlite3-dev
    fi
fi

echo "== swift build (debug, with tests)"
swift build --build-tests

echo "== swift test"
swift test --skip-build --parallel --num-workers 2
