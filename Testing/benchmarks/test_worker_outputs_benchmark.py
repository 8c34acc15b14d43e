"""The worker-outputs benchmark on the bundled LIDC sample: segment, files and report timed, two runs in one table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
SCRIPT = REPOSITORY / "benchmarks" / "worker_outputs_benchmark.py"
SAMPLE = REPOSITORY / "Resources" / "Samples" / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"


def test_worker_outputs_benchmark_times_files_and_report(tmp_path):
    for label in ("before", "after"):
        command = [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--image", str(SAMPLE), "--label", label]
        subprocess.run([*command, "--prompt", "solid lung nodule"], check=True, capture_output=True, text=True)
    rows = json.loads((tmp_path / "worker_outputs.json").read_text())["rows"]
    assert list(rows) == ["before", "after"]
    for row in rows.values():
        assert row["lesions"] == 1 and row["shape"] == [43, 44, 10]
        assert row["segment_seconds"] > 0 and row["files_seconds"] > 0 and row["report_seconds"] > 0
        assert row["evidence_file_mb"] > 0 and row["model"].startswith("reinforcedvl-starter")
    table = (tmp_path / "worker_outputs.md").read_text()
    assert "| before | lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz | solid lung nodule | 1 |" in table
