"""What a click is worth: the same findings asked with the description alone and with a point on the lesion.

Three parts, each a list of rows (one per question asked):
- ``lidc``: every present LIDC nodule of the split, asked with its first description alone, then with a click at
  the mask's centre of mass, at a random voxel inside the mask, and 3 mm and 6 mm off the centre (random direction);
  Dice against the nodule, and predicted lesions away from it (false positives).
- ``brats``: every present BraTS sub-region of the split, split into its connected parts (26-connected, at least
  ``min_component_ml``): a click on a part (its voxel deepest inside it) must select that part: the share of
  the predicted voxels on it, and whether the answer touches any other part of the same sub-region.
- ``whole_study``: whole studies with no lesion (the TotalSegmentator examples), asked about findings that are not
  there: lesions drawn with the description alone, and with a click at a random voxel of the body, the lesions drawn
  away from the click (their nearest voxel farther than :data:`~reinforcedvl.spatial.prompts.NEAR_POINT_MM` from it:
  a lesion chosen because it lies around the click counts as away) and the farthest lesion's distance.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy import ndimage

from ..data.manifest import Split, Triplet, read_manifest
from ..io import read_image, read_label_map
from ..io.resampling import resample_label_map
from ..predictor import FindingResult, Predictor
from ..spatial.prompts import NEAR_POINT_MM, PromptPoint
from ..vocabulary import Modality
from ..volume import ScalarVolume
from .overlap import dice
from .segmentation_metrics import detection_counts

__all__ = ["CLICK_KINDS", "WHOLE_STUDIES", "evaluate_lidc_clicks", "evaluate_brats_clicks", "evaluate_whole_studies"]

CLICK_KINDS = ("text only", "centre", "random inside", "3 mm off", "6 mm off")
WHOLE_STUDIES = (
    ("totalsegmentator_examples/example_ct_sm.nii.gz", "CT", ("solid lung nodule", "enhancing tumour")),
    ("totalsegmentator_examples/example_mr_sm.nii.gz", "MR", ("enhancing tumour", "solid lung nodule")),
    ("totalsegmentator_examples/ct_dicom", "CT", ("solid lung nodule", "enhancing tumour")),
)
_CONNECTIVITY = np.ones((3, 3, 3), dtype=bool)
Progress = Callable[[str, int, int], None]


def evaluate_lidc_clicks(
    manifest: Path,
    data_root: Path,
    predictor: Predictor,
    *,
    split: Split = "dev",
    seed: int = 0,
    limit: int | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """One row per (nodule, click kind), ``kind`` in :data:`CLICK_KINDS`; the first ``limit`` nodules of the split
    in manifest order (None: all)."""
    rng = np.random.default_rng(seed)
    triplets = [t for t in read_manifest(manifest, split=split) if t.source == "lidc" and t.present and t.mask]
    triplets = triplets[:limit]
    rows = []
    for done, triplet in enumerate(triplets, start=1):
        volume = read_image([data_root / image for image in triplet.images])
        predictor.set_volume(volume, modality=Modality(triplet.modality))
        reference = np.isin(
            resample_label_map(read_label_map(data_root / triplet.mask), volume).array[0], triplet.labels
        )
        if not reference.any():
            continue
        centre_ijk = np.asarray(ndimage.center_of_mass(reference))
        centre = volume.voxel_to_ras(centre_ijk)[0]
        inside = np.argwhere(reference)
        clicks = {
            "text only": None,
            "centre": centre,
            "random inside": volume.voxel_to_ras(inside[rng.integers(len(inside))])[0],
            "3 mm off": _off(centre, 3.0, rng),
            "6 mm off": _off(centre, 6.0, rng),
        }
        for kind, ras in clicks.items():
            if ras is not None and not _inside(volume, ras):
                continue
            result, seconds = _ask(predictor, triplet.descriptions[0], ras)
            prediction = result.lesion_map.array[0] > 0
            counts = detection_counts(prediction, reference)
            rows.append(
                {
                    "case": triplet.id,
                    "kind": kind,
                    "click_ras": None if ras is None else [round(float(x), 2) for x in ras],
                    "click_in_mask": None if ras is None else bool(_value_at(reference, volume, ras)),
                    "dice": round(dice(prediction, reference), 4),
                    "predicted_lesions": counts.predicted_lesions,
                    "lesions_away": counts.predicted_lesions - counts.true_predicted_lesions,
                    "seconds": round(seconds, 3),
                }
            )
        if progress is not None:
            progress("lidc", done, len(triplets))
    predictor.reset_volume()
    return rows


def evaluate_brats_clicks(
    manifest: Path,
    data_root: Path,
    predictor: Predictor,
    *,
    split: Split = "dev",
    min_component_ml: float = 0.1,
    max_components: int = 8,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """One row per clicked part of a BraTS sub-region (the ``max_components`` largest parts of each)."""
    studies: dict[tuple[str, ...], list[Triplet]] = defaultdict(list)
    for triplet in read_manifest(manifest, split=split):
        if triplet.source == "brats" and triplet.present and triplet.mask:
            studies[triplet.images].append(triplet)
    rows = []
    for done, (images, triplets) in enumerate(studies.items(), start=1):
        volume = read_image([data_root / image for image in images])
        predictor.set_volume(volume, modality=Modality(triplets[0].modality))
        labels = resample_label_map(read_label_map(data_root / triplets[0].mask), volume).array[0]
        voxel_ml = abs(float(np.linalg.det(volume.affine[:3, :3]))) / 1000.0
        for triplet in triplets:
            parts, count = ndimage.label(np.isin(labels, triplet.labels), structure=_CONNECTIVITY)
            sizes = np.bincount(parts.ravel(), minlength=count + 1)[1:]
            chosen = [int(i) + 1 for i in np.argsort(-sizes) if sizes[i] * voxel_ml >= min_component_ml]
            for part in chosen[:max_components]:
                target = parts == part
                ras = volume.voxel_to_ras(_deepest_inside(target, volume.spacing))[0]
                result, seconds = _ask(predictor, triplet.descriptions[0], ras)
                prediction = result.lesion_map.array[0] > 0
                predicted = int(prediction.sum())
                on_target = int((prediction & target).sum())
                on_others = int((prediction & (parts > 0) & ~target).sum())
                rows.append(
                    {
                        "case": triplet.id,
                        "finding": triplet.finding,
                        "parts": len(chosen),
                        "part_ml": round(float(target.sum() * voxel_ml), 3),
                        "selected": on_target > 0 and on_others == 0,
                        "share_on_part": round(on_target / predicted, 4) if predicted else 0.0,
                        "dice_vs_part": round(dice(prediction, target), 4),
                        "touches_other_parts": on_others > 0,
                        "seconds": round(seconds, 3),
                    }
                )
        if progress is not None:
            progress("brats", done, len(studies))
    predictor.reset_volume()
    return rows


def evaluate_whole_studies(
    data_root: Path,
    predictor: Predictor,
    *,
    clicks_per_study: int = 3,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """One row per (study, finding, click): lesions drawn with the description alone (``click`` 0) and with a click
    at a random voxel of the body (``click`` 1, 2, ...), and of those the lesions away from the click."""
    rng = np.random.default_rng(seed)
    rows = []
    for done, (image, modality, findings) in enumerate(WHOLE_STUDIES, start=1):
        path = data_root / image
        if not path.exists():
            continue
        volume = read_image([path])
        predictor.set_volume(volume, modality=Modality(modality))
        body = _body_voxels(volume)
        for finding in findings:
            text_only, seconds = _ask(predictor, finding, None)
            rows.append(_whole_row(image, finding, 0, volume, text_only, None, seconds))
            for click in range(1, clicks_per_study + 1):
                ras = volume.voxel_to_ras(body[rng.integers(len(body))])[0]
                result, seconds = _ask(predictor, finding, ras)
                rows.append(_whole_row(image, finding, click, volume, result, ras, seconds))
        if progress is not None:
            progress("whole studies", done, len(WHOLE_STUDIES))
    predictor.reset_volume()
    return rows


def _ask(predictor: Predictor, description: str, ras: np.ndarray | None) -> tuple[FindingResult, float]:
    started = time.perf_counter()
    if ras is None:
        result = predictor.segment(description)
    else:
        result = predictor.segment(description, points=[PromptPoint(tuple(float(x) for x in ras))])
    return result, time.perf_counter() - started


def _whole_row(
    image: str,
    finding: str,
    click: int,
    volume: ScalarVolume,
    result: FindingResult,
    ras: np.ndarray | None,
    seconds: float,
) -> dict[str, Any]:
    away, farthest = len(result.lesions), None
    if ras is not None:
        labels = result.lesion_map.array[0]
        away, farthest = 0, 0.0
        for lesion in result.lesions:
            voxels = volume.voxel_to_ras(np.argwhere(labels == lesion.lesion_id))
            distance = float(np.linalg.norm(voxels - ras, axis=1).min())
            away += int(distance > NEAR_POINT_MM)
            farthest = max(farthest, distance)
    probability = result.present_probability
    return {
        "study": image,
        "finding": finding,
        "click": click,
        "click_ras": None if ras is None else [round(float(x), 2) for x in ras],
        "status": str(result.status.value),
        "present_probability": None if probability is None else round(probability, 4),
        "farthest_lesion_mm": None if farthest is None else round(farthest, 1),
        "lesions": len(result.lesions),
        "lesions_away": away,
        "lesion_ml": round(sum(lesion.volume_ml for lesion in result.lesions), 3),
        "seconds": round(seconds, 3),
    }


def _off(centre: np.ndarray, distance_mm: float, rng: np.random.Generator) -> np.ndarray:
    direction = rng.normal(size=3)
    return centre + distance_mm * direction / np.linalg.norm(direction)


def _inside(volume: ScalarVolume, ras: np.ndarray) -> bool:
    ijk = volume.ras_to_voxel(ras)[0]
    return bool(np.all(ijk >= -0.5) and np.all(ijk <= np.asarray(volume.spatial_shape) - 0.5))


def _value_at(mask: np.ndarray, volume: ScalarVolume, ras: np.ndarray) -> bool:
    ijk = np.clip(np.rint(volume.ras_to_voxel(ras)[0]).astype(int), 0, np.asarray(mask.shape) - 1)
    return bool(mask[tuple(ijk)])


def _deepest_inside(mask: np.ndarray, spacing: tuple[float, float, float]) -> np.ndarray:
    """The voxel of ``mask`` farthest from its edge (in mm): where a reader clicks "on" a part, even a ring."""
    depth = ndimage.distance_transform_edt(mask, sampling=spacing)
    return np.asarray(np.unravel_index(int(np.argmax(depth)), mask.shape))


def _body_voxels(volume: ScalarVolume) -> np.ndarray:
    """Voxel indices inside the body: above the 60th intensity percentile of the first channel (soft tissue)."""
    channel = volume.array[0]
    step = max(1, channel.size // 2_000_000)
    threshold = np.percentile(channel.ravel()[::step], 60)
    inside = np.argwhere(channel > threshold)
    return inside[:: max(1, len(inside) // 100_000)]
