"""The slice geometry of a DICOM series, checked from the files' own Image Position and Orientation (Patient).

A series whose slices lack usable positions has no slice spacing. ITK then falls back to 1 mm slices without a
word, and every volume and diameter computed on it is wrong. This check refuses such a series, and one whose
slices are duplicated, unevenly spaced, differently oriented or tilted (gantry tilt), with a message that says what
to do, and confirms that the volume read has the spacing the positions give.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pydicom
import SimpleITK as sitk
from pydicom.errors import InvalidDicomError

from ..errors import InputFileError

__all__ = ["check_slice_geometry"]

# Two slices closer than this along the slice normal are at the same position (mm).
_SAME_POSITION_MM = 1e-3
# Gaps between neighbouring slices may differ by this much (mm), or by this fraction of the mean gap if larger.
_GAP_TOLERANCE_MM = 0.01
_GAP_TOLERANCE_FRACTION = 0.01
# Orientation cosines that differ by more than this come from differently oriented slices.
_ORIENTATION_TOLERANCE = 1e-4

_EXPORT_ADVICE = (
    "Export the series again from the scanner or PACS with its geometry, or convert it with a tool that reports "
    "the slice spacing it uses (3D Slicer's DICOM module, dcm2niix) and pass the NIfTI or NRRD file."
)


def check_slice_geometry(folder: Path, file_names: Sequence[str], image: sitk.Image) -> None:
    """Check that the slices of ``file_names`` (in ITK's order) have positions that define ``image``'s spacing.

    Raises:
        InputFileError: positions or orientations missing or unreadable, duplicated, uneven or tilted slices, or an
            image whose slice spacing or order differs from what the positions give.
    """
    if len(file_names) < 2:
        return
    positions, orientation = _positions_and_orientation(folder, file_names)
    row, column = orientation[:3], orientation[3:]
    normal = np.cross(row, column)
    offsets = positions @ normal
    order = np.argsort(offsets, kind="stable")
    sorted_offsets = offsets[order]
    gaps = np.diff(sorted_offsets)
    duplicated = int(np.count_nonzero(gaps < _SAME_POSITION_MM))
    if duplicated:
        raise InputFileError(
            f"The DICOM series in {folder} has {len(file_names)} slices but only {len(file_names) - duplicated} "
            "distinct slice positions: several slices share one Image Position (Patient) (more than one "
            "acquisition, echo or phase in one series, or positions lost on export). Its slice spacing cannot be "
            "known. Split the series so that each holds one slice per position. " + _EXPORT_ADVICE
        )
    mean_gap = float(gaps.mean())
    tolerance = max(_GAP_TOLERANCE_MM, _GAP_TOLERANCE_FRACTION * mean_gap)
    if float(gaps.max() - gaps.min()) > tolerance:
        raise InputFileError(
            f"The slices of the DICOM series in {folder} are not evenly spaced (gaps from {gaps.min():.3f} to "
            f"{gaps.max():.3f} mm; missing slices or a variable-spacing acquisition). Volumes and diameters on such "
            "a series would be wrong. Resample it to even spacing (e.g. 3D Slicer's DICOM module with acquisition "
            "geometry regularization) and pass the result as a NIfTI or NRRD file."
        )
    steps = np.diff(positions[order], axis=0)
    in_plane = np.linalg.norm(steps - np.outer(steps @ normal, normal), axis=1)
    if float(in_plane.max()) > tolerance:
        raise InputFileError(
            f"The slices of the DICOM series in {folder} are shifted within their planes from one slice to the next "
            f"(up to {in_plane.max():.2f} mm: gantry tilt or a sheared acquisition). ReinforcedVL reads only "
            "rectilinear volumes: resample the series to a regular grid (3D Slicer's DICOM module corrects gantry "
            "tilt when loading) and pass the result as a NIfTI or NRRD file."
        )
    spacing = image.GetSpacing()[2] if image.GetDimension() >= 3 else 0.0
    if abs(spacing - mean_gap) > tolerance:
        raise InputFileError(
            f"The DICOM series in {folder} was read with {spacing:.3f} mm between slices, but its slice positions are "
            f"{mean_gap:.3f} mm apart. The series' geometry is inconsistent. " + _EXPORT_ADVICE
        )
    if not (np.array_equal(order, np.arange(len(order))) or np.array_equal(order, np.arange(len(order))[::-1])):
        raise InputFileError(
            f"The slices of the DICOM series in {folder} could not be put in the order of their positions. "
            + _EXPORT_ADVICE
        )


def _positions_and_orientation(folder: Path, file_names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    positions, orientations, missing = [], [], []
    for name in file_names:
        try:
            header = pydicom.dcmread(
                name, stop_before_pixels=True, specific_tags=["ImagePositionPatient", "ImageOrientationPatient"]
            )
            position = [float(value) for value in header.ImagePositionPatient]
            orientation = [float(value) for value in header.ImageOrientationPatient]
            if len(position) != 3 or len(orientation) != 6 or not np.isfinite(position + orientation).all():
                raise ValueError("wrong number of values")
        except (AttributeError, ValueError, TypeError, OSError, InvalidDicomError):
            missing.append(Path(name).name)
            continue
        positions.append(position)
        orientations.append(orientation)
    if missing:
        raise InputFileError(
            f"{len(missing)} of the {len(file_names)} slices of the DICOM series in {folder} have no usable Image "
            f"Position (Patient) or Image Orientation (Patient) (e.g. {missing[0]}), so the slice spacing cannot be "
            "known and sizes would be invented. " + _EXPORT_ADVICE
        )
    orientations_array = np.asarray(orientations)
    if float(np.abs(orientations_array - orientations_array[0]).max()) > _ORIENTATION_TOLERANCE:
        raise InputFileError(
            f"The slices of the DICOM series in {folder} have different orientations (Image Orientation (Patient)): "
            "it is not one volume. Pass a series of parallel slices (a localizer or a reformatted series mixed in "
            "must be removed)."
        )
    orientation = orientations_array[0]
    row, column = orientation[:3], orientation[3:]
    if abs(np.linalg.norm(row) - 1) > 1e-3 or abs(np.linalg.norm(column) - 1) > 1e-3 or abs(row @ column) > 1e-3:
        raise InputFileError(
            f"The slices of the DICOM series in {folder} have an invalid Image Orientation (Patient) (not two "
            "perpendicular unit vectors). " + _EXPORT_ADVICE
        )
    return np.asarray(positions, dtype=float), orientation
