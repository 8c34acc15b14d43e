"""Intensities inside a lesion and in a shell around it, and how sharply they change at its margin.

The units are the image's: Hounsfield units for CT, the scanner's (or normalised) signal for MR. The shell is the
voxels outside the lesion within a physical distance of it (Euclidean distance on the real spacing), leaving out
voxels of other lesions, so "hyperdense relative to its surroundings" compares the lesion with what touches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from ..volume import Volume

__all__ = [
    "DEFAULT_SHELL_MM",
    "IntensityStatistics",
    "LesionIntensity",
    "intensity_statistics",
    "lesion_intensity",
    "shell_box",
    "shell_mask",
]

DEFAULT_SHELL_MM = 3.0
"""Thickness of the surrounding shell: a few voxels of a chest CT, wide enough to average noise, narrow enough to
stay in the tissue the lesion sits in."""


@dataclass(frozen=True)
class IntensityStatistics:
    """Summary of the intensities of a set of voxels (``voxels`` of them; all values NaN when there are none)."""

    voxels: int
    mean: float
    std: float
    median: float
    p05: float
    p95: float
    minimum: float
    maximum: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "voxels": self.voxels,
            **{name: _rounded(getattr(self, name)) for name in ("mean", "std", "median", "p05", "p95")},
            "min": _rounded(self.minimum),
            "max": _rounded(self.maximum),
        }


@dataclass(frozen=True)
class LesionIntensity:
    """Intensities of one image channel inside a lesion and in the shell around it.

    Attributes:
        inside: statistics of the lesion's voxels.
        shell: statistics of the voxels within ``shell_mm`` outside it (other lesions left out).
        shell_mm: the shell's thickness.
        contrast: ``inside.mean - shell.mean`` (positive: brighter / denser than its surroundings).
        boundary_gradient: mean intensity gradient magnitude on the lesion's boundary voxels, in image units per mm
            (HU/mm for CT): how strongly the image changes where the lesion ends.
        margin_sharpness: ``boundary_gradient / |contrast|``, in 1/mm: the reciprocal of the distance over which
            the intensity goes from inside to outside, whatever the units. A step edge scores about
            1 / (2 x voxel size) (central differences span two voxels); a gradual, ill-defined margin scores lower.
            NaN when there is no shell or no contrast.
    """

    inside: IntensityStatistics
    shell: IntensityStatistics
    shell_mm: float
    contrast: float
    boundary_gradient: float
    margin_sharpness: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "inside": self.inside.to_dict(),
            "shell": self.shell.to_dict(),
            "shell_mm": self.shell_mm,
            "contrast": _rounded(self.contrast),
            "boundary_gradient_per_mm": _rounded(self.boundary_gradient),
            "margin_sharpness_per_mm": _rounded(self.margin_sharpness, 4),
        }


def intensity_statistics(values: np.ndarray) -> IntensityStatistics:
    """Statistics of a 1D array of voxel values (non-finite values left out)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        nan = float("nan")
        return IntensityStatistics(0, nan, nan, nan, nan, nan, nan, nan)
    p05, median, p95 = (float(v) for v in np.percentile(values, [5, 50, 95]))
    return IntensityStatistics(
        voxels=int(values.size),
        mean=float(values.mean()),
        std=float(values.std()),
        median=median,
        p05=p05,
        p95=p95,
        minimum=float(values.min()),
        maximum=float(values.max()),
    )


def shell_mask(
    mask: np.ndarray, grid: Volume, thickness_mm: float = DEFAULT_SHELL_MM, exclude: np.ndarray | None = None
) -> np.ndarray:
    """Voxels outside ``mask`` whose centre lies within ``thickness_mm`` of a mask voxel's centre.

    Args:
        mask: boolean ``(I, J, K)`` lesion mask on ``grid``.
        grid: the grid; its spacing makes the distance physical.
        thickness_mm: shell thickness; at least one voxel is always included across each face.
        exclude: boolean ``(I, J, K)`` voxels never part of the shell (other lesions).
    """
    distance = ndimage.distance_transform_edt(~mask, sampling=grid.spacing)
    shell = (distance > 0) & (distance <= max(thickness_mm, min(grid.spacing)))
    if exclude is not None:
        shell &= ~exclude
    return shell


def lesion_intensity(
    channel: np.ndarray,
    mask: np.ndarray,
    grid: Volume,
    *,
    shell_mm: float = DEFAULT_SHELL_MM,
    exclude: np.ndarray | None = None,
) -> LesionIntensity:
    """Intensity inside a non-empty lesion mask and in its shell, and the sharpness of its margin.

    Args:
        channel: one image channel ``(I, J, K)`` on ``grid`` (HU for CT).
        mask: boolean ``(I, J, K)`` lesion mask.
        grid: the common grid.
        shell_mm: thickness of the surrounding shell.
        exclude: voxels left out of the shell (other lesions).
    """
    box = shell_box(ndimage.find_objects(mask.astype(np.uint8))[0], grid, shell_mm)
    mask, channel = mask[box], channel[box]
    exclude = exclude[box] if exclude is not None else None
    crop = grid.crop(box)
    shell = shell_mask(mask, crop, shell_mm, exclude)
    inside = intensity_statistics(channel[mask])
    around = intensity_statistics(channel[shell])
    contrast = inside.mean - around.mean
    gradient = _boundary_gradient(channel, mask, crop)
    sharpness = gradient / abs(contrast) if np.isfinite(contrast) and contrast != 0 else float("nan")
    return LesionIntensity(inside, around, shell_mm, contrast, gradient, sharpness)


def _boundary_gradient(channel: np.ndarray, mask: np.ndarray, grid: Volume) -> float:
    """Mean gradient magnitude (units/mm) over the mask's boundary voxels (those with a face outside)."""
    boundary = mask & ~ndimage.binary_erosion(mask)
    image = np.nan_to_num(channel.astype(np.float64), nan=float(np.nanmean(channel)))
    # The voxel axes are orthogonal in space, so the physical gradient's magnitude is the root of the sum of the
    # squared derivatives along each axis, each divided by that axis's spacing (none across a single slice).
    squared = np.zeros_like(image)
    for axis, spacing in enumerate(grid.spacing):
        if image.shape[axis] > 1:
            squared += np.gradient(image, spacing, axis=axis) ** 2
    return float(np.sqrt(squared)[boundary].mean())


def shell_box(box: tuple[slice, slice, slice], grid: Volume, shell_mm: float) -> tuple[slice, slice, slice]:
    """A region's bounding ``box`` grown by the shell (plus one voxel for the gradient), clipped to the grid."""
    margins = [int(np.ceil(shell_mm / spacing)) + 1 for spacing in grid.spacing]
    return tuple(
        slice(max(axis_range.start - margin, 0), min(axis_range.stop + margin, size))
        for axis_range, margin, size in zip(box, margins, grid.spatial_shape, strict=True)
    )  # type: ignore[return-value]


def _rounded(value: float, digits: int = 2) -> float | None:
    """Rounded for JSON; None for NaN (JSON has no NaN)."""
    return round(float(value), digits) if np.isfinite(value) else None
