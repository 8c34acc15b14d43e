"""Keeping the lesions that spatial prompts point at (rules in :mod:`reinforcedvl.spatial.prompts`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from ..volume import Volume
from .prompts import NEAR_POINT_MM, PromptPoint

__all__ = ["touched_component", "select_by_points"]

_CONNECTIVITY = np.ones((3, 3, 3), dtype=bool)  # as reinforcedvl.lesions: 26-connected


def touched_component(components: np.ndarray, grid: Volume, ras: Sequence[float]) -> int:
    """The component label a point marks: the one holding the voxel at ``ras``, else the one whose nearest voxel
    centre lies closest to ``ras`` within :data:`NEAR_POINT_MM`; 0 for none.

    Args:
        components: integer labels ``(I, J, K)`` on ``grid`` (0 background).
        grid: the labels' grid.
        ras: the point in RAS mm.
    """
    ijk = grid.ras_to_voxel(np.asarray(ras))[0]
    shape = np.asarray(components.shape)
    nearest = np.clip(np.rint(ijk).astype(int), 0, shape - 1)
    if components[tuple(nearest)]:
        return int(components[tuple(nearest)])
    reach = np.ceil(NEAR_POINT_MM / np.asarray(grid.spacing)).astype(int) + 1
    low, high = np.maximum(nearest - reach, 0), np.minimum(nearest + reach + 1, shape)
    window = components[tuple(slice(a, b) for a, b in zip(low, high, strict=True))]
    found = np.argwhere(window > 0)
    if not len(found):
        return 0
    distances = np.linalg.norm(grid.voxel_to_ras(found + low) - np.asarray(ras), axis=1)
    best = int(np.argmin(distances))
    return int(window[tuple(found[best])]) if distances[best] <= NEAR_POINT_MM else 0


def select_by_points(
    probability: np.ndarray, grid: Volume, points: Sequence[PromptPoint], *, threshold: float
) -> np.ndarray:
    """``probability`` ``(I, J, K)`` with every voxel of the lesions the points do not choose set to 0.

    With positive points, only the lesions they mark are kept; without, every lesion is. A negative point removes
    the lesion it marks; when a positive point marks that lesion too, only the voxels nearer the negative point
    than every positive point on the lesion go, and the pieces no positive point marks afterwards go with them.
    """
    positives = [point for point in points if point.positive]
    negatives = [point for point in points if not point.positive]
    components, _ = ndimage.label(probability >= threshold, structure=_CONNECTIVITY)
    marked = {touched_component(components, grid, p.ras): p for p in positives}
    marked.pop(0, None)
    keep = np.zeros(components.max() + 1, dtype=bool)
    if positives:
        keep[list(marked)] = True
    else:
        keep[1:] = True
    cut = np.zeros(components.shape, dtype=bool)
    for negative in negatives:
        label = touched_component(components, grid, negative.ras)
        if not label or not keep[label]:
            continue
        if label not in marked:
            keep[label] = False
            continue
        voxels = np.argwhere(components == label)
        ras = grid.voxel_to_ras(voxels)
        to_negative = np.linalg.norm(ras - np.asarray(negative.ras), axis=1)
        own = [p for p in positives if touched_component(components, grid, p.ras) == label]
        to_positive = np.min([np.linalg.norm(ras - np.asarray(p.ras), axis=1) for p in own], axis=0)
        nearer = voxels[to_negative < to_positive]
        cut[tuple(nearer.T)] = True
    kept = keep[components] & ~cut
    if positives and cut.any():
        pieces, _ = ndimage.label(kept, structure=_CONNECTIVITY)
        chosen = {touched_component(pieces, grid, p.ras) for p in positives} - {0}
        kept = np.isin(pieces, list(chosen)) if chosen else np.zeros_like(kept)
    return np.where(kept, probability, 0.0).astype(probability.dtype, copy=False)
