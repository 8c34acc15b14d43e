#!/usr/bin/env bash
# The starter checkpoint's training run, as executed on a lent GPU machine (one H100/H200, 16 cores) by the
# `device` tool: the K=2 model and the K=0 (one-way) ablation train side by side on the same GPU for the same
# wall-clock budget, then the GPU inference benchmark runs. That machine has torch but not MONAI or SimpleITK and
# cannot fetch anything, so the call carries: .whl/ (MONAI and nibabel wheels), .device/cache/ (the train split's
# prepared studies and prompt token states, made here by `reinforcedvl train`'s own preparation step) and
# .device/bench_prompts.safetensors. Results come back under $OUT.
set -euo pipefail
MINUTES=${MINUTES:-6}
TRAIN_OPTIONS=${TRAIN_OPTIONS:-}  # more `reinforcedvl train` options, e.g. "--prompts-per-patch 4"
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl
export PYTHONPATH=/tmp/site:$PWD/ReinforcedVL PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"
python3 -c "import torch, monai; print('torch', torch.__version__, 'monai', monai.__version__)" | tee -a "$OUT/gpu.txt"

# `reinforcedvl train` through its own parser and run function: the other subcommands import SimpleITK, which
# that machine lacks.
reinforcedvl_train() {
  python3 -c 'import argparse, sys
from reinforcedvl.cli import train_command
parser = argparse.ArgumentParser(prog="reinforcedvl")
train_command.add_parser(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
sys.exit(args.run(args))' train "$@"
}
train() {  # K, output folder
  reinforcedvl_train --manifest manifests/triplets.jsonl --data-root /unused \
    --cache .device/cache --out "runs/$2" --device cuda --workers 7 --steps 100000 \
    --time-limit-minutes "$MINUTES" --correlation-steps "$1" --small-batch 16 --large-batch 4 \
    --checkpoint-every 2000 --model-id reinforcedvl-starter --version "1.0.0-k$1" $TRAIN_OPTIONS
}
train 2 k2 > "$OUT/train_k2.log" 2>&1 &
train 0 k0 > "$OUT/train_k0.log" 2>&1 &
wait

for run in k2 k0; do
  tar -cf "$OUT/$run.tar" -C runs "$run/config.json" "$run/model.safetensors" "$run/metrics.jsonl" \
    "$run/loss_curve.png" "$run/training_state.json" || echo "no checkpoint for $run"
done
ct=.device/cache/641f6e9f8a413bad.npz  # the TotalSegmentator DICOM CT, prepared
timeout 150 python3 benchmarks/gpu_inference.py --checkpoint runs/k2 --prompt-table .device/bench_prompts.safetensors \
  --prepared-ct "$ct" --out "$OUT/gpu_benchmark.json" --device cuda > "$OUT/gpu_benchmark.log" 2>&1 || true
