"""Measurements of one lesion mask on its real voxel grid (spacing and direction honoured).

Sizes follow RECIST 1.1: the long axis is the longest diameter in any axial slice, the short axis the longest
diameter perpendicular to it in the same slice. Diameters are measured on the lesion's outline (the iso-line
half-way between inside and outside voxel centres), so a sphere of radius r measures 2r, not 2r minus a voxel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import ConvexHull, QhullError
from skimage.measure import find_contours

from .volume import Volume

__all__ = ["AxialDiameters", "axial_diameters", "volume_ml", "centroid_ras", "axial_axis"]

_CHORD_SAMPLES = 256


@dataclass(frozen=True)
class AxialDiameters:
    """RECIST-style diameters: ``long_axis_mm``, ``short_axis_mm``, and the voxel slice index where measured."""

    long_axis_mm: float
    short_axis_mm: float
    slice_index: int


def volume_ml(mask: np.ndarray, grid: Volume) -> float:
    """Volume of a boolean mask ``(I, J, K)`` in millilitres."""
    voxel_mm3 = abs(float(np.linalg.det(grid.affine[:3, :3])))
    return float(mask.sum()) * voxel_mm3 / 1000.0


def centroid_ras(mask: np.ndarray, grid: Volume) -> tuple[float, float, float]:
    """Centre of mass of a boolean mask in RAS millimetres."""
    indices = np.argwhere(mask)
    return tuple(float(x) for x in grid.voxel_to_ras(indices.mean(axis=0))[0])  # type: ignore[return-value]


def axial_axis(grid: Volume) -> int:
    """The voxel axis (0, 1 or 2) closest to the patient's superior-inferior axis: slices across it are axial."""
    return int(np.argmax(np.abs(grid.direction_ras[2, :])))


def axial_diameters(mask: np.ndarray, grid: Volume) -> AxialDiameters:
    """Long and short axis of a non-empty boolean mask ``(I, J, K)``, in the axial slice of greatest extent."""
    axis = axial_axis(grid)
    in_plane = [a for a in range(3) if a != axis]
    basis = _plane_basis_mm(grid, axis)
    best = AxialDiameters(0.0, 0.0, -1)
    for index in np.flatnonzero(mask.any(axis=tuple(in_plane))):
        outlines = _slice_outlines(mask, grid, axis, int(index), basis)
        long_axis, direction = _longest_diameter(np.concatenate(outlines))
        if long_axis > best.long_axis_mm:
            best = AxialDiameters(long_axis, _perpendicular_chord(outlines, direction), int(index))
    return best


def _plane_basis_mm(grid: Volume, axis: int) -> np.ndarray:
    """``2x3`` orthonormal RAS directions spanning the slices across ``axis``."""
    in_plane = [a for a in range(3) if a != axis]
    first = grid.direction_ras[:, in_plane[0]]
    normal = np.cross(grid.direction_ras[:, in_plane[0]], grid.direction_ras[:, in_plane[1]])
    second = np.cross(normal, first)
    return np.stack([first, second / np.linalg.norm(second)])


def _slice_outlines(mask: np.ndarray, grid: Volume, axis: int, index: int, basis: np.ndarray) -> list[np.ndarray]:
    """Closed outlines of one slice of the mask, as in-plane millimetre coordinates ``[(N, 2)]``."""
    plane = np.take(mask, index, axis=axis).astype(np.float32)
    in_plane = [a for a in range(3) if a != axis]
    outlines = []
    for contour in find_contours(np.pad(plane, 1), 0.5):
        ijk = np.empty((len(contour), 3))
        ijk[:, in_plane[0]] = contour[:, 0] - 1.0
        ijk[:, in_plane[1]] = contour[:, 1] - 1.0
        ijk[:, axis] = index
        outlines.append(grid.voxel_to_ras(ijk) @ basis.T)
    return outlines


def _longest_diameter(points: np.ndarray) -> tuple[float, np.ndarray]:
    """Largest distance between two in-plane points ``(N, 2)``, and the unit direction joining them."""
    try:
        points = points[ConvexHull(points).vertices]
    except (QhullError, ValueError):
        pass  # collinear or too few points: every point is already on the hull
    differences = points[:, None, :] - points[None, :, :]
    distances = np.linalg.norm(differences, axis=-1)
    i, j = np.unravel_index(int(np.argmax(distances)), distances.shape)
    length = float(distances[i, j])
    direction = differences[i, j] / length if length > 0 else np.array([1.0, 0.0])
    return length, direction


def _perpendicular_chord(outlines: list[np.ndarray], direction: np.ndarray) -> float:
    """Longest extent across the outlines, perpendicular to ``direction``, at any position along it."""
    across = np.array([-direction[1], direction[0]])
    starts = np.concatenate([outline[:-1] for outline in outlines])
    ends = np.concatenate([outline[1:] for outline in outlines])
    start_along, end_along = starts @ direction, ends @ direction
    start_across, end_across = starts @ across, ends @ across
    best = 0.0
    for position in np.linspace(
        min(start_along.min(), end_along.min()), max(start_along.max(), end_along.max()), _CHORD_SAMPLES
    ):
        crossing = (start_along - position) * (end_along - position) <= 0
        crossing &= start_along != end_along
        if crossing.sum() < 2:
            continue
        t = (position - start_along[crossing]) / (end_along[crossing] - start_along[crossing])
        values = start_across[crossing] + t * (end_across[crossing] - start_across[crossing])
        best = max(best, float(values.max() - values.min()))
    return best
