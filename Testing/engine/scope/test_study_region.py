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
