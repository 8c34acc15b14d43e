"""Per-case segmentation metrics in physical units, computed by MONAI's metric classes.

Dice (``DiceMetric``), normalised surface Dice at a tolerance in millimetres (``SurfaceDiceMetric``) and the 95th
percentile Hausdorff distance in millimetres (``HausdorffDistanceMetric``), with the voxel spacing passed
explicitly; plus lesion-level detection counts from connected components.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from monai.metrics import HausdorffDistanceMetric, SurfaceDiceMetric
from scipy import ndimage

from ..lesions.connectivity import LESION_CONNECTIVITY
from .overlap import dice

__all__ = ["SegmentationScores", "DetectionCounts", "segmentation_scores", "detection_counts", "dice"]


@dataclass(frozen=True)
class SegmentationScores:
    """Dice in [0, 1]; ``surface_dice`` at ``tolerance_mm``; ``hd95_mm`` (NaN when either mask is empty)."""

    dice: float
    surface_dice: float
    hd95_mm: float


@dataclass(frozen=True)
class DetectionCounts:
    """Lesion-level matching: a reference lesion is found when a predicted lesion overlaps it, and a predicted
    lesion is true when it overlaps a reference lesion."""

    reference_lesions: int
    found_reference_lesions: int
    predicted_lesions: int
    true_predicted_lesions: int


def _as_batch(mask: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(mask, dtype=np.float32))[None, None]


def segmentation_scores(
    prediction: np.ndarray, reference: np.ndarray, spacing_mm: tuple[float, float, float], tolerance_mm: float
) -> SegmentationScores:
    """Dice, surface Dice and HD95 of two boolean masks ``(I, J, K)`` with voxel size ``spacing_mm``."""
    predicted, expected = _as_batch(prediction), _as_batch(reference)
    if not prediction.any() or not reference.any():
        return SegmentationScores(dice(prediction, reference), float(prediction.any() == reference.any()), math.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        surface = SurfaceDiceMetric(class_thresholds=[tolerance_mm], include_background=True, reduction="none")
        hausdorff = HausdorffDistanceMetric(include_background=True, percentile=95, reduction="none")
        return SegmentationScores(
            dice=dice(prediction, reference),
            surface_dice=float(surface(predicted, expected, spacing=list(spacing_mm))),
            hd95_mm=float(hausdorff(predicted, expected, spacing=list(spacing_mm))),
        )


def detection_counts(prediction: np.ndarray, reference: np.ndarray) -> DetectionCounts:
    """Match connected components of two boolean masks by overlap."""
    predicted, predicted_count = ndimage.label(prediction, structure=LESION_CONNECTIVITY)
    expected, expected_count = ndimage.label(reference, structure=LESION_CONNECTIVITY)
    overlap = reference & prediction
    return DetectionCounts(
        reference_lesions=expected_count,
        found_reference_lesions=len(np.unique(expected[overlap])),
        predicted_lesions=predicted_count,
        true_predicted_lesions=len(np.unique(predicted[overlap])),
    )
