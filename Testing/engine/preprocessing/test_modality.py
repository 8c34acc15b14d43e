from __future__ import annotations

import numpy as np
import pytest

from reinforcedvl.errors import ReinforcedVLError
from reinforcedvl.io import read_image
from reinforcedvl.preprocessing import detect_modality
from reinforcedvl.vocabulary import Modality, parse_modality
from reinforcedvl.volume import ScalarVolume

SHARED_CASES = [
    ("lidc_nodules/image/LIDC-IDRI-0003_R_4.nii.gz", Modality.CT, "Hounsfield"),
    ("totalsegmentator_examples/example_ct_sm.nii.gz", Modality.CT, "Hounsfield"),
    ("totalsegmentator_examples/ct_dicom", Modality.CT, "DICOM Modality tag"),
    ("totalsegmentator_examples/example_mr_sm.nii.gz", Modality.MR, "treated as MR"),
    ("brats2015/brats_2013_pat0001_1/Flair_subtrMeanDivStd.nii.gz", Modality.MR, "treated as MR"),
]


@pytest.mark.parametrize("relative_path, expected, reason", SHARED_CASES)
def test_modality_of_real_scans(shared_data, relative_path, expected, reason):
    decision = detect_modality(read_image(shared_data / relative_path))
    assert decision.modality is expected
    assert reason in decision.reason


def test_the_user_decides_when_asked():
    volume = ScalarVolume(np.full((1, 2, 2, 2), -1000.0, np.float32), np.eye(4))
    assert detect_modality(volume, Modality.MR).modality is Modality.MR


@pytest.mark.parametrize("text, expected", [("auto", None), ("ct", Modality.CT), ("MRI", Modality.MR)])
def test_parse_modality(text, expected):
    assert parse_modality(text) is expected


def test_unknown_modality_lists_the_choices():
    with pytest.raises(ReinforcedVLError, match="auto, CT or MR"):
        parse_modality("PET")


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_a_few_non_finite_voxels_do_not_decide_the_modality(shared_data, bad):
    ct = read_image(shared_data / "lidc_nodules" / "image" / "LIDC-IDRI-0003_R_4.nii.gz")
    array = ct.array.copy()
    array.reshape(-1)[:2] = bad
    decision = detect_modality(ScalarVolume(array, ct.affine, name=ct.name))
    assert decision.modality is Modality.CT and "Hounsfield" in decision.reason
