"""File input and output: volumes (NIfTI, NRRD, DICOM), Slicer segmentation files, file hashes.

The volume functions below load SimpleITK on first use, so :mod:`.file_hash` stays light to import.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["read_image", "read_label_map", "write_volume", "output_suffix_for"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'reinforcedvl.io' has no attribute {name!r}")
    return getattr(import_module(".volume_io", __name__), name)
