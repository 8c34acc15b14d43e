"""Evaluation metrics against values worked out by hand on small arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reinforcedvl.evaluation.overlap import dice
from reinforcedvl.evaluation.segmentation_metrics import detection_counts, segmentation_scores
from reinforcedvl.evaluation.summary import summarize, summary_markdown


def _cube(start, size, shape=(12, 12, 12)):
    mask = np.zeros(shape, bool)
    mask[tuple(slice(s, s + size) for s in start)] = True
    return mask


def test_dice_by_hand():
    # two 4x4x4 cubes shifted by one voxel: overlap 3x4x4 = 48 of 64 + 64 -> 2*48/128 = 0.75
    assert dice(_cube((2, 2, 2), 4), _cube((3, 2, 2), 4)) == pytest.approx(0.75)
    assert dice(np.zeros((3, 3, 3), bool), np.zeros((3, 3, 3), bool)) == 1.0


def test_distances_are_in_millimetres():
    prediction, reference = _cube((2, 2, 2), 4), _cube((3, 2, 2), 4)
    # the shift is one voxel along the first axis, 2 mm long: HD95 = 2 mm; surface Dice at 1 mm < 1, at 2 mm = 1
    scores = segmentation_scores(prediction, reference, (2.0, 1.0, 1.0), tolerance_mm=2.0)
    assert scores.hd95_mm == pytest.approx(2.0)
    assert scores.surface_dice == pytest.approx(1.0)
    assert segmentation_scores(prediction, reference, (2.0, 1.0, 1.0), tolerance_mm=1.0).surface_dice < 1.0


def test_empty_prediction_has_no_distance():
    scores = segmentation_scores(np.zeros((5, 5, 5), bool), _cube((1, 1, 1), 2, (5, 5, 5)), (1, 1, 1), 2.0)
    assert scores.dice == 0.0 and scores.surface_dice == 0.0 and math.isnan(scores.hd95_mm)


def test_lesion_detection_counts():
    reference = _cube((1, 1, 1), 2) | _cube((8, 8, 8), 2)
    prediction = _cube((1, 1, 1), 3) | _cube((5, 1, 8), 2)  # finds the first lesion, one false lesion, misses one
    counts = detection_counts(prediction, reference)
    assert (counts.reference_lesions, counts.found_reference_lesions) == (2, 1)
    assert (counts.predicted_lesions, counts.true_predicted_lesions) == (2, 1)


def _row(source, finding, present, probability, dice_value=math.nan, **extra):
    row = dict(source=source, finding=finding, truth_present=present, present_probability=probability)
    if present:
        row.update(
            dice=dice_value,
            surface_dice=dice_value,
            hd95_mm=1.0,
            reference_lesions=1,
            found_reference_lesions=1,
            predicted_lesions=2,
            true_predicted_lesions=1,
        )
    return {**row, **extra}


def test_summary_by_hand():
    rows = [
        _row("lidc", "lung nodule", True, 0.9, 0.8),
        _row("lidc", "lung nodule", True, 0.4, 0.6),
        _row("lidc", "brain finding", False, 0.1),
        _row("lidc", "brain finding", False, 0.7),
        _row(
            "brats",
            "enhancing tumour",
            True,
            0.95,
            0.7,
            **{"dice_vs:enhancing tumour": 0.7, "dice_vs:whole tumour": 0.3},
        ),
    ]
    summary = summarize(rows)
    lidc = summary["segmentation"]["lidc: lung nodule"]
    assert lidc["dice"] == pytest.approx(0.7)
    assert lidc["detection_recall"] == 1.0 and lidc["detection_precision"] == 0.5
    assert lidc["detection_f1"] == pytest.approx(2 * 0.5 / 1.5)
    existence = summary["existence"]
    assert existence["present_accepted"] == pytest.approx(2 / 3)
    assert existence["absent_rejected"] == pytest.approx(1 / 2)
    # AUC: positives 0.9, 0.4, 0.95 vs negatives 0.1, 0.7: 5 of 6 pairs ranked right
    assert existence["roc_auc"] == pytest.approx(5 / 6)
    assert summary["prompt_decides_mask"]["enhancing tumour"]["whole tumour"] == pytest.approx(0.3)
    markdown = summary_markdown(summary, "test")
    assert "| lidc: lung nodule | 2 | 0.700 |" in markdown and "**0.700**" in markdown
