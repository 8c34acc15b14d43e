"""The names the engine, the command line, the worker protocol and the Slicer module share, written once.

Standard library only (no numpy, no torch): 3D Slicer's process, ``reinforcedvl --help`` and the worker's client
import it freely.
"""

from __future__ import annotations

import argparse
from enum import Enum
from typing import Literal

__all__ = [
    "Language",
    "LANGUAGES",
    "Modality",
    "MODALITY_CHOICES",
    "parse_modality",
    "DEVICE_CHOICES",
    "device_choice",
    "lesion_segment_id",
    "LesionKey",
    "FindingAttribute",
    "DEFAULT_LESION_CONFIDENCE",
    "DICOM_SEG_FILE",
    "DICOM_SR_FILE",
]

Language = Literal["en", "ja"]
"""A report language: English or Japanese."""
LANGUAGES: tuple[Language, ...] = ("en", "ja")


class Modality(str, Enum):
    """The kind of scan, which decides intensity normalisation: CT (Hounsfield units) or MR."""

    CT = "CT"
    MR = "MR"


MODALITY_CHOICES: tuple[str, ...] = ("auto", *(modality.value for modality in Modality))
"""What a user may ask for: ``auto`` (detect) or one modality."""


def parse_modality(text: str) -> Modality | None:
    """``"auto"`` -> None (detect), ``"CT"``/``"MR"`` (any case, ``MRI`` too) -> that modality.

    Raises:
        ReinforcedVLError: for any other text.
    """
    if text.lower() == "auto":
        return None
    try:
        return Modality(text.upper().replace("MRI", "MR"))
    except ValueError:
        from .errors import ReinforcedVLError

        raise ReinforcedVLError(f"Unknown modality {text!r}: use auto, CT or MR.") from None


DEFAULT_LESION_CONFIDENCE = 0.6
"""The default lesion confidence threshold: lesions whose confidence (the chance that the lesion is real by the
checkpoint's lesion calibration; the mean probability over its voxels for a checkpoint without one) is under it are
neither drawn nor reported. Chosen on the dev split (docs/model-card.md, "Lesion confidence" and "Calibrated lesion
confidence (1.2.0)"). 0 keeps every lesion the mask threshold made."""

DICOM_SEG_FILE = "seg_{number:02d}.dcm"
"""The DICOM SEG file of finding ``number`` (1, 2, ...) of a DICOM export."""
DICOM_SR_FILE = "sr.dcm"
"""The DICOM SR (measurement report) file of a DICOM export."""

DEVICE_CHOICES: tuple[str, ...] = ("auto", "cpu", "cuda")
"""Where the network may run: ``auto`` (a GPU if there is one, else the CPU), ``cpu`` or ``cuda``."""


def device_choice(text: str) -> str:
    """An ``argparse`` type for ``--device``: one of :data:`DEVICE_CHOICES`."""
    if text not in DEVICE_CHOICES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a device: use auto, cpu or cuda")
    return text


def lesion_segment_id(lesion_id: int) -> str:
    """``"lesion_3"``: the id of lesion 3's segment in a ``.seg.nrrd`` file and in Slicer's segmentation node."""
    return f"lesion_{lesion_id}"


class LesionKey:
    """The keys of one lesion in ``result.json``, ``finding.json``, the worker's events and the report's tables."""

    ID = "id"
    COLOR_NAME = "color_name"
    VOXELS = "voxels"
    VOLUME_ML = "volume_ml"
    LONG_AXIS_MM = "long_axis_mm"
    SHORT_AXIS_MM = "short_axis_mm"
    CENTROID_RAS = "centroid_ras"
    CONFIDENCE = "confidence"


class FindingAttribute(str, Enum):
    """Tags a finding carries: on each segment of its ``.seg.nrrd`` file and on its nodes in Slicer's scene."""

    PROMPT = "ReinforcedVL.prompt"
    PRESENT = "ReinforcedVL.present"
    PRESENT_PROBABILITY = "ReinforcedVL.presentProbability"
    CONFIDENCE = "ReinforcedVL.confidence"
    COLOR_NAME = "ReinforcedVL.colorName"
    MODEL = "ReinforcedVL.model"
    MODEL_VERSION = "ReinforcedVL.modelVersion"
    DEVICE = "ReinforcedVL.device"
    TIME = "ReinforcedVL.time"
    THRESHOLD = "ReinforcedVL.threshold"
    LESION_CONFIDENCE = "ReinforcedVL.lesionConfidence"
    MODALITY = "ReinforcedVL.modality"
    MODEL_OUTPUT_FILE = "ReinforcedVL.modelOutputFile"
    STATUS = "ReinforcedVL.status"
    REASON = "ReinforcedVL.reason"
