"""Every measurement of one region (a lesion) in one call: sizes, shape and intensities, on the input grid.

Indices (slices, bounding box) refer to the full grid the mask lies on, so the report's "slice to show" is a slice
of the volume the user loaded. :func:`measure_regions` measures every region of a label map, each in a box around
it, so that a map of a hundred small lesions costs what its lesions cost, not a hundred passes over the volume.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from ..volume import LabelMap, ScalarVolume, Volume, check_same_grid
from .intensity import DEFAULT_SHELL_MM, LesionIntensity, lesion_intensity, shell_box
from .shape import ShapeDescriptors, shape_descriptors
from .sizes import (
    AxialDiameters,
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

__all__ = ["RegionMeasurements", "measure_region", "measure_regions"]


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
    axes: AxialDiameters | None = None,
) -> RegionMeasurements:
    """Measure a non-empty boolean mask ``(I, J, K)`` lying on ``grid``.

    Args:
        mask: the region.
        grid: the volume (or label map) whose voxels the mask indexes.
        image: the image for intensity statistics, on the same grid; every channel is measured.
        exclude: voxels left out of the surrounding shell (other lesions).
        shell_mm: thickness of the surrounding shell.
        axes: the region's RECIST axes when they are already measured (slice index on ``grid``), as ``segment``'s
            lesions carry them: the slowest measurement is then not made a second time.

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
    diameters = axes if axes is not None else _on_grid(axial_diameters(local, local_grid), offset)
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
        axial_slice_index=diameters.slice_index,
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


def _on_grid(diameters: AxialDiameters, offset: int) -> AxialDiameters:
    """``diameters`` with their slice index moved by ``offset`` slices."""
    return dataclasses.replace(diameters, slice_index=diameters.slice_index + offset)


def _region_boxes(label_map: LabelMap, shell_mm: float = DEFAULT_SHELL_MM) -> dict[int, tuple[slice, slice, slice]]:
    """For each region (value n > 0), its bounding box grown by the shell: all that measuring it reads."""
    found = ndimage.find_objects(label_map.array[0])
    return {value: shell_box(box, label_map, shell_mm) for value, box in enumerate(found, start=1) if box is not None}


def measure_regions(
    label_map: LabelMap,
    *,
    image: ScalarVolume | None = None,
    shell_mm: float = DEFAULT_SHELL_MM,
    known_axes: Mapping[int, AxialDiameters] | None = None,
) -> dict[int, RegionMeasurements]:
    """Measure every region (value n > 0) of ``label_map``, each with the others left out of its shell.

    The same figures as :func:`measure_region` on each full-grid mask, with indices on the full grid.
    ``known_axes``: RECIST axes already measured, by region value (slice indices on the full grid), e.g. from
    ``segment``'s lesions; they are used as they are.

    Raises:
        GridMismatchError: ``image`` is not on the label map's grid.
    """
    if image is not None:
        check_same_grid([label_map, image], "image and mask")
    known_axes = known_axes or {}
    axial = axial_axis(label_map)
    measured = {}
    for value, box in _region_boxes(label_map, shell_mm).items():
        labels = label_map.array[0][box]
        mask = labels == value
        axes = known_axes.get(value)
        local = measure_region(
            mask,
            label_map.crop(box),
            image=image.crop(box) if image is not None else None,
            exclude=(labels > 0) & ~mask,
            shell_mm=shell_mm,
            axes=None if axes is None else _on_grid(axes, -int(box[axial].start)),
        )
        measured[value] = _on_full_grid(local, box, label_map.spatial_shape)
    return measured


def _on_full_grid(
    local: RegionMeasurements, box: tuple[slice, slice, slice], shape: tuple[int, int, int]
) -> RegionMeasurements:
    """Measurements made in ``box`` with their indices moved back onto the full grid of ``shape``."""
    start = tuple(int(axis_range.start) for axis_range in box)
    moved = BoundingBox(
        ijk_min=tuple(i + s for i, s in zip(local.bounding_box.ijk_min, start, strict=True)),  # type: ignore[arg-type]
        ijk_max=tuple(i + s for i, s in zip(local.bounding_box.ijk_max, start, strict=True)),  # type: ignore[arg-type]
        extent_mm=local.bounding_box.extent_mm,
    )
    return dataclasses.replace(
        local,
        bounding_box=moved,
        axial_slice_index=local.axial_slice_index + start[local.axial_axis],
        maximum_area_slice_index=local.maximum_area_slice_index + start[local.axial_axis],
        touches_border=moved.touches_border(shape),
    )
