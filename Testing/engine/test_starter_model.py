"""The bundled starter checkpoint on the bundled sample (a dev-split LIDC nodule it was not trained on).

A regression check of the shipped weights; the model's quality is measured by `reinforcedvl evaluate` and reported
in docs/model-card.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reinforcedvl.evaluation.overlap import dice
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID, installed_models
from reinforcedvl.predictor import Predictor

SAMPLES = Path(__file__).resolve().parents[2] / "Resources" / "Samples"
SAMPLE = SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"
SAMPLE_MASK = SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4_mask.nii.gz"


@pytest.fixture(scope="module")
def starter() -> Predictor:
    predictor = Predictor.from_model(DEFAULT_MODEL_ID, device="cpu")
    predictor.set_volume(read_image(SAMPLE))
    return predictor


def test_the_starter_model_ships_with_the_package():
    checkpoint = installed_models()[DEFAULT_MODEL_ID]
    assert checkpoint.identity.version == "1.2.0"
    assert checkpoint.metadata["fine_tuned_from"]["version"] == "1.0.0"  # the GPU-trained first release
    assert checkpoint.metadata["existence_refit"]["parent"]["version"] == "1.1.0"  # its head refitted on studies
    assert checkpoint.config.correlation_steps == 2
    assert "lung nodule" in checkpoint.metadata["findings"]
    assert "CC BY-NC-SA" in checkpoint.metadata["weights_licence"]


def test_it_finds_the_sample_nodule(starter):
    result = starter.segment("solid lung nodule")
    assert result.present and result.present_probability > 0.9
    assert len(result.lesions) == 1
    reference = read_label_map(SAMPLE_MASK).array[0] > 0
    assert dice(result.lesion_map.array[0] > 0, reference) > 0.75
    assert 10.0 < result.lesions[0].long_axis_mm < 17.0  # LIDC diameter 12.8 mm


def test_it_does_not_assess_a_brain_tumour_in_a_lung_crop(starter):
    result = starter.segment("enhancing tumour")
    assert result.status.value == "not_assessed" and not result.present and result.present_probability is None
    assert "brain MR" in result.reason and not result.lesion_map.array.any()
