"""File input and output: volumes (NIfTI, NRRD, DICOM), Slicer segmentation files, file hashes, output folders.

The volume functions below load SimpleITK on first use, so :mod:`.file_hash` stays light to import.
"""

from .. import _lazy_attributes

__all__ = ["check_output_folder", "staged_output", "read_image", "read_label_map", "write_volume", "output_suffix_for"]

__getattr__ = _lazy_attributes(
    __name__,
    {
        **dict.fromkeys(("read_image", "read_label_map", "write_volume", "output_suffix_for"), "volume_io"),
        **dict.fromkeys(("check_output_folder", "staged_output"), "output_folder"),
    },
)
