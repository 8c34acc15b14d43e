"""Keeping the lesions that spatial prompts point at (rules in :mod:`reinforcedvl.spatial.prompts`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

from ..volume import Volume
from .prompts import NEAR_POINT_MM, PromptPoint

__all__ = ["touched_component", "spans_point", "select_by_points"]

_CONNECTIVITY = np.ones((3, 3, 3), dtype=bool)  # as reinforcedvl.lesions: 26-connected
_HULL_TOLERANCE_VOXELS = 0.5  # a point on the hull's surface (within half a voxel) counts as inside


def touched_component(components: np.ndarray, grid: Volume, ras: Sequence[float]) -> int:
    """The component label a point marks, 0 for none: the one holding the voxel at ``ras``; else the one whose
    nearest voxel centre lies closest to ``ras`` within :data:`NEAR_POINT_MM`; else, of the components that span the
    point (:func:`spans_point`: it lies inside the convex hull of their voxels, as the hollow of a ring or a thin
    rim the prediction draws beside the clicked tissue), the one whose nearest voxel is closest.

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
    if len(found):
        distances = np.linalg.norm(grid.voxel_to_ras(found + low) - np.asarray(ras), axis=1)
        best = int(np.argmin(distances))
        if distances[best] <= NEAR_POINT_MM:
            return int(window[tuple(found[best])])
    spanning = []
    for label, extent in enumerate(ndimage.find_objects(components), start=1):
        if extent is None or not all(p.start - 0.5 <= x <= p.stop - 0.5 for p, x in zip(extent, ijk, strict=True)):
            continue  # the point lies outside the component's bounding box, so outside its hull
        voxels = np.argwhere(components[extent] == label) + [part.start for part in extent]
        if spans_point(voxels, ijk):
            spanning.append((float(np.linalg.norm(grid.voxel_to_ras(voxels) - np.asarray(ras), axis=1).min()), label))
    return min(spanning)[1] if spanning else 0


def spans_point(voxels: np.ndarray, ijk: Sequence[float]) -> bool:
    """Whether voxel index ``ijk`` lies inside the convex hull of ``voxels`` ``(N, 3)`` (within half a voxel); a
    component too flat or too small to enclose anything (fewer than 4 voxels off one plane) spans nothing."""
    if len(voxels) < 4 or np.any(np.ptp(voxels, axis=0) == 0):
        return False
    try:
        hull = ConvexHull(voxels.astype(np.float64))
    except QhullError:
        return False
    normals, offsets = hull.equations[:, :3], hull.equations[:, 3]
    return bool(np.all(normals @ np.asarray(ijk, dtype=np.float64) + offsets <= _HULL_TOLERANCE_VOXELS))


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
