"""Checks on a volume before it is segmented: what cannot be processed raises, what is unusual warns.

Defined behaviour for unusual inputs:

- NaN or infinite voxels: error (there is no right value to put in their place; the user must decide).
- A constant image: error (nothing to segment).
- A single slice: processed as a thin 3D volume, with a warning that a 3D model sees no context across slices.
- Strong anisotropy (slice spacing over 4x the in-plane spacing): resampled like any volume, with a warning that
  structures between slices are interpolated.
- Very large volumes: windowed inference keeps memory bounded; past :data:`MAX_MODEL_VOXELS` at the model's
  spacing (about 8 GB of working memory) the run is refused with the size and the fix.
- Very small volumes (under the network's stride on a side after resampling): padded; no warning needed.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import InputWarning, UnsupportedVolumeError
from ..volume import ScalarVolume

__all__ = ["check_volume", "model_grid_voxels", "MAX_MODEL_VOXELS", "ANISOTROPY_WARNING_RATIO"]

MAX_MODEL_VOXELS = 1_000_000_000
ANISOTROPY_WARNING_RATIO = 4.0


def model_grid_voxels(volume: ScalarVolume, spacing_mm: tuple[float, float, float]) -> int:
    """Voxels the volume covers once resampled to ``spacing_mm`` (its physical extent, axis by axis)."""
    extent = np.asarray(volume.spatial_shape) * np.asarray(volume.spacing)
    return int(np.prod(np.ceil(extent / np.asarray(spacing_mm))))


def check_volume(volume: ScalarVolume, spacing_mm: tuple[float, float, float]) -> None:
    """Raise :class:`UnsupportedVolumeError` or warn (:class:`InputWarning`) as the module docstring lists."""
    finite = np.isfinite(volume.array)
    if not finite.all():
        bad = int((~finite).sum())
        raise UnsupportedVolumeError(
            f"{volume.name} has {bad} NaN or infinite voxels out of {finite.size}. ReinforcedVL cannot guess "
            "their intensity: replace them (for example numpy.nan_to_num, or SimpleITK's Mask with a fill value) "
            "and run again."
        )
    for index in range(volume.num_channels):
        channel = volume.array[index]
        if channel.min() == channel.max():
            raise UnsupportedVolumeError(
                f"{volume.name} channel {index + 1} has the same value ({channel.min()}) in every voxel: there is "
                "no image to segment. Check that the right file was exported."
            )
    voxels = model_grid_voxels(volume, spacing_mm)
    if voxels > MAX_MODEL_VOXELS:
        raise UnsupportedVolumeError(
            f"{volume.name} covers {voxels / 1e6:.0f} million voxels at the model's {spacing_mm} mm spacing, more "
            f"than the {MAX_MODEL_VOXELS / 1e6:.0f} million ReinforcedVL processes at once. Crop it to the region "
            "of interest (3D Slicer: Crop Volume) and run again."
        )
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
