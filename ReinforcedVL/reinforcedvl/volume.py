"""Volumes: voxel arrays that carry their place in patient space.

A volume is a channel-first array ``(C, I, J, K)`` and one 4x4 matrix, ``affine``, mapping a voxel index
``(i, j, k, 1)`` to RAS millimetres: x grows towards the patient's right, y towards anterior, z towards superior
(3D Slicer's world frame). DICOM and ITK use LPS instead; the conversion lives in :mod:`reinforcedvl.io` alone.
Spacing, origin and direction are derived from the affine, never stored beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from .errors import GridMismatchError, UnsupportedVolumeError

__all__ = ["VolumeSource", "Volume", "ScalarVolume", "LabelMap", "check_same_grid", "check_image_values"]

FileFormat = Literal["nifti", "nrrd", "metaimage", "dicom"]

# Two grids are the same when their affines agree to this many millimetres (a tenth of a micrometre is
# far below any scanner's precision, yet above float32 rounding of DICOM positions).
GRID_TOLERANCE_MM = 1e-3


@dataclass(frozen=True)
class VolumeSource:
    """Where a volume came from.

    Attributes:
        paths: the files read (one file, or every slice of a DICOM series in slice order).
        file_format: the format they were in; results are written in the same one where it can hold them.
        modality: the DICOM ``Modality`` tag (``"CT"``, ``"MR"``...) when the input was DICOM, else None.
        series_instance_uid: the DICOM series the volume was read from, else None.
    """

    paths: tuple[Path, ...]
    file_format: FileFormat
    modality: str | None = None
    series_instance_uid: str | None = None


@dataclass(frozen=True, eq=False)
class Volume:
    """A 3D image on a voxel grid in patient space.

    Attributes:
        array: voxel values, channel-first ``(C, I, J, K)``; ``I, J, K`` are the file's voxel axes.
        affine: float64 ``4x4``, voxel index to RAS millimetres.
        source: the files it was read from; None for volumes made in memory.
        name: a short name for messages (the file name, or what made it).

    Example:
        >>> volume = ScalarVolume(np.zeros((1, 4, 4, 2), np.float32), np.diag([0.5, 0.5, 2.0, 1.0]))
        >>> volume.spacing
        (0.5, 0.5, 2.0)
    """

    array: np.ndarray
    affine: np.ndarray
    source: VolumeSource | None = None
    name: str = field(default="volume")

    def __post_init__(self) -> None:
        if self.array.ndim != 4:
            raise ValueError(f"{self.name}: expected a channel-first (C, I, J, K) array, got shape {self.array.shape}")
        affine = np.asarray(self.affine, dtype=np.float64)
        if affine.shape != (4, 4):
            raise ValueError(f"{self.name}: the affine must be 4x4, got {affine.shape}")
        object.__setattr__(self, "affine", affine)

    @property
    def num_channels(self) -> int:
        return int(self.array.shape[0])

    @property
    def spatial_shape(self) -> tuple[int, int, int]:
        return tuple(int(n) for n in self.array.shape[1:])  # type: ignore[return-value]

    @property
    def spacing(self) -> tuple[float, float, float]:
        """Voxel size along I, J, K in millimetres."""
        return tuple(float(s) for s in np.linalg.norm(self.affine[:3, :3], axis=0))  # type: ignore[return-value]

    @property
    def origin_ras(self) -> tuple[float, float, float]:
        """Centre of voxel (0, 0, 0) in RAS millimetres."""
        return tuple(float(x) for x in self.affine[:3, 3])  # type: ignore[return-value]

    @property
    def direction_ras(self) -> np.ndarray:
        """``3x3`` matrix whose columns are the unit RAS directions of the I, J, K axes."""
        return self.affine[:3, :3] / np.asarray(self.spacing)

    @property
    def orientation(self) -> str:
        """Three letters naming where each voxel axis points, e.g. ``"RAS"`` or ``"LPS"`` (nearest axis)."""
        letters = (("L", "R"), ("P", "A"), ("I", "S"))
        codes = []
        for column in self.direction_ras.T:
            axis = int(np.argmax(np.abs(column)))
            codes.append(letters[axis][int(column[axis] > 0)])
        return "".join(codes)

    def voxel_to_ras(self, ijk: np.ndarray) -> np.ndarray:
        """Map voxel indices ``(N, 3)`` to RAS millimetres ``(N, 3)``."""
        ijk = np.asarray(ijk, dtype=np.float64).reshape(-1, 3)
        return ijk @ self.affine[:3, :3].T + self.affine[:3, 3]

    def ras_to_voxel(self, ras: np.ndarray) -> np.ndarray:
        """Map RAS millimetres ``(N, 3)`` to (fractional) voxel indices ``(N, 3)``."""
        ras = np.asarray(ras, dtype=np.float64).reshape(-1, 3)
        inverse = np.linalg.inv(self.affine)
        return ras @ inverse[:3, :3].T + inverse[:3, 3]

    def crop(self, box: tuple[slice, slice, slice]) -> Volume:
        """The voxels inside ``box`` (index ranges along I, J, K) as a volume of the same kind, in place in space."""
        start = np.array([axis_range.start or 0 for axis_range in box], dtype=np.float64)
        affine = self.affine.copy()
        affine[:3, 3] = self.voxel_to_ras(start)[0]
        return type(self)(self.array[(slice(None), *box)], affine, self.source, self.name)

    def same_grid(self, other: Volume, tolerance_mm: float = GRID_TOLERANCE_MM) -> bool:
        """Whether ``other`` has the same voxel grid: shape and voxel-to-RAS mapping."""
        if self.spatial_shape != other.spatial_shape:
            return False
        corners = np.array(np.meshgrid(*[[0, n - 1] for n in self.spatial_shape], indexing="ij")).reshape(3, -1).T
        return bool(np.abs(self.voxel_to_ras(corners) - other.voxel_to_ras(corners)).max() <= tolerance_mm)

    def describe_grid(self) -> str:
        """One line for messages: shape, spacing, orientation and origin."""
        spacing = " x ".join(f"{s:.3g}" for s in self.spacing)
        origin = ", ".join(f"{x:.1f}" for x in self.origin_ras)
        shape = " x ".join(str(n) for n in self.spatial_shape)
        return f"{shape} voxels of {spacing} mm, {self.orientation}, origin ({origin}) RAS mm"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}: {self.num_channels} channel(s), {self.describe_grid()})"


class ScalarVolume(Volume):
    """Intensities (CT in Hounsfield units, MR signal): resampled with linear interpolation."""

    def channel(self, index: int) -> ScalarVolume:
        """One channel as a single-channel volume on the same grid."""
        return ScalarVolume(self.array[index : index + 1], self.affine, self.source, f"{self.name}[{index}]")


class LabelMap(Volume):
    """Integer labels (0 is background): resampled by nearest neighbour, never blended."""

    @property
    def labels(self) -> np.ndarray:
        """The label values present, background excluded, sorted."""
        values = np.unique(self.array)
        return values[values != 0]

    @classmethod
    def on_grid(cls, array: np.ndarray, grid: Volume, name: str) -> LabelMap:
        """A label map from an ``(I, J, K)`` array lying on ``grid``'s voxels."""
        return cls(array.reshape((1, *grid.spatial_shape)), grid.affine, grid.source, name)


def check_same_grid(volumes: list[Volume], what: str = "volumes") -> None:
    """Raise :class:`GridMismatchError` unless every volume lies on the first one's grid.

    Args:
        volumes: the volumes that must share one grid.
        what: what they are, for the message (``"channels of one study"``, ``"image and mask"``).
    """
    reference = volumes[0]
    for other in volumes[1:]:
        if not reference.same_grid(other):
            raise GridMismatchError(
                f"The {what} are not on the same voxel grid:\n"
                f"  {reference.name}: {reference.describe_grid()}\n"
                f"  {other.name}: {other.describe_grid()}\n"
                "Resample the second onto the first (in 3D Slicer: Resample Scalar/Vector/DWI Volume, or "
                "SimpleITK.Resample with the first as reference) and run again with the resampled file."
            )


def check_image_values(volume: Volume) -> None:
    """Raise :class:`UnsupportedVolumeError` when an image holds NaN or infinite voxels, or a channel that is one
    value throughout (an all-zero export): there is nothing to segment, measure or describe in it.

    ``segment`` (before preprocessing) and ``report`` (before measuring) both refuse these images through this check.
    """
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
                "no image to segment or describe. Check that the right file was exported."
            )
