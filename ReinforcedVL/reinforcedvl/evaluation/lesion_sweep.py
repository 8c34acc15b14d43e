"""Lesion-level precision, recall and Dice when only lesions at or above a confidence threshold are kept, from the
lesions one run drew (each with its confidence, voxels, voxels on the reference and the reference components it
touches), so that a whole range of thresholds is scored without running the model again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ThresholdScores", "choose_threshold", "dev_sweep", "score_threshold"]


@dataclass(frozen=True)
class ThresholdScores:
    """Scores of one threshold over a set of cases.

    Attributes:
        threshold: lesions with confidence at or above it are kept.
        kept: lesions kept; true_kept: of them, those touching the reference.
        precision: true_kept / kept (NaN when none is kept); recall: reference components touched by a kept
            lesion / reference components; mean_dice: Dice of the kept lesions' union, averaged over the cases.
    """

    threshold: float
    kept: int
    true_kept: int
    precision: float
    recall: float
    mean_dice: float

    @property
    def f1(self) -> float:
        if self.kept == 0 or self.precision + self.recall == 0:
            return 0.0
        return 2 * self.precision * self.recall / (self.precision + self.recall)


def score_threshold(cases: Sequence[Mapping[str, Any]], threshold: float) -> ThresholdScores:
    """Score ``threshold`` on ``cases``: each a mapping with ``lesions`` (``confidence``, ``voxels``, ``overlap``,
    ``touched``), ``reference_components`` and ``reference_voxels``."""
    kept = true_kept = found = components = 0
    dices = []
    for case in cases:
        lesions = [lesion for lesion in case["lesions"] if lesion["confidence"] >= threshold]
        kept += len(lesions)
        true_kept += sum(bool(lesion["touched"]) for lesion in lesions)
        found += len({component for lesion in lesions for component in lesion["touched"]})
        components += case["reference_components"]
        drawn = sum(lesion["voxels"] for lesion in lesions)
        total = drawn + case["reference_voxels"]
        dices.append(2 * sum(lesion["overlap"] for lesion in lesions) / total if total else 1.0)
    return ThresholdScores(
        threshold=threshold,
        kept=kept,
        true_kept=true_kept,
        precision=true_kept / kept if kept else float("nan"),
        recall=found / components if components else float("nan"),
        mean_dice=sum(dices) / len(dices) if dices else float("nan"),
    )


def choose_threshold(
    groups: Mapping[str, Sequence[Mapping[str, Any]]],
    thresholds: Sequence[float],
    *,
    dice_guards: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    dice_tolerance: float = 0.0,
) -> float:
    """The threshold with the highest lesion F1 averaged over ``groups`` (e.g. LIDC nodules, BraTS sub-regions)
    among those that keep the mean Dice of every group and of every ``dice_guards`` set (e.g. BraTS whole tumour)
    within ``dice_tolerance`` of the lowest threshold's; ties go to the lower threshold."""
    guarded = {**groups, **(dice_guards or {})}
    lowest = min(thresholds)
    baseline = {name: score_threshold(cases, lowest).mean_dice for name, cases in guarded.items()}
    best, best_f1 = lowest, -1.0
    for threshold in sorted(thresholds):
        if any(
            score_threshold(cases, threshold).mean_dice < baseline[name] - dice_tolerance
            for name, cases in guarded.items()
        ):
            continue
        f1 = sum(score_threshold(cases, threshold).f1 for cases in groups.values()) / len(groups)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = threshold, f1
    return best


def dev_sweep(rows: Sequence[Mapping[str, Any]], thresholds: Sequence[float]) -> tuple[list[str], float]:
    """The dev split's sweep: ``rows`` are outlined answers (``kind`` "lidc" or "brain", ``finding``, lesions as in
    :func:`score_threshold`); returns the Markdown table (per threshold: LIDC and BraTS lesions kept, precision,
    recall and mean Dice, and the BraTS whole-tumour Dice) and the threshold :func:`choose_threshold` picks with the
    LIDC nodules and BraTS sub-regions as groups and the whole tumour as a Dice guard."""
    groups = {
        "LIDC nodules": [row for row in rows if row["kind"] == "lidc"],
        "BraTS sub-regions": [row for row in rows if row["kind"] == "brain"],
    }
    guards = {"BraTS whole tumour": [row for row in groups["BraTS sub-regions"] if row["finding"] == "whole tumour"]}
    lines = [
        "| threshold | LIDC lesions kept | LIDC precision | LIDC recall | LIDC mean Dice | BraTS lesions kept | "
        "BraTS precision | BraTS recall | BraTS mean Dice | BraTS whole-tumour Dice |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for threshold in thresholds:
        lidc = score_threshold(groups["LIDC nodules"], threshold)
        brats = score_threshold(groups["BraTS sub-regions"], threshold)
        whole = score_threshold(guards["BraTS whole tumour"], threshold)
        lines.append(
            f"| {threshold:.2f} | {lidc.kept} | {lidc.precision:.3f} | {lidc.recall:.3f} | {lidc.mean_dice:.4f} | "
            f"{brats.kept} | {brats.precision:.3f} | {brats.recall:.3f} | {brats.mean_dice:.4f} | "
            f"{whole.mean_dice:.4f} |"
        )
    return lines, choose_threshold(groups, thresholds, dice_guards=guards)
