"""ReinforcedVL: text-prompted lesion segmentation with grounded reports.

The engine behind the ``reinforcedvl`` command and the 3D Slicer module. Research use; not a medical device.
Importing the package is cheap: the public names below load their modules (torch, SimpleITK, MONAI) on first use.

Example:
    >>> from reinforcedvl import Predictor, read_image
    >>> predictor = Predictor.from_model()  # doctest: +SKIP
    >>> predictor.set_volume(read_image("chest_ct.nii.gz"))  # doctest: +SKIP
    >>> predictor.segment("solid lung nodule").lesions  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_PUBLIC = {
    "Predictor": "predictor",
    "FindingResult": "predictor",
    "segment_study": "segment_study",
    "read_image": "io",
    "read_label_map": "io",
    "write_volume": "io",
    "Volume": "volume",
    "ScalarVolume": "volume",
    "LabelMap": "volume",
    "ReinforcedVLError": "errors",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'reinforcedvl' has no attribute {name!r}")
    return getattr(import_module(f".{_PUBLIC[name]}", __name__), name)
