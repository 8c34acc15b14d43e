"""Every measurement of one region (a lesion) in one call: sizes, shape and intensities, on the input grid.

Indices (slices, bounding box) refer to the full grid the mask lies on, so the report's "slice to show" is a slice
of the volume the user loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .intensity_statistics import DEFAULT_SHELL_MM, LesionIntensity, lesion_intensity
from .measurements import (
    BoundingBox,
    axial_axis,
    axial_diameters,
    bounding_box,
    centroid_ras,
    component_count,
    equivalent_sphere_diameter_mm,
    maximum_area_slice,
    maximum_diameter_mm,
    volume_ml,
)
from .shape_descriptors import ShapeDescriptors, shape_descriptors
from .volume import ScalarVolume, Volume, check_same_grid

__all__ = ["RegionMeasurements", "measure_region"]


@dataclass(frozen=True)
class RegionMeasurements:
    """The measurements of one region; millimetres and RAS, indices on the full grid.

    Attributes:
        voxels: number of voxels.
        volume_ml: voxel count times voxel volume.
        long_axis_mm, short_axis_mm: RECIST axes in the axial slice ``axial_slice_index`` of greatest extent.
        axial_axis: the voxel axis across which slices are axial (0, 1 or 2).
        maximum_diameter_mm: longest distance across the region in 3D.
        equivalent_diameter_mm: diameter of the sphere of the same volume.
        centroid_ras: centre of mass, RAS mm.
        bounding_box: voxel index range and extent.
        maximum_area_slice_index, maximum_area_mm2: axial slice with the largest cross-section, and that area.
        components: number of separate pieces (26-connectivity).
        touches_border: the region reaches the edge of the grid, so it may extend beyond the image.
        shape: shape descriptors.
        intensity: one entry per image channel (empty when no image was given).
    """

    voxels: int
    volume_ml: float
    long_axis_mm: float
    short_axis_mm: float
    axial_slice_index: int
    axial_axis: int
    maximum_diameter_mm: float
    equivalent_diameter_mm: float
    centroid_ras: tuple[float, float, float]
    bounding_box: BoundingBox
    maximum_area_slice_index: int
    maximum_area_mm2: float
    components: int
    touches_border: bool
    shape: ShapeDescriptors
    intensity: tuple[LesionIntensity, ...]

    def to_dict(self) -> dict[str, Any]:
        """The measurements beyond ``Lesion.to_dict``'s, under the keys used in ``report.json``."""
        return {
            "maximum_diameter_mm": round(self.maximum_diameter_mm, 2),
            "equivalent_diameter_mm": round(self.equivalent_diameter_mm, 2),
            "axial_slice_index": self.axial_slice_index,
            "axial_axis": self.axial_axis,
            "bounding_box_ijk": [list(self.bounding_box.ijk_min), list(self.bounding_box.ijk_max)],
            "bounding_box_mm": [round(e, 2) for e in self.bounding_box.extent_mm],
            "maximum_area_slice_index": self.maximum_area_slice_index,
            "maximum_area_mm2": round(self.maximum_area_mm2, 2),
            "components": self.components,
            "touches_border": self.touches_border,
            **self.shape.to_dict(),
            "intensity": [channel.to_dict() for channel in self.intensity],
        }


def measure_region(
    mask: np.ndarray,
    grid: Volume,
    *,
    image: ScalarVolume | None = None,
    exclude: np.ndarray | None = None,
    shell_mm: float = DEFAULT_SHELL_MM,
) -> RegionMeasurements:
    """Measure a non-empty boolean mask ``(I, J, K)`` lying on ``grid``.

    Args:
        mask: the region.
        grid: the volume (or label map) whose voxels the mask indexes.
        image: the image for intensity statistics, on the same grid; every channel is measured.
        exclude: voxels left out of the surrounding shell (other lesions).
        shell_mm: thickness of the surrounding shell.

    Raises:
        ValueError: the mask is empty or not of the grid's shape.
        GridMismatchError: ``image`` is not on ``grid``.
    """
    if mask.shape != grid.spatial_shape or not mask.any():
        raise ValueError(f"Expected a non-empty mask of shape {grid.spatial_shape}, got shape {mask.shape}")
    if image is not None:
        check_same_grid([grid, image], "image and mask")
    box = bounding_box(mask, grid)
    local, local_grid = mask[box.slices], grid.crop(box.slices)
    axis = axial_axis(grid)
    offset = box.ijk_min[axis]
    diameters = axial_diameters(local, local_grid)
    largest = maximum_area_slice(local, local_grid)
    size_ml = volume_ml(local, local_grid)
    intensity = tuple(
        lesion_intensity(image.array[channel], mask, grid, shell_mm=shell_mm, exclude=exclude)
        for channel in range(image.num_channels if image is not None else 0)
    )
    return RegionMeasurements(
        voxels=int(local.sum()),
        volume_ml=size_ml,
        long_axis_mm=diameters.long_axis_mm,
        short_axis_mm=diameters.short_axis_mm,
        axial_slice_index=diameters.slice_index + offset,
        axial_axis=axis,
        maximum_diameter_mm=maximum_diameter_mm(local, local_grid),
        equivalent_diameter_mm=equivalent_sphere_diameter_mm(size_ml),
        centroid_ras=centroid_ras(local, local_grid),
        bounding_box=box,
        maximum_area_slice_index=largest.slice_index + offset,
        maximum_area_mm2=largest.area_mm2,
        components=component_count(local),
        touches_border=box.touches_border(grid.spatial_shape),
        shape=shape_descriptors(local, local_grid),
        intensity=intensity,
    )
