"""Running a model over a manifest split and scoring every (triplet, description) pair."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..data.manifest import Split, Triplet, read_manifest
from ..data.phrasing import BRAIN_SUBREGIONS
from ..io import read_image, read_label_map
from ..io.resampling import resample_label_map
from ..predictor import Predictor
from ..vocabulary import Modality
from .overlap import dice
from .segmentation_metrics import detection_counts, segmentation_scores

__all__ = ["evaluate_manifest"]


def evaluate_manifest(
    manifest: Path,
    data_root: Path,
    predictor: Predictor,
    *,
    split: Split = "dev",
    descriptions_per_triplet: int = 1,
    tolerance_mm: float = 2.0,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """One row per (triplet, description) of ``split``: existence, and for present findings Dice, surface Dice,
    HD95 and detection counts against the reference mask (on the input grid); for BraTS, Dice against every
    sub-region too (does the prompt decide the mask?)."""
    studies: dict[tuple[str, ...], list[Triplet]] = defaultdict(list)
    for triplet in read_manifest(manifest, split=split):
        studies[triplet.images].append(triplet)
    rows: list[dict[str, Any]] = []
    for done, (images, triplets) in enumerate(studies.items(), start=1):
        volume = read_image([data_root / image for image in images])
        predictor.set_volume(volume, modality=Modality(triplets[0].modality))
        labels = _reference_labels(triplets, data_root, volume)
        for triplet in triplets:
            for description in triplet.descriptions[:descriptions_per_triplet]:
                rows.append(_score(predictor, triplet, description, labels, volume.spacing, tolerance_mm))
        if progress is not None:
            progress(done, len(studies))
    predictor.reset_volume()
    return rows


def _reference_labels(triplets: list[Triplet], data_root: Path, volume) -> np.ndarray | None:  # noqa: ANN001
    mask = next((t.mask for t in triplets if t.mask), None)
    if mask is None:
        return None
    return resample_label_map(read_label_map(data_root / mask), volume).array[0]


def _score(
    predictor: Predictor,
    triplet: Triplet,
    description: str,
    labels: np.ndarray | None,
    spacing: tuple[float, float, float],
    tolerance_mm: float,
) -> dict[str, Any]:
    started = time.perf_counter()
    result = predictor.segment(description)
    prediction = result.lesion_map.array[0] > 0
    row: dict[str, Any] = {
        "case": triplet.id,
        "source": triplet.source,
        "finding": triplet.finding,
        "description": description,
        "truth_present": triplet.present,
        # a finding not assessed draws nothing: scored as a rejection (probability 0), its status kept beside it
        "present_probability": round(result.present_probability or 0.0, 4),
        "status": result.status.value,
        "predicted_present": result.present,
        "lesions": len(result.lesions),
    }
    if triplet.present and labels is not None:
        reference = np.isin(labels, triplet.labels)
        scores = segmentation_scores(prediction, reference, spacing, tolerance_mm)
        counts = detection_counts(prediction, reference)
        row.update(
            dice=round(scores.dice, 4),
            surface_dice=round(scores.surface_dice, 4),
            hd95_mm=round(scores.hd95_mm, 2) if not math.isnan(scores.hd95_mm) else math.nan,
            reference_lesions=counts.reference_lesions,
            found_reference_lesions=counts.found_reference_lesions,
            predicted_lesions=counts.predicted_lesions,
            true_predicted_lesions=counts.true_predicted_lesions,
        )
        if triplet.source == "brats":
            for finding, (values, _) in BRAIN_SUBREGIONS.items():
                row[f"dice_vs:{finding}"] = round(dice(prediction, np.isin(labels, values)), 4)
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row
