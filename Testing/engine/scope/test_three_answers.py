"""The three answers on real volumes with the starter model: present where it was trained, not_assessed (nothing
drawn, the reason said) for a finding of another family, region or modality; paraphrases read as one finding."""

from __future__ import annotations

import numpy as np
import pytest

from reinforcedvl.io import read_image
from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID
from reinforcedvl.predictor import Predictor
from reinforcedvl.scope import AnswerStatus


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    return Predictor.from_model(DEFAULT_MODEL_ID, device="cpu")


def test_a_lung_crop_answers_nodules_and_does_not_assess_brain_or_abdomen(predictor, shared_data):
    predictor.set_volume(read_image(shared_data / "lidc_nodules/image/LIDC-IDRI-0003_R_2.nii.gz"))
    nodule = predictor.segment("pulmonary nodule")
    assert nodule.status is AnswerStatus.PRESENT and nodule.lesions and nodule.finding == "lung nodule"
    same = predictor.segment("nodule in the lung")
    # the same network texts: the same answer, to float32 rounding (a CPU's kernels may sum in another order per run)
    assert same.present_probability == pytest.approx(nodule.present_probability, abs=1e-5)
    np.testing.assert_array_equal(same.lesion_map.array, nodule.lesion_map.array)
    for description in ("whole tumor", "liver", "metastasis in the liver"):
        answer = predictor.segment(description)
        assert answer.status is AnswerStatus.NOT_ASSESSED, description
        assert answer.present_probability is None and not answer.lesions and not answer.lesion_map.array.any()
        assert answer.reason.startswith("not assessed: ")


def test_an_abdominal_ct_does_not_assess_brain_tumour_findings(predictor, shared_data):
    predictor.set_volume(read_image(shared_data / "totalsegmentator_examples/example_ct_sm.nii.gz"))
    assert predictor.region.region.value == "abdomen"
    for description in ("enhancing tumour", "peritumoral oedema", "lung nodule"):
        answer = predictor.segment(description)
        assert answer.status is AnswerStatus.NOT_ASSESSED and not answer.lesion_map.array.any(), description
    assert "brain MR" in predictor.segment("enhancing tumour").reason
