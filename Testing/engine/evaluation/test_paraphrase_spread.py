"""The network's paraphrase spread (scope gate off) on a real LIDC dev crop with the shipped model: every held-out
phrasing that names no side reaches the network as written, the gate is back afterwards, and the summary counts
verdicts, spreads and Dice as defined."""

from __future__ import annotations

from pathlib import Path

import pytest

from reinforcedvl.evaluation.paraphrase_spread import (
    dev_spread_cases,
    held_out_phrasings,
    measure_spread,
    summarize_spread,
)
from reinforcedvl.predictor import Predictor

MANIFEST = Path(__file__).resolve().parents[3] / "manifests" / "triplets.jsonl"


def test_one_crop_asked_in_every_phrasing_with_the_gate_off(shared_data):
    (case,) = dev_spread_cases(MANIFEST, shared_data, lidc_limit=1)[:1]
    predictor = Predictor.from_model("reinforcedvl-starter", "cpu")
    gate = predictor.scope_gate
    rows = measure_spread(predictor, [case])
    assert predictor.scope_gate is gate is not None  # set aside for the run only
    phrasings = held_out_phrasings("lung nodule", without_sides=True)
    assert [row["phrasing"] for row in rows] == phrasings and phrasings[0] == "lung nodule"
    assert not any(side in p.split() for p in phrasings for side in ("left", "right"))
    assert rows[0]["dice_with_canonical"] == 1.0 and rows[0]["voxels"] > 0  # the nodule, in its canonical words
    summary = summarize_spread(rows)["all"]
    probabilities = [row["probability"] for row in rows]
    assert summary["groups"] == 1
    assert summary["mean_spread"] == pytest.approx(max(probabilities) - min(probabilities), abs=1e-4)
    assert summary["same_verdict"] == int(len({row["judged_present"] for row in rows}) == 1)


def test_the_summary_counts_disagreement():
    rows = [
        {"case": "a", "finding": "f", "phrasing": "f", "probability": 0.9, "judged_present": True,
         "dice_with_canonical": 1.0},
        {"case": "a", "finding": "f", "phrasing": "g", "probability": 0.1, "judged_present": False,
         "dice_with_canonical": 0.0},
        {"case": "b", "finding": "f", "phrasing": "f", "probability": 0.8, "judged_present": True,
         "dice_with_canonical": 1.0},
        {"case": "b", "finding": "f", "phrasing": "g", "probability": 0.7, "judged_present": True,
         "dice_with_canonical": 0.95},
    ]  # fmt: skip
    summary = summarize_spread(rows)["findings"]["f"]
    assert summary == {
        "groups": 2,
        "mean_spread": pytest.approx(0.45),
        "max_spread": pytest.approx(0.8),
        "same_verdict": 1,
        "mean_dice_with_canonical": pytest.approx(0.475),
        "dice_at_least_0.9": 0.5,
    }
