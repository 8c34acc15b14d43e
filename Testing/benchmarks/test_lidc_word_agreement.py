"""The LIDC word-agreement script, run on a subset: complete confusion tables over the four ratings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "lidc_word_agreement.py"


def test_confusion_tables_count_every_nodule_once(shared_data):
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(shared_data), "--limit", "40", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(completed.stdout)
    assert figures["nodules"] == 40
    ratings = [table["rating"] for table in figures["tables"]]
    assert ratings == ["Sphericity", "Lobulation", "Margin", "Spiculation"]
    for table in figures["tables"]:
        assert sum(sum(counts) for counts in table["rows"].values()) == 40
        expected = {"round", "ovoid", "lobulated", "irregular"} if table["word"] == "shape" else None
        assert expected is None or set(table["rows"]) == expected
    margin = figures["tables"][2]
    assert set(margin["rows"]) == {"well-defined", "ill-defined", "spiculated"}
    # most nodules the radiologists rated sharp (4-5) get "well-defined"
    sharp_columns = [i for i, name in enumerate(margin["columns"]) if name.startswith(("4", "5"))]
    well = sum(margin["rows"]["well-defined"][i] for i in sharp_columns)
    assert well > sum(counts[i] for counts in margin["rows"].values() for i in sharp_columns) / 2
