"""DICOM export of a grounded report (highdicom): a DICOM SEG per finding and one DICOM SR measurement report
(TID 1500), both referencing the DICOM series the image was read from.

Example:
    >>> files = export_dicom(volume, findings, report, "out/dicom", writer=DicomWriter("0.1.0"))  # doctest: +SKIP
    >>> files.segmentations, files.measurement_report  # doctest: +SKIP
"""

from .export import DicomExportFiles, export_dicom
from .segmentation_export import DicomWriter
from .source_series import DicomExportUnavailable, dicom_export_unavailable_reason

__all__ = [
    "export_dicom",
    "DicomExportFiles",
    "DicomWriter",
    "DicomExportUnavailable",
    "dicom_export_unavailable_reason",
]
