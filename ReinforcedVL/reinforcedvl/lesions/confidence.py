"""Lesions that earn their place: those whose confidence (mean probability over the lesion's voxels) is under a
threshold are neither drawn nor reported."""

from __future__ import annotations

import numpy as np

from ..volume import LabelMap
from . import Lesion, measure_lesions

__all__ = ["DEFAULT_LESION_CONFIDENCE", "keep_confident_lesions"]

DEFAULT_LESION_CONFIDENCE = 0.6
"""The default threshold, chosen on the dev split (docs/model-card.md, "Lesion confidence"): the best lesion F1 that
lowers neither the LIDC nor the BraTS Dice. 0 keeps every lesion the mask threshold made."""


def keep_confident_lesions(
    lesion_map: LabelMap, lesions: list[Lesion], probability: np.ndarray, threshold: float
) -> tuple[LabelMap, list[Lesion]]:
    """Drop the lesions whose confidence is under ``threshold`` and renumber the rest, largest first.

    Args:
        lesion_map: lesion n = label n, as :func:`reinforcedvl.lesions.find_lesions` made it.
        lesions: its lesions.
        probability: the finding's probability ``(I, J, K)`` on the same grid.
        threshold: in [0, 1]; 0 keeps every lesion.
    """
    kept = [lesion for lesion in lesions if lesion.confidence >= threshold]
    if len(kept) == len(lesions):
        return lesion_map, lesions
    relabel = np.zeros(len(lesions) + 1, dtype=np.uint16)
    relabel[[lesion.lesion_id for lesion in kept]] = np.arange(1, len(kept) + 1)
    confident = LabelMap.on_grid(relabel[lesion_map.array[0]], lesion_map, lesion_map.name)
    return confident, measure_lesions(confident, probability)
