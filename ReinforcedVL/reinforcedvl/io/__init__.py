"""File input and output: volumes (NIfTI, NRRD, DICOM) and Slicer segmentation files."""

from .output_folder import check_output_folder, staged_output
from .volume_io import output_suffix_for, read_image, read_label_map, write_volume

__all__ = ["check_output_folder", "staged_output", "read_image", "read_label_map", "write_volume", "output_suffix_for"]
