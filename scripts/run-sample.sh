#!/usr/bin/env bash
# The main job on the bundled sample: segment the lung nodule in a real LIDC-IDRI CT crop.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-environment.sh
.venv/bin/reinforcedvl segment Resources/Samples/lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz \
  --prompt "solid lung nodule" --out sample-output --overwrite
