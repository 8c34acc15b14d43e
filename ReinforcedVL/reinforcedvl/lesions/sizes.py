"""Sizes of one lesion mask on its real voxel grid (spacing and direction honoured).

Sizes follow RECIST 1.1: the long axis is the longest diameter in any axial slice, the short axis the longest
diameter perpendicular to it in the same slice. Diameters are measured on the lesion's outline (the iso-line
half-way between inside and outside voxel centres), so a sphere of radius r measures 2r, not 2r minus a voxel;
the maximum 3D diameter is measured the same way on the iso-surface. Shape and intensity live in
:mod:`.shape` and :mod:`.intensity`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError
from skimage.measure import find_contours, marching_cubes

from ..volume import Volume
from .connectivity import LESION_CONNECTIVITY

__all__ = [
    "AxialDiameters",
    "BoundingBox",
    "MaximumAreaSlice",
    "axial_diameters",
    "volume_ml",
    "centroid_ras",
    "axial_axis",
    "maximum_diameter_mm",
    "equivalent_sphere_diameter_mm",
    "bounding_box",
    "maximum_area_slice",
    "component_count",
    "surface_mesh_ras",
    "slice_outlines_mm",
]

_CHORD_SAMPLES = 256


@dataclass(frozen=True)
class AxialDiameters:
    """RECIST-style diameters: ``long_axis_mm``, ``short_axis_mm``, and the voxel slice index where measured."""

    long_axis_mm: float
    short_axis_mm: float
    slice_index: int


@dataclass(frozen=True)
class BoundingBox:
    """The voxel index range of a mask (inclusive ``ijk_min`` to ``ijk_max``) and its extent along I, J, K in mm.

    ``extent_mm`` is measured between the outer faces of the end voxels, so a single voxel spans one spacing.
    """

    ijk_min: tuple[int, int, int]
    ijk_max: tuple[int, int, int]
    extent_mm: tuple[float, float, float]

    @property
    def slices(self) -> tuple[slice, slice, slice]:
        """The box as index ranges, for cropping an ``(I, J, K)`` array."""
        return tuple(slice(low, high + 1) for low, high in zip(self.ijk_min, self.ijk_max, strict=True))  # type: ignore[return-value]

    def touches_border(self, shape: tuple[int, int, int]) -> bool:
        """Whether the box reaches the first or last voxel of any axis of a grid of ``shape``."""
        return any(low == 0 or high == n - 1 for low, high, n in zip(self.ijk_min, self.ijk_max, shape, strict=True))


@dataclass(frozen=True)
class MaximumAreaSlice:
    """The axial slice (voxel index along :func:`axial_axis`) where the mask covers the most area, in mm²."""

    slice_index: int
    area_mm2: float


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
    best = AxialDiameters(0.0, 0.0, -1)
    for index in np.flatnonzero(mask.any(axis=tuple(in_plane))):
        outlines = slice_outlines_mm(mask, grid, int(index))
        long_axis, direction = _longest_diameter(np.concatenate(outlines))
        if long_axis > best.long_axis_mm:
            best = AxialDiameters(long_axis, _perpendicular_chord(outlines, direction), int(index))
    return best


def maximum_diameter_mm(mask: np.ndarray, grid: Volume) -> float:
    """Largest distance between two points of the lesion's iso-surface, in any direction, in mm."""
    vertices, _ = surface_mesh_ras(mask, grid)
    try:
        vertices = vertices[ConvexHull(vertices).vertices]
    except (QhullError, ValueError):
        pass  # flat or tiny surface: every vertex is kept
    return float(_pairwise_maximum(vertices))


def equivalent_sphere_diameter_mm(volume_in_ml: float) -> float:
    """Diameter of the sphere with the same volume, in mm (a sphere of 1 mL measures about 12.4 mm)."""
    return float((6.0 * volume_in_ml * 1000.0 / np.pi) ** (1.0 / 3.0))


def bounding_box(mask: np.ndarray, grid: Volume) -> BoundingBox:
    """Voxel index range and millimetre extent of a non-empty boolean mask ``(I, J, K)``."""
    box = ndimage.find_objects(mask.astype(np.uint8))[0]
    low = tuple(int(axis_range.start) for axis_range in box)
    high = tuple(int(axis_range.stop) - 1 for axis_range in box)
    extent = tuple(float((h - lo + 1) * s) for lo, h, s in zip(low, high, grid.spacing, strict=True))
    return BoundingBox(low, high, extent)  # type: ignore[arg-type]


def maximum_area_slice(mask: np.ndarray, grid: Volume) -> MaximumAreaSlice:
    """The axial slice of a non-empty mask with the largest cross-section (the first one on ties)."""
    axis = axial_axis(grid)
    in_plane = tuple(a for a in range(3) if a != axis)
    pixel_mm2 = float(np.prod([grid.spacing[a] for a in in_plane]))
    counts = mask.sum(axis=in_plane)
    index = int(np.argmax(counts))
    return MaximumAreaSlice(index, float(counts[index]) * pixel_mm2)


def component_count(mask: np.ndarray) -> int:
    """Number of separate pieces of a mask (26-connectivity: touching corners join)."""
    return int(ndimage.label(mask, structure=LESION_CONNECTIVITY)[1])


def surface_mesh_ras(mask: np.ndarray, grid: Volume) -> tuple[np.ndarray, np.ndarray]:
    """The iso-surface of a non-empty mask half-way between inside and outside voxel centres.

    Returns:
        Vertices ``(V, 3)`` in RAS mm and triangles ``(T, 3)`` (vertex indices), a closed surface: the mask is
        padded by one empty voxel so lesions touching the grid's border are closed where the grid ends.
    """
    padded = np.pad(mask.astype(np.float32), 1)
    vertices, faces, _, _ = marching_cubes(padded, level=0.5, allow_degenerate=False)
    return grid.voxel_to_ras(vertices - 1.0), faces


def _pairwise_maximum(points: np.ndarray) -> float:
    """Largest distance between two of ``points`` ``(N, D)``, in blocks to bound memory."""
    best = 0.0
    for start in range(0, len(points), 1024):
        block = points[start : start + 1024]
        distances = np.linalg.norm(block[:, None, :] - points[None, :, :], axis=-1)
        best = max(best, float(distances.max(initial=0.0)))
    return best


def _plane_basis_mm(grid: Volume, axis: int) -> np.ndarray:
    """``2x3`` orthonormal RAS directions spanning the slices across ``axis``."""
    in_plane = [a for a in range(3) if a != axis]
    first = grid.direction_ras[:, in_plane[0]]
    normal = np.cross(grid.direction_ras[:, in_plane[0]], grid.direction_ras[:, in_plane[1]])
    second = np.cross(normal, first)
    return np.stack([first, second / np.linalg.norm(second)])


def slice_outlines_mm(mask: np.ndarray, grid: Volume, index: int) -> list[np.ndarray]:
    """Closed outlines of axial slice ``index`` of the mask, as in-plane millimetre coordinates ``[(N, 2)]``.

    The outlines are the iso-lines half-way between inside and outside pixel centres (first point repeated last).
    """
    axis = axial_axis(grid)
    basis = _plane_basis_mm(grid, axis)
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
