"""Shape of one lesion mask on its real voxel grid: sphericity, solidity, elongation and flatness.

Surface-based descriptors use the iso-surface half-way between inside and outside voxel centres
(:func:`.measurements.surface_mesh_ras`); moment-based ones use the voxels as small boxes of the grid's spacing and
direction, so they hold for anisotropic and oblique grids alike. Thick-slice CT makes any 3D surface a staircase
(a 8 mm sphere on 2.5 mm slices has a 3D solidity near 0.8), so the outline descriptors are also measured in the
axial slice of greatest area, where the in-plane resolution is finest and where radiologists judge a margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage
from scipy.spatial import ConvexHull, QhullError

from ..volume import Volume
from .sizes import axial_axis, maximum_area_slice, slice_outlines_mm, surface_mesh_ras

__all__ = ["ShapeDescriptors", "shape_descriptors", "principal_diameters_mm"]


@dataclass(frozen=True)
class ShapeDescriptors:
    """How round, how convex and how stretched a lesion is.

    Attributes:
        surface_area_mm2: area of the iso-surface.
        mesh_volume_ml: volume enclosed by the iso-surface (close to the voxel volume for all but tiny masks).
        sphericity: ``pi^(1/3) (6 V)^(2/3) / A`` from the iso-surface: 1 for a perfect sphere, lower for any other
            shape; a voxelised sphere scores about 0.9 because its surface is made of facets.
        solidity: enclosed volume over the volume of its convex hull: 1 for a convex lesion, lower for lobulated,
            notched or spiculated ones.
        elongation: longest over intermediate principal diameter (1 for a sphere, 2 for a 2:1:1 ellipsoid).
        flatness: shortest over longest principal diameter (1 for a sphere, towards 0 for a plate).
        principal_diameters_mm: diameters of the ellipsoid with the same second moments, longest first.
        axial_solidity: in the axial slice of greatest area, the area inside the outlines over the area of their
            convex hull (1 convex; lobulation and spiculation lower it).
        axial_circularity: in the same slice, ``4 pi area / perimeter^2`` (1 for a circle; an elongated,
            lobulated or spiculated outline scores lower).
        axial_convexity: in the same slice, the perimeter of the convex hull over the perimeter of the outlines
            (1 for a convex outline whatever its elongation; spicules and notches lengthen the outline and lower
            it; the pixel staircase of a small outline lowers it a little too).

    Example:
        >>> descriptors = shape_descriptors(mask, grid)  # doctest: +SKIP
        >>> descriptors.elongation  # doctest: +SKIP
        2.01
    """

    surface_area_mm2: float
    mesh_volume_ml: float
    sphericity: float
    solidity: float
    elongation: float
    flatness: float
    principal_diameters_mm: tuple[float, float, float]
    axial_solidity: float
    axial_circularity: float
    axial_convexity: float

    def to_dict(self) -> dict[str, Any]:
        """The descriptors under the keys used in ``report.json``."""
        return {
            "surface_area_mm2": round(self.surface_area_mm2, 2),
            "sphericity": round(self.sphericity, 4),
            "solidity": round(self.solidity, 4),
            "elongation": round(self.elongation, 4),
            "flatness": round(self.flatness, 4),
            "principal_diameters_mm": [round(d, 2) for d in self.principal_diameters_mm],
            "axial_solidity": round(self.axial_solidity, 4),
            "axial_circularity": round(self.axial_circularity, 4),
            "axial_convexity": round(self.axial_convexity, 4),
        }


def shape_descriptors(mask: np.ndarray, grid: Volume) -> ShapeDescriptors:
    """Shape descriptors of a non-empty boolean mask ``(I, J, K)`` lying on ``grid``."""
    vertices, faces = surface_mesh_ras(mask, grid)
    triangles = vertices[faces]
    cross = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    area = float(0.5 * np.linalg.norm(cross, axis=1).sum())
    # Divergence theorem: signed tetrahedra from the origin; the sign depends on the winding, the size does not.
    volume_mm3 = abs(float(np.einsum("ij,ij->i", triangles[:, 0], np.cross(triangles[:, 1], triangles[:, 2])).sum()))
    volume_mm3 /= 6.0
    try:
        hull_mm3 = float(ConvexHull(vertices).volume)
    except (QhullError, ValueError):
        hull_mm3 = volume_mm3  # a degenerate (flat) surface is its own hull
    sphericity = float(np.pi ** (1 / 3) * (6 * volume_mm3) ** (2 / 3) / area) if area > 0 else 0.0
    diameters = principal_diameters_mm(mask, grid)
    axial_solidity, axial_circularity, axial_convexity = _axial_outline_descriptors(mask, grid)
    return ShapeDescriptors(
        surface_area_mm2=area,
        mesh_volume_ml=volume_mm3 / 1000.0,
        sphericity=sphericity,
        solidity=min(volume_mm3 / hull_mm3, 1.0) if hull_mm3 > 0 else 1.0,
        elongation=diameters[0] / diameters[1] if diameters[1] > 0 else 1.0,
        flatness=diameters[2] / diameters[0] if diameters[0] > 0 else 1.0,
        principal_diameters_mm=diameters,
        axial_solidity=axial_solidity,
        axial_circularity=axial_circularity,
        axial_convexity=axial_convexity,
    )


def principal_diameters_mm(mask: np.ndarray, grid: Volume) -> tuple[float, float, float]:
    """Diameters of the solid ellipsoid with the mask's second moments (``2 sqrt(5 lambda)``), longest first.

    Each voxel counts as a uniform box of the grid's spacing and direction, so one voxel has moments too and an
    ellipsoid of semi-axes a, b, c measures close to 2a, 2b, 2c on any grid.
    """
    points = grid.voxel_to_ras(np.argwhere(mask))
    centred = points - points.mean(axis=0)
    covariance = centred.T @ centred / len(points)
    linear = grid.affine[:3, :3]
    covariance += linear @ linear.T / 12.0  # a uniform box of side s has variance s^2 / 12 along that side
    eigenvalues = np.sort(np.clip(np.linalg.eigvalsh(covariance), 0.0, None))[::-1]
    return tuple(float(2.0 * np.sqrt(5.0 * value)) for value in eigenvalues)  # type: ignore[return-value]


def _axial_outline_descriptors(mask: np.ndarray, grid: Volume) -> tuple[float, float, float]:
    """Solidity, circularity and convexity of the outlines in the axial slice of greatest area (holes filled)."""
    axis = axial_axis(grid)
    index = maximum_area_slice(mask, grid).slice_index
    filled = np.array(mask, dtype=bool)
    location = [slice(None)] * 3
    location[axis] = index
    filled[tuple(location)] = ndimage.binary_fill_holes(filled[tuple(location)])
    outlines = slice_outlines_mm(filled, grid, index)
    area = sum(abs(_shoelace(outline)) for outline in outlines)
    perimeter = sum(float(np.linalg.norm(np.diff(outline, axis=0), axis=1).sum()) for outline in outlines)
    points = np.concatenate(outlines)
    try:
        hull = ConvexHull(points)
    except (QhullError, ValueError):
        return 1.0, 0.0, 1.0  # a line of pixels: convex, and no area to be round with
    hull_area, hull_perimeter = float(hull.volume), float(hull.area)  # in 2D, Qhull's volume/area: area/perimeter
    solidity = min(area / hull_area, 1.0) if hull_area > 0 else 1.0
    circularity = min(4.0 * np.pi * area / perimeter**2, 1.0) if perimeter > 0 else 0.0
    convexity = min(hull_perimeter / perimeter, 1.0) if perimeter > 0 else 1.0
    return float(solidity), float(circularity), float(convexity)


def _shoelace(outline: np.ndarray) -> float:
    """Signed area of a closed polygon ``(N, 2)``."""
    x, y = outline[:, 0], outline[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))
