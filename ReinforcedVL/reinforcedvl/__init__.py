"""ReinforcedVL: text-prompted lesion segmentation with grounded reports.

The engine behind the ``reinforcedvl`` command and the 3D Slicer module. Research use; not a medical device.

Example:
    >>> from reinforcedvl import Predictor, read_image
    >>> predictor = Predictor.from_model()  # doctest: +SKIP
    >>> predictor.set_volume(read_image("chest_ct.nii.gz"))  # doctest: +SKIP
    >>> predictor.segment("solid lung nodule").lesions  # doctest: +SKIP
"""

from .errors import ReinforcedVLError
from .io import read_image, read_label_map, write_volume
from .predictor import FindingResult, Predictor
from .segment_study import segment_study
from .volume import LabelMap, ScalarVolume, Volume

__all__ = [
    "Predictor",
    "FindingResult",
    "segment_study",
    "read_image",
    "read_label_map",
    "write_volume",
    "Volume",
    "ScalarVolume",
    "LabelMap",
    "ReinforcedVLError",
]
