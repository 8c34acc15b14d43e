"""The source DICOM series a DICOM SEG or SR must reference, and why export is unavailable without one."""

from __future__ import annotations

import pydicom
from pydicom.dataset import Dataset

from ..errors import ReinforcedVLError
from ..volume import Volume

__all__ = ["DicomExportUnavailable", "dicom_export_unavailable_reason", "read_source_series"]


class DicomExportUnavailable(ReinforcedVLError):
    """DICOM SEG and SR need the DICOM series the image came from, and the input was not one."""


# Without these a SEG or SR cannot say which study, series and images it belongs to.
_REQUIRED_UIDS = {
    "StudyInstanceUID": "Study Instance UID",
    "SeriesInstanceUID": "Series Instance UID",
    "SOPInstanceUID": "SOP Instance UID",
    "SOPClassUID": "SOP Class UID",
    "FrameOfReferenceUID": "Frame of Reference UID",
}

# Type 2 attributes of the Patient and General Study modules: a SEG or SR copies them from its source, and they must
# be present there even when empty. De-identification and some exporters drop them altogether.
_TYPE2_PATIENT_AND_STUDY = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "StudyID",
    "AccessionNumber",
)


def dicom_export_unavailable_reason(volume: Volume) -> str | None:
    """Why ``volume`` cannot be exported as DICOM SEG and SR, or None when it can (reads the series' headers)."""
    source = volume.source
    if source is None:
        return (
            f"{volume.name} was made in memory, so there is no DICOM series for a DICOM SEG or SR to reference. "
            "Read the image from its DICOM series folder to export DICOM."
        )
    if source.file_format != "dicom":
        return (
            f"{volume.name} was read from a {source.file_format} file, which carries no DICOM study, series or "
            "instance UIDs; a DICOM SEG and SR must reference the images they were measured on. Pass the DICOM "
            "series folder as IMAGE to export DICOM, or leave out --dicom (report.md and report.json do not need it)."
        )
    try:
        headers = [_with_file_meta_uids(pydicom.dcmread(path, stop_before_pixels=True)) for path in source.paths]
    except (OSError, pydicom.errors.InvalidDicomError) as error:
        return f"The source DICOM files of {volume.name} could not be read again ({error}); keep the series in place."
    return _missing_uids_reason(volume, headers)


def read_source_series(volume: Volume) -> list[Dataset]:
    """The source series' datasets in the volume's slice order (slice k of the array is dataset k).

    Raises:
        DicomExportUnavailable: the volume was not read from a DICOM series, or its files no longer match it.
    """
    reason = dicom_export_unavailable_reason(volume)
    if reason is not None:
        raise DicomExportUnavailable(reason)
    paths = volume.source.paths  # type: ignore[union-attr]
    if len(paths) != volume.spatial_shape[2]:
        raise DicomExportUnavailable(
            f"{volume.name} has {volume.spatial_shape[2]} slices but its source lists {len(paths)} files; DICOM export "
            "needs one single-frame file per slice. Export a single-frame series from the scanner or PACS."
        )
    try:
        datasets = [_with_type2_attributes(_with_file_meta_uids(pydicom.dcmread(path))) for path in paths]
    except (OSError, pydicom.errors.InvalidDicomError) as error:
        raise DicomExportUnavailable(
            f"The source DICOM files of {volume.name} could not be read again ({error}); keep the series folder in "
            "place until the export has been written."
        ) from None
    if (missing := _missing_uids_reason(volume, datasets)) is not None:
        raise DicomExportUnavailable(missing)
    slice_spacing = f"{volume.spacing[2]:.6g}"
    for dataset in datasets:
        if not dataset.get("SliceThickness"):
            # Type 2, often left empty; a SEG's pixel measures need it: its frames are as thick as the slices are apart
            dataset.SliceThickness = slice_spacing
    return datasets


def _with_file_meta_uids(dataset: Dataset) -> Dataset:
    """Fill an empty SOP Class or Instance UID from the file meta information, which states the same instance
    (some de-identification tools blank the data set's copy only). In memory; the files are not changed."""
    meta = getattr(dataset, "file_meta", None)
    if meta is not None:
        if not dataset.get("SOPClassUID") and meta.get("MediaStorageSOPClassUID"):
            dataset.SOPClassUID = meta.MediaStorageSOPClassUID
        if not dataset.get("SOPInstanceUID") and meta.get("MediaStorageSOPInstanceUID"):
            dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    return dataset


def _with_type2_attributes(dataset: Dataset) -> Dataset:
    """Add the Patient and General Study Type 2 attributes a source lacks, empty (the standard's value for
    "unknown"), so that the SEG and SR built from it carry them as DICOM requires. In memory; files unchanged."""
    for keyword in _TYPE2_PATIENT_AND_STUDY:
        if keyword not in dataset:
            setattr(dataset, keyword, None)
    return dataset


def _missing_uids_reason(volume: Volume, datasets: list[Dataset]) -> str | None:
    """Why the series cannot be referenced: the identifiers it lacks, or None."""
    missing = [name for keyword, name in _REQUIRED_UIDS.items() if not all(d.get(keyword) for d in datasets)]
    if not missing:
        return None
    return (
        f"The DICOM series of {volume.name} has no {', '.join(missing)} (removed, for example, by de-identification), "
        "so a DICOM SEG or SR could not say which images it belongs to. Export the series again with its UIDs kept "
        "(de-identification tools can replace UIDs instead of removing them), or leave out --dicom."
    )
