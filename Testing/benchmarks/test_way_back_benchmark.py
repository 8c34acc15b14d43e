"""The way-back benchmark on a small CT: both methods run, agree, and land in the table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "way_back_benchmark.py"


def test_way_back_benchmark_compares_slabs_with_monai(shared_data, tmp_path):
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--shapes", "96x96x60"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "REINFORCEDVL_SHARED_DATA": str(shared_data)},
    )
    rows = json.loads((tmp_path / "way_back.json").read_text())["rows"]
    assert [row["method"] for row in rows] == ["slabs", "monai"]
    slabs, monai = rows
    assert slabs["input_shape"] == monai["input_shape"] == [96, 96, 60]
    assert slabs["checksum"] == pytest.approx(monai["checksum"], rel=1e-5)  # the same maps come back
    assert all(row["seconds"] > 0 and row["step_memory_gb"] >= 0 for row in rows)
    assert "| 96x96x60 |" in (tmp_path / "way_back.md").read_text()
