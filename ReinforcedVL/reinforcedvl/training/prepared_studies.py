"""Studies brought to the network's grid once and kept on disk, so training epochs only crop and augment.

A prepared study is the image as the predictor sees it (normalised, RAS, model spacing; float16) and its label map
on the same grid (nearest neighbour), cropped to the non-background region. Files are compressed NumPy archives
named by a hash of the inputs and the spacing; a cache folder can travel to a machine without SimpleITK.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.manifest import Triplet
from ..errors import InputWarning
from ..preprocessing import Preprocessor
from ..vocabulary import Modality

__all__ = ["PreparedStudy", "study_key", "prepared_study_path", "load_prepared_study", "ensure_prepared_study"]

_CROP_MARGIN = 8
_CT_AIR_LEVEL = -0.9  # -900 HU after CT normalisation (HU / 1000)


@dataclass(frozen=True, eq=False)
class PreparedStudy:
    """``image`` float16 ``(C, X, Y, Z)`` on the model grid (the study's own channels; the network's extra input
    channels repeat the first); ``labels`` uint16 ``(X, Y, Z)`` or None; ``background`` the normalised value
    used to pad."""

    image: np.ndarray
    labels: np.ndarray | None
    background: float


def study_key(triplet: Triplet, spacing_mm: tuple[float, float, float]) -> str:
    """Cache key of a triplet's study: its images, mask and the model spacing."""
    description = json.dumps([list(triplet.images), triplet.mask, list(spacing_mm)])
    return hashlib.sha1(description.encode()).hexdigest()[:16]


def prepared_study_path(triplet: Triplet, cache_dir: Path, preprocessor: Preprocessor) -> Path:
    return cache_dir / f"{study_key(triplet, preprocessor.spacing_mm)}.npz"


def load_prepared_study(
    triplet: Triplet, data_root: Path, cache_dir: Path, preprocessor: Preprocessor
) -> PreparedStudy:
    """The prepared study of ``triplet``, from ``cache_dir`` when there, else prepared and stored."""
    path = prepared_study_path(triplet, cache_dir, preprocessor)
    if path.exists():
        with np.load(path) as stored:
            labels = stored["labels"] if stored["labels"].size else None
            return PreparedStudy(stored["image"], labels, float(stored["background"]))
    return ensure_prepared_study(triplet, data_root, cache_dir, preprocessor)


def ensure_prepared_study(
    triplet: Triplet, data_root: Path, cache_dir: Path, preprocessor: Preprocessor
) -> PreparedStudy | None:
    """Prepare and store ``triplet``'s study unless the cache has it; returns it when it was prepared now."""
    path = prepared_study_path(triplet, cache_dir, preprocessor)
    if path.exists():
        return None
    study = _prepare(triplet, data_root, preprocessor)
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".partial.npz")
    np.savez_compressed(
        temporary,
        image=study.image,
        labels=study.labels if study.labels is not None else np.zeros(0, np.uint16),
        background=np.float32(study.background),
    )
    temporary.replace(path)
    return study


def _prepare(triplet: Triplet, data_root: Path, preprocessor: Preprocessor) -> PreparedStudy:
    from ..io import read_image, read_label_map
    from ..io.resampling import resample_label_map

    volume = read_image([data_root / image for image in triplet.images])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)  # anisotropic crops are expected in training data
        prepared = preprocessor.prepare(volume, Modality(triplet.modality))
    image = prepared.image.as_tensor().numpy()[: volume.num_channels]
    labels = None
    if triplet.mask is not None:
        label_map = resample_label_map(read_label_map(data_root / triplet.mask), volume)
        labels = preprocessor.labels_to_model_grid(prepared, label_map.array[0]).numpy()[0].round().astype(np.uint16)
    box = _foreground_box(image, Modality(triplet.modality))
    cropped_labels = labels[box] if labels is not None else None
    return PreparedStudy(image[(slice(None), *box)].astype(np.float16), cropped_labels, prepared.background_value)


def _foreground_box(image: np.ndarray, modality: Modality) -> tuple[slice, slice, slice]:
    """Bounding box (with a margin) of the study's content: for CT, voxels denser than air (above -900 HU, lung
    included); for MR, voxels above the channel's minimum (skull-stripped or masked backgrounds are constant)."""
    if modality is Modality.CT:
        foreground = (image > _CT_AIR_LEVEL).any(axis=0)
    else:
        foreground = (image > image.min(axis=(1, 2, 3), keepdims=True) + 1e-3).any(axis=0)
    if not foreground.any():
        return (slice(None),) * 3  # type: ignore[return-value]
    box = []
    for axis in range(3):
        present = np.flatnonzero(foreground.any(axis=tuple(a for a in range(3) if a != axis)))
        box.append(slice(max(int(present[0]) - _CROP_MARGIN, 0), int(present[-1]) + _CROP_MARGIN + 1))
    return tuple(box)  # type: ignore[return-value]
