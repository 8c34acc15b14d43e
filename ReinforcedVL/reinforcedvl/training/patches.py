"""Training batches: patches cut from prepared studies around (or away from) the finding, augmented with MONAI.

A batch comes from one patch-size group (small lung crops, or whole brains and abdomens), so every item has the
same shape. Batch ``n`` is drawn from a generator seeded with ``(seed, n)``: a run resumed at step ``n`` continues
with the batches it would have seen, on any number of data-loader workers or DDP ranks.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from monai.transforms import (
    Compose,
    RandAdjustContrastd,
    RandAffined,
    RandGaussianNoised,
    RandScaleIntensityd,
    RandShiftIntensityd,
)

from ..data.manifest import Triplet
from .prepared_studies import PreparedStudy

__all__ = ["PatchGroup", "TrainingItem", "target_voxels", "sample_patch", "sample_shared_patch", "augmentations"]

# Of the patches cut for a present finding, this share is centred on one of its voxels; the rest fall anywhere
# (often missing it: those teach the existence head that a window may not hold the finding).
_POSITIVE_FRACTION = 0.8


@dataclass(frozen=True)
class PatchGroup:
    """Triplets trained together: same patch size and batch size; ``absent_fraction`` of items ask about a
    finding that is not there.

    With ``prompts_per_patch`` > 1, each patch is asked that many different findings of its study (the whole
    tumour, its core, the oedema around it...), so the description alone must decide which mask comes back.
    """

    name: str
    triplets: tuple[Triplet, ...]
    patch_size: tuple[int, int, int]
    batch_size: int
    weight: float
    absent_fraction: float = 0.25
    prompts_per_patch: int = 1

    def __post_init__(self) -> None:
        if self.prompts_per_patch < 1 or self.batch_size % self.prompts_per_patch:
            raise ValueError(
                f"{self.name}: the batch size ({self.batch_size}) must be a multiple of the prompts per patch "
                f"({self.prompts_per_patch})"
            )


@dataclass(frozen=True)
class TrainingItem:
    """One augmented patch: ``image`` ``(C, X, Y, Z)`` float32, ``mask`` ``(1, X, Y, Z)`` float32 in {0, 1},
    the ``description`` asked, whether the finding is in the patch, and the finding's name."""

    image: torch.Tensor
    mask: torch.Tensor
    description: str
    present: bool
    finding: str


def augmentations(seed: int) -> Compose:
    """Intensity and mild spatial augmentation; no left-right flips (descriptions name the side)."""
    transforms = Compose(
        [
            RandAffined(
                keys=("image", "mask"),
                prob=0.25,
                rotate_range=(0.2, 0.2, 0.2),
                scale_range=(0.15, 0.15, 0.15),
                mode=("bilinear", "nearest"),
                padding_mode="border",
            ),
            RandScaleIntensityd(keys="image", factors=0.1, prob=0.5),
            RandShiftIntensityd(keys="image", offsets=0.1, prob=0.5),
            RandAdjustContrastd(keys="image", gamma=(0.8, 1.25), prob=0.2),
            RandGaussianNoised(keys="image", std=0.03, prob=0.2),
        ]
    )
    transforms.set_random_state(seed=seed)
    return transforms


def target_voxels(study: PreparedStudy, triplet: Triplet) -> np.ndarray:
    """Flat indices of the study's voxels that belong to the triplet's finding (empty when absent)."""
    if not triplet.present or study.labels is None:
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.isin(study.labels, triplet.labels))


def sample_patch(
    study: PreparedStudy,
    triplet: Triplet,
    voxels: np.ndarray,
    patch_size: Sequence[int],
    rng: random.Random,
    in_channels: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a patch ``(in_channels, *patch_size)`` and its target mask ``(1, *patch_size)`` from ``study``.

    ``voxels`` are the finding's voxels (:func:`target_voxels`); the target is the union of ``triplet.labels``.
    The study is padded with its background value where the patch reaches past it.
    """
    image, targets = sample_shared_patch(study, [triplet], voxels, patch_size, rng, in_channels)
    return image, targets[:1]


def sample_shared_patch(
    study: PreparedStudy,
    triplets: Sequence[Triplet],
    voxels: np.ndarray,
    patch_size: Sequence[int],
    rng: random.Random,
    in_channels: int,
) -> tuple[np.ndarray, np.ndarray]:
    """One patch ``(in_channels, *patch_size)`` of ``study`` and a target ``(len(triplets), *patch_size)`` for
    each triplet asked about it (all zero for an absent finding).

    Most patches are centred on one of ``voxels`` (where the findings are); the rest fall anywhere.
    """
    shape = study.image.shape[1:]
    if len(voxels) and rng.random() < _POSITIVE_FRACTION:
        centre = np.unravel_index(int(voxels[rng.randrange(len(voxels))]), shape)
    else:
        centre = [rng.randrange(size) for size in shape]
    starts = [int(c) - p // 2 for c, p in zip(centre, patch_size, strict=True)]
    image = _cut(study.image, starts, patch_size, study.background)
    if image.shape[0] < in_channels:
        image = np.concatenate([image] + [image[:1]] * (in_channels - image.shape[0]))
    targets = np.zeros((len(triplets), *patch_size), np.float32)
    if study.labels is not None and any(t.present for t in triplets):
        labels = _cut(study.labels[None], starts, patch_size, 0)[0]
        for row, triplet in enumerate(triplets):
            if triplet.present:
                targets[row] = np.isin(labels, triplet.labels)
    return image, targets


def _cut(array: np.ndarray, starts: list[int], size: Sequence[int], fill: float) -> np.ndarray:
    """``array[:, start:start+size]`` per axis as float32, filled with ``fill`` outside the array."""
    out = np.full((array.shape[0], *size), fill, dtype=np.float32)
    source, target = [slice(None)], [slice(None)]
    for start, length, extent in zip(starts, size, array.shape[1:], strict=True):
        low, high = max(start, 0), min(start + length, extent)
        source.append(slice(low, max(high, low)))
        target.append(slice(low - start, low - start + max(high - low, 0)))
    out[tuple(target)] = array[tuple(source)]
    return out
