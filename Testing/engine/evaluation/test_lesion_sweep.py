"""Lesion precision, recall and Dice by confidence threshold, on lesions the shipped model drew on the BraTS dev brain
(pat0001, the first 8 lesions of "whole tumour" and of "tumour core"; scripts/existence_study_data.py)."""

from __future__ import annotations

import pytest

from reinforcedvl.evaluation.lesion_sweep import choose_threshold, dev_sweep, score_threshold


def _lesions(rows):
    return [{"confidence": c, "voxels": v, "overlap": o, "touched": t} for c, v, o, t in rows]


WHOLE_TUMOUR = {
    "lesions": _lesions(
        [
            (0.85489, 110034, 88793, [1, 2]),
            (0.84464, 1994, 0, []),
            (0.58754, 371, 0, []),
            (0.61134, 360, 0, []),
            (0.59595, 302, 0, []),
            (0.7035, 224, 0, []),
            (0.62309, 108, 0, []),
            (0.70621, 96, 0, []),
        ]
    ),
    "reference_components": 2,
    "reference_voxels": 111724,
}
TUMOUR_CORE = {
    "lesions": _lesions(
        [
            (0.92046, 33914, 26637, [1]),
            (0.53559, 37, 0, []),
            (0.83057, 16, 0, []),
            (0.64215, 12, 0, []),
            (0.53618, 11, 0, []),
            (0.69944, 9, 0, []),
            (0.633, 8, 0, []),
            (0.57612, 4, 0, []),
        ]
    ),
    "reference_components": 4,
    "reference_voxels": 58674,
}


def test_every_lesion_kept_at_zero():
    scores = score_threshold([WHOLE_TUMOUR], 0.0)
    assert (scores.kept, scores.true_kept) == (8, 1)
    assert scores.precision == pytest.approx(1 / 8) and scores.recall == 1.0
    assert scores.mean_dice == pytest.approx(2 * 88793 / (110034 + 1994 + 371 + 360 + 302 + 224 + 108 + 96 + 111724))


def test_a_threshold_drops_the_unsure_lesions_and_raises_dice():
    scores = score_threshold([WHOLE_TUMOUR], 0.8)
    assert (scores.kept, scores.true_kept, scores.precision, scores.recall) == (2, 1, 0.5, 1.0)
    assert scores.mean_dice == pytest.approx(2 * 88793 / (110034 + 1994 + 111724))
    assert scores.mean_dice > score_threshold([WHOLE_TUMOUR], 0.0).mean_dice


def test_recall_counts_reference_components_over_cases():
    scores = score_threshold([WHOLE_TUMOUR, TUMOUR_CORE], 0.0)
    assert scores.recall == pytest.approx((2 + 1) / (2 + 4))  # the core's 4 components, one found
    assert score_threshold([TUMOUR_CORE], 0.95).kept == 0 and score_threshold([TUMOUR_CORE], 0.95).f1 == 0.0


def test_the_chosen_threshold_never_costs_dice():
    thresholds = [0.0, 0.7, 0.8, 0.9, 0.95]
    # 0.9 keeps only the core's true lesion (best F1 for the core) but drops the whole tumour's: the guard refuses it
    chosen = choose_threshold({"core": [TUMOUR_CORE]}, thresholds, dice_guards={"whole": [WHOLE_TUMOUR]})
    assert chosen == 0.7  # 0.7 and 0.8 keep the same two core lesions: the tie goes to the lower threshold
    assert choose_threshold({"core": [TUMOUR_CORE]}, thresholds) == 0.9


def test_the_dev_sweep_tabulates_each_threshold_and_picks_by_the_rule():
    brain = {"kind": "brain", "finding": "whole tumour", "reference_components": 1, "reference_voxels": 100}
    brain["lesions"] = _lesions([(0.9, 100, 90, [1]), (0.3, 20, 0, [])])
    lidc = {"kind": "lidc", "finding": "lung nodule", "reference_components": 1, "reference_voxels": 10}
    lidc["lesions"] = _lesions([(0.8, 10, 9, [1])])
    table, chosen = dev_sweep([brain, lidc], [0.0, 0.5])
    assert len(table) == 4 and table[2].startswith("| 0.00 | 1 |") and table[3].startswith("| 0.50 | 1 |")
    assert chosen == 0.5  # the false speck goes, no Dice is lost
