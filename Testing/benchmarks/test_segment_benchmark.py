"""The segment benchmark script in its short mode: every case, the worker, the baseline and the scaling plot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "segment_benchmark.py"


def test_short_benchmark_times_cold_warm_worker_baseline_and_scaling(shared_data, tmp_path):
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--short", "--cases", "lidc", "ct", "--scaling"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "REINFORCEDVL_SHARED_DATA": str(shared_data)},
    )
    results = json.loads((tmp_path / "results.json").read_text())
    assert "bf16 instructions" in results["machine"]  # which kernels the CPU offers: figures differ between CPUs
    for case in ("lidc", "ct"):
        measured = results["cases"][case]
        assert measured["direct"]["cold_seconds"] > measured["direct"]["first_prompt_seconds"] > 0
        assert measured["direct"]["cold_seconds"] > max(measured["direct"]["warm_seconds"]) > 0
        assert measured["worker"]["cold_seconds"] > 0 and len(measured["worker"]["warm_seconds"]) == 3
        assert len(measured["direct"]["warm_present_probabilities"]) == 3  # the third: a finding asked to be absent
        assert all(0.0 <= p <= 1.0 for p in measured["direct"]["warm_present_probabilities"])
        assert measured["direct"]["baseline_seconds"] > 0
        assert 0.1 < measured["peak_rss_gb"] < 3.0
    assert results["cases"]["ct"]["direct"]["model_grid"] != results["cases"]["lidc"]["direct"]["model_grid"]
    voxels = [row["voxels"] for row in results["scaling"]]
    assert voxels == sorted(voxels) and len(voxels) >= 4
    assert (tmp_path / "scaling.png").stat().st_size > 10_000
    table = (tmp_path / "results.md").read_text()
    assert "| lidc |" in table and "| ct |" in table and "Growth exponent" in table
