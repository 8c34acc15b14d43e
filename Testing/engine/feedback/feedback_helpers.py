"""Helpers for the feedback tests: real LIDC nodule crops with their reference masks, and judgements of them."""

from __future__ import annotations

import numpy as np

from reinforcedvl.feedback import FeedbackAction, FeedbackSubmission
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.volume import LabelMap, ScalarVolume

# Four patients; the first has two nodules (two studies of one patient).
LIDC_CASES = (
    ("LIDC-IDRI-0003", "LIDC-IDRI-0003_R_4"),
    ("LIDC-IDRI-0003", "LIDC-IDRI-0003_R_2"),
    ("LIDC-IDRI-0001", "LIDC-IDRI-0001_R_1"),
    ("LIDC-IDRI-0004", "LIDC-IDRI-0004_R_1"),
    ("LIDC-IDRI-0006", "LIDC-IDRI-0006_R_4"),
)


def lidc_case(shared_data, name: str) -> tuple[ScalarVolume, LabelMap]:
    """A LIDC crop and its reference nodule mask (label 1)."""
    folder = shared_data / "lidc_nodules"
    return read_image(folder / "image" / f"{name}.nii.gz"), read_label_map(folder / "nodule_mask" / f"{name}.nii.gz")


def shifted(mask: LabelMap, voxels: int) -> LabelMap:
    """The mask moved ``voxels`` along the first axis: a model answer that overlaps the reference in part."""
    return LabelMap(np.roll(mask.array, voxels, axis=1), mask.affine, name="model answer")


def correction(image: ScalarVolume, reference: LabelMap, patient: str | None = None) -> FeedbackSubmission:
    """A reader's correction: the model's mask was the reference shifted by two voxels."""
    return FeedbackSubmission(
        FeedbackAction.CORRECTION,
        image,
        "solid lung nodule",
        "untrained-test-model",
        "0.0.0",
        model_mask=shifted(reference, 2),
        corrected_mask=reference,
        rating=3,
        comment="moved onto the nodule",
        annotator="reader-1",
        patient=patient,
    )
