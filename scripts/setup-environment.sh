#!/usr/bin/env bash
# Creates .venv (if missing) and installs ReinforcedVL with its test tools into it.
# PyTorch is pinned here, in the install step, so a CPU-only machine takes the CPU build it already has;
# the package itself only asks for torch>=2.2 and keeps whatever build is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[test]"
