#!/usr/bin/env bash
# The test suite. Tests that need ../shared/data skip when it is absent, unless
# REINFORCEDVL_REQUIRE_SHARED_DATA=1 (as in CI), which turns such a skip into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-environment.sh
.venv/bin/python -m pytest "$@"
