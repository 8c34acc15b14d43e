"""Lesions that earn their place: those whose confidence (the mean probability over the lesion's voxels, or the
checkpoint's calibrated chance that the lesion is real, :mod:`.calibration`) is under a threshold are neither drawn
nor reported."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

import numpy as np

from ..vocabulary import DEFAULT_LESION_CONFIDENCE
from ..volume import LabelMap
from . import Lesion, measure_lesions
from .calibration import LesionCalibration, calibrated_lesions

__all__ = ["DEFAULT_LESION_CONFIDENCE", "keep_confident_lesions"]


def keep_confident_lesions(
    lesion_map: LabelMap,
    lesions: list[Lesion],
    probability: np.ndarray,
    threshold: float,
    *,
    vouched: Collection[int] = (),
    calibration: LesionCalibration | None = None,
) -> tuple[LabelMap, list[Lesion]]:
    """Drop the lesions whose confidence is under ``threshold`` and renumber the rest, largest first.

    Args:
        lesion_map: lesion n = label n, as :func:`reinforcedvl.lesions.find_lesions` made it.
        lesions: its lesions.
        probability: the finding's probability ``(I, J, K)`` on the same grid.
        threshold: in [0, 1]; 0 keeps every lesion.
        vouched: ids of lesions kept whatever their confidence (those a reader marked with a point).
        calibration: the checkpoint's lesion calibration; None keeps the mean probability as the confidence.
    """
    if calibration is not None:
        lesions = calibrated_lesions(lesions, calibration)
    kept = [lesion for lesion in lesions if lesion.confidence >= threshold or lesion.lesion_id in vouched]
    if len(kept) == len(lesions):
        return lesion_map, lesions
    relabel = np.zeros(len(lesions) + 1, dtype=np.uint16)
    relabel[[lesion.lesion_id for lesion in kept]] = np.arange(1, len(kept) + 1)
    confident = LabelMap.on_grid(relabel[lesion_map.array[0]], lesion_map, lesion_map.name)
    measured = measure_lesions(confident, probability)  # lesion n of the new map is kept[n - 1]
    return confident, [
        dataclasses.replace(lesion, confidence=before.confidence) for lesion, before in zip(measured, kept, strict=True)
    ]
