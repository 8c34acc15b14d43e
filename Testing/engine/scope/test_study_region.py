"""The body-region recogniser on every kind of real study at hand, and on a field of view it must not guess."""

from __future__ import annotations

import numpy as np
import pytest

from reinforcedvl.io import read_image
from reinforcedvl.scope import BodyRegion, recognize_region
from reinforcedvl.vocabulary import Modality
from reinforcedvl.volume import ScalarVolume

STUDIES = [
    # (files under the shared data, modality, region)
    (("brats2015/brats_2013_pat0001_1/Flair_subtrMeanDivStd.nii.gz",), Modality.MR, BodyRegion.BRAIN),
    (("brats2015/brats_2013_pat0004_1/T1c_subtrMeanDivStd.nii.gz",), Modality.MR, BodyRegion.BRAIN),
    (("totalsegmentator_examples/example_ct_sm.nii.gz",), Modality.CT, BodyRegion.ABDOMEN),
    (("totalsegmentator_examples/example_mr_sm.nii.gz",), Modality.MR, BodyRegion.ABDOMEN),
    (("totalsegmentator_examples/ct_dicom",), Modality.CT, BodyRegion.ABDOMEN),
    (("lidc_nodules/image/LIDC-IDRI-0003_R_2.nii.gz",), Modality.CT, BodyRegion.CHEST),
    # three slices at the thoraco-abdominal junction (heart, liver and lung bases): neither chest nor abdomen
    (("dcmqi_dicom_seg/ct-3slice",), Modality.CT, BodyRegion.UNKNOWN),
]


@pytest.mark.parametrize(("files", "modality", "region"), STUDIES, ids=[s[0][0].split("/")[-2] for s in STUDIES])
def test_real_studies_are_recognised(shared_data, files, modality, region):
    decision = recognize_region(read_image([shared_data / f for f in files]), modality)
    assert decision.region is region, decision.reason
    assert decision.reason


def test_a_brain_read_as_ct_is_still_head_sized_but_a_lung_crop_read_as_mr_is_unknown(shared_data):
    crop = read_image(shared_data / "lidc_nodules/image/LIDC-IDRI-0003_R_2.nii.gz")
    assert recognize_region(crop, Modality.MR).region is BodyRegion.UNKNOWN


def test_a_limb_sized_object_is_unknown_not_guessed():
    # a 90 mm wide cylinder (a forearm or a knee) in a 200 mm field of view: neither head nor trunk
    grid = np.indices((100, 100, 60)).astype(np.float32)
    radius = np.hypot(grid[0] - 50, grid[1] - 50)
    image = np.where(radius < 22.5, 300.0, 0.0)[None].astype(np.float32)
    affine = np.diag([2.0, 2.0, 3.0, 1.0])
    decision = recognize_region(ScalarVolume(image, affine, name="limb"), Modality.MR)
    assert decision.region is BodyRegion.UNKNOWN
    assert "neither a head nor a trunk" in decision.reason


def test_a_tiny_soft_tissue_crop_is_unknown():
    image = np.full((1, 40, 40, 10), 40.0, np.float32)  # 40 HU everywhere: no lung to say it is a chest
    decision = recognize_region(ScalarVolume(image, np.diag([0.8, 0.8, 2.5, 1.0]), name="crop"), Modality.CT)
    assert decision.region is BodyRegion.UNKNOWN and "too small" in decision.reason


@pytest.mark.parametrize("name", ["LIDC-IDRI-0259_R_1", "LIDC-IDRI-0838_R_2"])
def test_a_small_crop_of_a_nodule_on_the_chest_wall_is_a_chest_crop(shared_data, name):
    # 33 and 26 mm crops, 15 % and 29 % aerated lung: the nodule and the chest wall fill the rest
    decision = recognize_region(read_image(shared_data / f"lidc_nodules/image/{name}.nii.gz"), Modality.CT)
    assert decision.region is BodyRegion.CHEST, decision.reason
    assert -950 < decision.features.air_median_hu < -400


def test_a_small_crop_whose_air_is_pure_air_is_not_a_chest_crop():
    # soft tissue with a gas pocket of 40 % of the field of view at -1000 HU (bowel gas): not aerated lung
    rng = np.random.default_rng(0)
    image = rng.normal(40.0, 15.0, (1, 50, 50, 12)).astype(np.float32)
    image[0, :20] = rng.normal(-1000.0, 15.0, (20, 50, 12))
    decision = recognize_region(ScalarVolume(image, np.diag([0.8, 0.8, 2.5, 1.0]), name="gas"), Modality.CT)
    assert decision.region is BodyRegion.UNKNOWN and "pure air" in decision.reason


def test_the_same_crop_with_lung_density_air_is_a_chest_crop():
    rng = np.random.default_rng(0)
    image = rng.normal(40.0, 15.0, (1, 50, 50, 12)).astype(np.float32)
    image[0, :10] = rng.normal(-850.0, 40.0, (10, 50, 12))  # 20 % aerated parenchyma
    decision = recognize_region(ScalarVolume(image, np.diag([0.8, 0.8, 2.5, 1.0]), name="lung"), Modality.CT)
    assert decision.region is BodyRegion.CHEST, decision.reason
