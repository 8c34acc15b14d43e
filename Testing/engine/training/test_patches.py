"""Patch sampling: the mask stays aligned with the image, padding uses the study's background."""

from __future__ import annotations

import random

import numpy as np

from reinforcedvl.data.manifest import Triplet
from reinforcedvl.training.patches import augmentations, sample_patch, target_voxels
from reinforcedvl.training.prepared_studies import PreparedStudy


def _study():
    image = np.full((1, 20, 20, 10), -0.9, np.float16)
    labels = np.zeros((20, 20, 10), np.uint16)
    image[0, 8:12, 8:12, 4:7] = 0.05  # a soft-tissue "nodule" in lung
    labels[8:12, 8:12, 4:7] = 1
    return PreparedStudy(image, labels, background=-1.0)


def _triplet(present=True):
    return Triplet(
        "t", "lidc", "p", "train", "CT", ("x",), "m", (1,) if present else (), present, "nodule", ("nodule",)
    )


def test_patch_mask_lies_on_the_bright_voxels_and_padding_is_background():
    study = _study()
    rng = random.Random(0)
    for _ in range(20):
        image, mask = sample_patch(study, _triplet(), target_voxels(study, _triplet()), (32, 32, 16), rng, 2)
        assert image.shape == (2, 32, 32, 16) and mask.shape == (1, 32, 32, 16)
        np.testing.assert_array_equal(image[0], image[1])
        if mask.any():
            assert np.all(image[0][mask[0] > 0] == np.float32(np.float16(0.05)))
            assert mask.sum() == 4 * 4 * 3
        assert (image[0] == -1.0).any()  # the 20x20x10 study is smaller than the patch: padded


def test_absent_findings_have_empty_targets():
    study = _study()
    image, mask = sample_patch(
        study, _triplet(False), target_voxels(study, _triplet(False)), (16, 16, 8), random.Random(1), 1
    )
    assert not mask.any() and image.shape == (1, 16, 16, 8)


def test_augmentation_is_reproducible_from_its_seed():
    import torch

    study = _study()
    image, mask = sample_patch(study, _triplet(), target_voxels(study, _triplet()), (16, 16, 8), random.Random(2), 1)
    data = {"image": torch.from_numpy(image), "mask": torch.from_numpy(mask)}
    first, second = augmentations(7)(dict(data)), augmentations(7)(dict(data))
    torch.testing.assert_close(first["image"], second["image"])
