"""Patch sampling: the mask stays aligned with the image, padding uses the study's background."""

from __future__ import annotations

import random

import numpy as np

from reinforcedvl.data.manifest import Triplet
from reinforcedvl.training.patches import augmentations, sample_patch, sample_shared_patch, target_voxels
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


def _nested_study():
    """A 'tumour' whose core (label 1) sits inside a rim (label 2)."""
    image = np.zeros((1, 24, 24, 12), np.float16)
    labels = np.zeros((24, 24, 12), np.uint16)
    labels[6:18, 6:18, 2:10] = 2
    labels[9:15, 9:15, 4:8] = 1
    image[0][labels > 0] = 1.0
    return PreparedStudy(image, labels, background=0.0)


def _finding(name, labels):
    present = bool(labels)
    return Triplet(name, "brats", "p", "train", "MR", ("x",), "m" if present else None, labels, present, name, (name,))


def test_one_shared_patch_carries_each_findings_own_target():
    study = _nested_study()
    asked = [_finding("core", (1,)), _finding("rim", (2,)), _finding("whole", (1, 2)), _finding("absent", ())]
    for seed in range(10):
        image, targets = sample_shared_patch(
            study, asked, target_voxels(study, asked[2]), (16, 16, 8), random.Random(seed), 2
        )
        assert image.shape == (2, 16, 16, 8) and targets.shape == (4, 16, 16, 8)
        core, rim, whole, absent = targets.astype(bool)
        np.testing.assert_array_equal(whole, core | rim)
        assert not (core & rim).any() and not absent.any()
        np.testing.assert_array_equal(image[0] > 0.5, whole)  # every target lies on the same patch


def test_sample_patch_is_the_shared_patch_with_one_finding():
    study = _nested_study()
    finding = _finding("core", (1,))
    single = sample_patch(study, finding, target_voxels(study, finding), (16, 16, 8), random.Random(4), 1)
    shared = sample_shared_patch(study, [finding], target_voxels(study, finding), (16, 16, 8), random.Random(4), 1)
    np.testing.assert_array_equal(single[0], shared[0])
    np.testing.assert_array_equal(single[1], shared[1])
