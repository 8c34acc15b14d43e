"""File input and output: volumes (NIfTI, NRRD, DICOM), Slicer segmentation files, file hashes.

The volume functions below load SimpleITK on first use, so :mod:`.file_hash` stays light to import.
"""

from .. import _lazy_attributes

__all__ = ["read_image", "read_label_map", "write_volume", "output_suffix_for"]

__getattr__ = _lazy_attributes(__name__, dict.fromkeys(__all__, "volume_io"))
