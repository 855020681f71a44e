#!/usr/bin/env bash
# Creates .venv-mlserver at the repository root with scikit-learn, MLServer and its sklearn runtime, pinned, for
# `modelyard-bench sklearn` (idempotent). Not needed by the tests.
exec "$(dirname "${BASH_SOURCE[0]}")/../setup-venv.sh" .venv-mlserver scripts/sklearn/bench-requirements.txt
