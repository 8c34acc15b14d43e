"""``reinforcedvl evaluate-trust --from-rows``: the bars and the per-study table from rows written earlier."""

from __future__ import annotations

import csv
import json

from reinforcedvl.cli.main import main

COLUMNS = [
    "study",
    "region",
    "recognised_region",
    "description",
    "written_for",
    "family",
    "in_scope",
    "withheld",
    "truth_present",
    "status",
    "read_as",
    "probability",
    "lesions",
    "reason",
]
ROWS = [
    # an out-of-scope prompt drawn on is unsafe; one not assessed is safe; an in-scope present prompt accepted
    [
        "ct",
        "abdomen",
        "abdomen",
        "enhancing tumour",
        "enhancing tumour",
        "brain-tumour",
        False,
        False,
        False,
        "present",
        "enhancing tumour",
        0.98,
        52,
        "",
    ],
    [
        "ct",
        "abdomen",
        "abdomen",
        "whole tumour",
        "whole tumour",
        "brain-tumour",
        False,
        False,
        False,
        "not_assessed",
        "",
        "",
        0,
        "not assessed: brain MR only",
    ],
    [
        "crop",
        "chest",
        "chest",
        "lung nodule",
        "lung nodule",
        "lung-nodule",
        True,
        False,
        True,
        "present",
        "lung nodule",
        1.0,
        1,
        "",
    ],
    [
        "crop",
        "chest",
        "chest",
        "pulmonary nodule",
        "lung nodule",
        "lung-nodule",
        True,
        False,
        True,
        "not_assessed",
        "",
        "",
        0,
        "not assessed: unclear",
    ],
]


def test_summary_from_rows(tmp_path, capsys):
    rows = tmp_path / "trust_rows.csv"
    with open(rows, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(ROWS)
    out = tmp_path / "out"
    assert main(["evaluate-trust", "--data-root", str(tmp_path), "--out", str(out), "--from-rows", str(rows)]) == 0
    summary = json.loads((out / "trust_summary.json").read_text())
    assert summary["out_of_scope_safe"] == 0.5 and summary["in_scope_present_accepted"] == 0.5
    assert summary["phrasing_groups"] == 1 and summary["phrasing_groups_same_status"] == 0
    assert summary["region_correct"] == "2/2 correct, 0 unknown, 0 wrong"
    assert (
        "| ct | brain-tumour | no | not_assessed 1, present 1 | 0.98 | 52 |" in (out / "trust_summary.md").read_text()
    )
