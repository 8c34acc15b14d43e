"""The lesion calibration: a logistic map from a lesion's mean probability, volume and share of the answer's largest
lesion to the chance that it is real; fitted, checked, and applied where lesions are kept or dropped."""

from __future__ import annotations

import numpy as np
import pytest

from geometry_helpers import affine_from
from reinforcedvl.lesions import find_lesions
from reinforcedvl.lesions.calibration import LesionCalibration, fit_lesion_calibration, lesion_features
from reinforcedvl.lesions.confidence import keep_confident_lesions
from reinforcedvl.modeling import ModelConfig
from reinforcedvl.volume import LabelMap

# rises with the mean probability and, strongly, with the share of the largest lesion
BY_SHARE = LesionCalibration((1.0, 3.0), 2.0)


def _answer():
    """A 1 mL lesion and a 27-voxel speck, both at probability 0.9."""
    probability = np.zeros((40, 40, 20), np.float32)
    probability[5:15, 5:15, 5:15] = 0.9
    probability[30:33, 30:33, 10:13] = 0.9
    grid = LabelMap(np.zeros((1, 40, 40, 20), np.uint8), affine_from((1.0, 1.0, 1.0)))
    return probability, *find_lesions(probability, grid, threshold=0.5, min_volume_mm3=3.0)


def test_features_are_the_logit_the_volume_and_the_share_of_the_largest():
    assert lesion_features(0.9, 0.01, 1.0) == pytest.approx([np.log(9), -2.0])
    assert lesion_features(0.9, 1.0, 1.0)[1] == 0.0
    assert lesion_features(0.9, 5.0, 1.0)[1] == 0.0  # the largest of the answer


def test_a_calibration_is_refused_when_it_falls_with_the_probability_or_is_malformed():
    with pytest.raises(ValueError, match="rise with the mean probability"):
        LesionCalibration((-1.0, 0.0), 0.0)
    with pytest.raises(ValueError, match="3 values"):
        LesionCalibration.from_config((1.0, 2.0))
    assert LesionCalibration.from_config(()) is None
    with pytest.raises(ValueError, match="rise with the mean probability"):
        ModelConfig(lesion_calibration=(-1.0, 0.0, 0.0))
    assert ModelConfig(lesion_calibration=BY_SHARE.to_config()).lesion_calibration == (1.0, 3.0, 2.0)


def test_the_fit_recovers_which_lesions_are_real():
    random = np.random.default_rng(0)
    share = -random.uniform(0, 4, 2000)  # log10 of the share of the largest lesion
    probability = random.uniform(0.55, 0.95, 2000)
    logit = np.log(probability / (1 - probability))
    real = random.random(2000) < 1 / (1 + np.exp(-(2.0 + 1.0 * logit + 1.5 * share)))
    largest = random.uniform(0.1, 100.0, 2000)  # mL
    features = np.stack([lesion_features(p, m * 10**s, m) for p, s, m in zip(probability, share, largest, strict=True)])
    calibration = fit_lesion_calibration(features, real)
    assert calibration.weights[0] == pytest.approx(1.0, abs=0.5)
    assert calibration.weights[1] == pytest.approx(1.5, abs=0.3)
    assert calibration.intercept == pytest.approx(2.0, abs=0.6)
    with pytest.raises(ValueError, match="both real and false"):
        fit_lesion_calibration(features[:3], np.ones(3, bool))


def test_the_calibrated_confidence_drops_a_speck_and_survives_renumbering():
    probability, lesion_map, lesions = _answer()
    assert [lesion.confidence for lesion in lesions] == pytest.approx([0.9, 0.9])
    kept_map, kept = keep_confident_lesions(lesion_map, lesions, probability, 0.6)
    assert len(kept) == 2  # the mean probability keeps both
    kept_map, kept = keep_confident_lesions(lesion_map, lesions, probability, 0.6, calibration=BY_SHARE)
    assert [lesion.voxels for lesion in kept] == [1000]
    assert kept[0].confidence == pytest.approx(BY_SHARE(0.9, 1.0, 1.0))  # calibrated, not measured again
    assert kept_map.labels.tolist() == [1]
    # a lesion a reader marked stays, with its calibrated confidence
    _, vouched = keep_confident_lesions(lesion_map, lesions, probability, 0.6, vouched={2}, calibration=BY_SHARE)
    assert [lesion.confidence for lesion in vouched] == pytest.approx(
        [BY_SHARE(0.9, 1.0, 1.0), BY_SHARE(0.9, 0.027, 1.0)]
    )
