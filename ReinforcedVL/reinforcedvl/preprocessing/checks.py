"""Checks on a volume before it is segmented: what cannot be processed raises, what is unusual warns.

Defined behaviour for unusual inputs:

- NaN or infinite voxels: error (there is no right value to put in their place; the user must decide).
- A constant image: error (nothing to segment).
- A single slice: processed as a thin 3D volume, with a warning that a 3D model sees no context across slices.
- Strong anisotropy (slice spacing over 4x the in-plane spacing): resampled like any volume, with a warning that
  structures between slices are interpolated.
- Voxels far from the model's spacing (a side under a quarter of it, or over four times it): resampled like any
  volume, with a warning that detail finer than the model's spacing is lost, or that the model's grid is interpolated.
- Very large volumes: windowed inference keeps memory bounded; past :data:`MAX_MODEL_VOXELS` at the model's
  spacing (about 8 GB of working memory) the run is refused with the size and the fix.
- Very small volumes (under the network's stride on a side after resampling): padded; no warning needed.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import InputWarning, UnsupportedVolumeError
from ..volume import ScalarVolume, check_image_values

__all__ = [
    "check_volume",
    "model_grid_voxels",
    "MAX_MODEL_VOXELS",
    "ANISOTROPY_WARNING_RATIO",
    "SPACING_WARNING_RATIO",
]

MAX_MODEL_VOXELS = 1_000_000_000
ANISOTROPY_WARNING_RATIO = 4.0
SPACING_WARNING_RATIO = 4.0
"""A voxel side under the model's finest spacing divided by this, or over its coarsest times this, warns."""


def model_grid_voxels(volume: ScalarVolume, spacing_mm: tuple[float, float, float]) -> int:
    """Voxels the volume covers once resampled to ``spacing_mm`` (its physical extent, axis by axis)."""
    extent = np.asarray(volume.spatial_shape) * np.asarray(volume.spacing)
    return int(np.prod(np.ceil(extent / np.asarray(spacing_mm))))


def check_volume(volume: ScalarVolume, spacing_mm: tuple[float, float, float]) -> None:
    """Raise :class:`UnsupportedVolumeError` or warn (:class:`InputWarning`) as the module docstring lists."""
    check_image_values(volume)
    voxels = model_grid_voxels(volume, spacing_mm)
    if voxels > MAX_MODEL_VOXELS:
        raise UnsupportedVolumeError(
            f"{volume.name} covers {voxels / 1e6:.0f} million voxels at the model's {spacing_mm} mm spacing, more "
            f"than the {MAX_MODEL_VOXELS / 1e6:.0f} million ReinforcedVL processes at once. Crop it to the region "
            "of interest (3D Slicer: Crop Volume) and run again."
        )
    _warn_far_from_model_spacing(volume, spacing_mm)
    shape = volume.spatial_shape
    if min(shape) == 1:
        warnings.warn(
            f"{volume.name} is a single slice ({shape}); the 3D model sees no context across slices, so "
            "results are less reliable than on a volume.",
            InputWarning,
            stacklevel=2,
        )
        return
    spacing = sorted(volume.spacing)
    if spacing[-1] > ANISOTROPY_WARNING_RATIO * spacing[0]:
        warnings.warn(
            f"{volume.name} has voxels of {' x '.join(f'{s:.2g}' for s in volume.spacing)} mm: the coarsest axis is "
            f"{spacing[-1] / spacing[0]:.1f} times the finest. The volume is resampled to the model's spacing, so "
            "boundaries between slices are interpolated.",
            InputWarning,
            stacklevel=2,
        )


def _warn_far_from_model_spacing(volume: ScalarVolume, spacing_mm: tuple[float, float, float]) -> None:
    """Warn when a voxel side is far finer or far coarser than the model's spacing."""
    finest, coarsest = min(spacing_mm), max(spacing_mm)
    voxel = " x ".join(f"{s:.2g}" for s in volume.spacing)
    model = " x ".join(f"{s:.2g}" for s in spacing_mm)
    if min(volume.spacing) * SPACING_WARNING_RATIO < finest:
        warnings.warn(
            f"{volume.name} has voxels of {voxel} mm, far finer than the model's {model} mm: it is resampled to the "
            f"model's spacing, so detail under {finest:.2g} mm is lost and lesions smaller than a few model voxels "
            "may be missed or left unoutlined. Check small findings by eye.",
            InputWarning,
            stacklevel=3,
        )
    if max(volume.spacing) > SPACING_WARNING_RATIO * coarsest:
        warnings.warn(
            f"{volume.name} has voxels of {voxel} mm, far coarser than the model's {model} mm: the model sees an "
            "interpolated image, so boundaries and small lesions are less reliable.",
            InputWarning,
            stacklevel=3,
        )
