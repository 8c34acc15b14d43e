"""The study's existence answer follows the checkpoint's config: the window rule and the calibration map decide
whether one confident window among many makes the study present, and a bad setting is refused on loading."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

from reinforcedvl.model_store.checkpoint import ModelIdentity, read_checkpoint, save_checkpoint
from reinforcedvl.modeling import ModelConfig, build_network
from reinforcedvl.predictor import Predictor


def _one_confident_window(tmp_path, untrained_checkpoint, monkeypatch, **settings):
    base = read_checkpoint(untrained_checkpoint)
    config = base.config.replace(window_size=(16, 16, 16), min_window_size=(16, 16, 16), **settings)
    save_checkpoint(tmp_path, build_network(config), config, ModelIdentity("rule-test", "0"))
    predictor = Predictor.from_model(tmp_path, device="cpu")
    ground = predictor.network.ground
    windows = []

    def first_window_only(*args):
        answer = ground(*args)
        logits = torch.full_like(answer.existence_logits, -10.0)
        if not windows:
            logits[0] = 10.0
        windows.extend(logits.tolist())
        return dataclasses.replace(answer, existence_logits=logits)

    monkeypatch.setattr(predictor.network, "ground", first_window_only)
    return predictor, windows


@pytest.mark.parametrize(
    ("settings", "present"),
    [
        ({}, True),  # the highest window: the one confident window decides
        ({"existence_window_rule": "top3_mean"}, False),  # the mean of the 3 highest: one window is not enough
        ({"existence_calibration": (1.0, -12.0)}, False),  # a calibration map that discounts certainty
    ],
)
def test_the_checkpoint_decides_how_windows_combine(
    tmp_path, untrained_checkpoint, ct_with_sphere, monkeypatch, settings, present
):
    predictor, windows = _one_confident_window(tmp_path, untrained_checkpoint, monkeypatch, **settings)
    predictor.set_volume(ct_with_sphere[0])
    result = predictor.segment("nodule")
    assert len(windows) > 3
    assert (result.present_probability >= 0.5) == present
    if not present:
        assert result.status.value == "absent" and result.lesions == []


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"existence_window_rule": "median"}, "not one of"),
        ({"existence_calibration": (-1.0, 0.0)}, "slope > 0"),
    ],
)
def test_a_bad_setting_is_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        ModelConfig(**settings)


def test_the_settings_round_trip_through_config_json(tmp_path, untrained_checkpoint):
    base = read_checkpoint(untrained_checkpoint)
    config = base.config.replace(existence_window_rule="top2_mean", existence_calibration=(0.8, -0.3))
    save_checkpoint(tmp_path, build_network(config), config, ModelIdentity("rule-test", "0"))
    stored = json.loads((tmp_path / "config.json").read_text())["config"]
    assert stored["existence_window_rule"] == "top2_mean" and stored["existence_calibration"] == [0.8, -0.3]
    assert read_checkpoint(tmp_path).config == config
