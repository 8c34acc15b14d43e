"""Inference mechanics with a small untrained checkpoint: results on the input grid, the decision rules, feature
reuse across prompts, cancellation. (Model quality is measured by the evaluation command, not here.)"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from reinforcedvl.errors import InferenceCancelled, PromptError, ReinforcedVLError
from reinforcedvl.model_store.checkpoint import ModelIdentity, read_checkpoint, save_checkpoint
from reinforcedvl.modeling import build_network
from reinforcedvl.modeling.device import cpu_has_bf16_instructions
from reinforcedvl.predictor import Predictor


@pytest.fixture(scope="module")
def predictor(untrained_checkpoint) -> Predictor:
    return Predictor.from_model(untrained_checkpoint, device="cpu")


def _checkpoint_with(tmp_path, untrained_checkpoint, **settings):
    base = read_checkpoint(untrained_checkpoint)
    config = base.config.replace(**settings)
    save_checkpoint(tmp_path, build_network(config), config, ModelIdentity("decision-test", "0"))
    return Predictor.from_model(tmp_path, device="cpu")


def test_asking_before_a_volume_is_set_names_the_method(predictor):
    predictor.reset_volume()
    with pytest.raises(RuntimeError, match="set_volume"):
        predictor.segment("nodule")


def test_results_lie_on_the_input_grid(predictor, ct_with_sphere):
    volume, _ = ct_with_sphere
    predictor.set_volume(volume)
    result = predictor.segment("  solid   nodule ")
    assert result.prompt == "solid nodule"
    assert 0.0 <= result.present_probability <= 1.0
    assert result.lesion_map.same_grid(volume) and result.evidence_map.same_grid(volume)
    np.testing.assert_array_equal(result.lesion_map.affine, volume.affine)
    assert result.evidence_map.array.min() >= 0.0 and result.evidence_map.array.max() <= 1.0
    assert result.lesion_map.labels.tolist() == [lesion.lesion_id for lesion in result.lesions]
    assert result.present == bool(result.lesions)


def test_cpu_is_used_and_said(predictor):
    assert predictor.device.device.type == "cpu"
    assert predictor.device.description.startswith("CPU")
    assert predictor.device.bf16 == cpu_has_bf16_instructions() == ("bf16" in predictor.device.description)


def test_bf16_mixed_precision_runs_the_network_in_bf16_and_nearly_agrees_with_float32(
    untrained_checkpoint, ct_with_sphere
):
    answers, feature_types = [], []
    for bf16 in (False, True):
        predictor = Predictor.from_model(untrained_checkpoint, device="cpu")
        predictor.device = dataclasses.replace(predictor.device, bf16=bf16)
        hook = predictor.network.vision_encoder.register_forward_hook(
            lambda module, inputs, levels: feature_types.append(levels[0].dtype)
        )
        predictor.set_volume(ct_with_sphere[0])
        answers.append(predictor.segment("solid nodule"))
        hook.remove()
    assert feature_types[0] == torch.float32 and feature_types[-1] == torch.bfloat16
    float32, bf16 = answers
    assert bf16.present_probability == pytest.approx(float32.present_probability, abs=2e-2)
    assert float32.evidence_map.array.std() > 0
    np.testing.assert_allclose(bf16.evidence_map.array, float32.evidence_map.array, atol=3e-2)


def test_second_prompt_reuses_the_image_features(predictor, ct_with_sphere, monkeypatch):
    volume, _ = ct_with_sphere
    predictor.set_volume(volume)
    calls = []
    original = predictor.network.encode_image
    monkeypatch.setattr(predictor.network, "encode_image", lambda image: calls.append(1) or original(image))
    first = predictor.segment("ground glass nodule")
    encoded_once = len(calls)
    second = predictor.segment("calcified nodule")
    assert encoded_once >= 1 and len(calls) == encoded_once
    assert first.prompt != second.prompt


def test_cached_features_give_the_same_answer_as_fresh_ones(untrained_checkpoint, ct_with_sphere):
    volume, _ = ct_with_sphere
    cached = Predictor.from_model(untrained_checkpoint, device="cpu")
    cached.set_volume(volume)
    cached.segment("warm the cache")
    uncached = Predictor.from_model(untrained_checkpoint, device="cpu")
    uncached._features.budget_bytes = 0
    uncached.set_volume(volume)
    a, b = cached.segment("irregular mass"), uncached.segment("irregular mass")
    assert a.present_probability == pytest.approx(b.present_probability, abs=1e-2)
    np.testing.assert_allclose(a.evidence_map.array, b.evidence_map.array, atol=2e-2)


def test_absent_finding_gives_an_explicit_negative(tmp_path, untrained_checkpoint, ct_with_sphere):
    never = _checkpoint_with(tmp_path, untrained_checkpoint, existence_threshold=1.01)
    never.set_volume(ct_with_sphere[0])
    result = never.segment("nodule")
    assert not result.present and result.lesions == []
    assert not result.lesion_map.array.any()
    assert result.present_probability < 1.01


def _count_calls(monkeypatch, network, method: str) -> list:
    calls = []
    original = getattr(network, method)
    monkeypatch.setattr(network, method, lambda *args: calls.append(original(*args)) or calls[-1])
    return calls


def test_an_absent_answer_skips_the_mask_and_a_present_one_grounds_each_window_once(
    tmp_path, untrained_checkpoint, ct_with_sphere, monkeypatch
):
    for threshold, present in ((1.01, False), (0.0, True)):
        predictor = _checkpoint_with(tmp_path / str(threshold), untrained_checkpoint, existence_threshold=threshold)
        predictor.set_volume(ct_with_sphere[0])
        encoded = _count_calls(monkeypatch, predictor.network, "encode_image")
        grounded = _count_calls(monkeypatch, predictor.network, "ground")
        outlined = _count_calls(monkeypatch, predictor.network, "outline")
        result = predictor.segment("nodule")
        assert result.present_probability >= threshold if present else result.present_probability < threshold
        assert len(grounded) == len(encoded) >= 1  # one grounding per window, kept for the mask pass
        assert len(outlined) == (len(encoded) if present else 0)


def test_a_volume_too_large_for_the_feature_cache_gets_one_pass_with_the_same_mask(
    tmp_path, untrained_checkpoint, ct_with_sphere, monkeypatch
):
    _checkpoint_with(tmp_path, untrained_checkpoint, existence_threshold=0.0)
    masks = []
    for budget in (2 * 1024**3, 0):
        predictor = Predictor.from_model(tmp_path, device="cpu")
        predictor._features.budget_bytes = budget
        predictor.device = dataclasses.replace(predictor.device, bf16=False)  # compares the passes, not precisions
        predictor.set_volume(ct_with_sphere[0])
        predictor.segment("mass")
        encoded = _count_calls(monkeypatch, predictor.network, "encode_image")
        grounded = _count_calls(monkeypatch, predictor.network, "ground")
        outlined = _count_calls(monkeypatch, predictor.network, "outline")
        predictor.segment("nodule")
        assert len(grounded) == len(outlined) >= 1
        assert len(encoded) == (0 if budget else len(grounded))  # every window encoded once per prompt, at most
        masks.append(outlined)
    for two_passes, one_pass in zip(*masks, strict=True):
        assert two_passes.std() > 0
        torch.testing.assert_close(two_passes, one_pass, atol=2e-2, rtol=0)  # half- vs full-precision features


@pytest.mark.parametrize("cache_bytes", [2 * 1024**3, 0], ids=["two passes", "one pass"])
def test_only_the_windows_judged_to_hold_the_finding_are_outlined(
    tmp_path, untrained_checkpoint, ct_with_sphere, monkeypatch, cache_bytes
):
    _checkpoint_with(tmp_path, untrained_checkpoint, window_size=(16, 16, 16), min_window_size=(16, 16, 16))
    predictor = Predictor.from_model(tmp_path, device="cpu")
    predictor._features.budget_bytes = cache_bytes
    volume = ct_with_sphere[0]
    predictor.set_volume(volume)
    grounded, outlined_rows = [], []
    ground, outline = predictor.network.ground, predictor.network.outline

    def only_the_first_window_holds_it(*args):
        answer = ground(*args)
        logits = torch.full_like(answer.existence_logits, -10.0)
        logits[0] = 10.0 if not grounded else -10.0
        grounded.append(len(logits))
        return dataclasses.replace(answer, existence_logits=logits)

    def certain_mask(features, decoder_features, sentence):
        outlined_rows.append(len(sentence))
        return torch.full_like(outline(features, decoder_features, sentence), 10.0)

    monkeypatch.setattr(predictor.network, "ground", only_the_first_window_holds_it)
    monkeypatch.setattr(predictor.network, "outline", certain_mask)
    result = predictor.segment("nodule")
    assert sum(grounded) > 1 and outlined_rows == [1]
    assert result.present and len(result.lesions) == 1
    assert 0 < result.lesions[0].voxels < np.prod(volume.spatial_shape) / 2  # the other windows' probability is 0


def test_everything_above_threshold_is_one_lesion(tmp_path, untrained_checkpoint, ct_with_sphere):
    always = _checkpoint_with(tmp_path, untrained_checkpoint, existence_threshold=0.0, mask_threshold=0.0)
    always.lesion_confidence = 0.0  # every voxel a lesion, however unsure the untrained network is
    volume, _ = ct_with_sphere
    always.set_volume(volume)
    result = always.segment("nodule")
    assert result.present and len(result.lesions) == 1
    assert result.lesions[0].voxels == int(np.prod(volume.spatial_shape))


def test_cancelling_from_the_progress_callback(predictor, ct_with_sphere):
    predictor.set_volume(ct_with_sphere[0])
    stages = []

    def progress(stage, done, total):
        stages.append(stage)
        return stage != "segmenting"

    with pytest.raises(InferenceCancelled, match="segmenting"):
        predictor.segment("nodule", progress=progress)
    assert stages[0] == "encoding the description"


def test_bad_prompts_fail_before_any_inference(predictor, ct_with_sphere):
    predictor.set_volume(ct_with_sphere[0])
    for prompt in ("", "x" * 5000, "結節"):
        with pytest.raises(PromptError):
            predictor.segment(prompt)


def test_windows_follow_the_volume_size(predictor, tmp_path, untrained_checkpoint):
    assert predictor._window_size((10, 60, 47)) == (16, 48, 48)
    padded = _checkpoint_with(tmp_path, untrained_checkpoint, window_size=(96, 96, 96), min_window_size=(48, 48, 32))
    assert padded._window_size((10, 60, 47)) == (48, 64, 48)
    assert padded._window_size((200, 30, 20)) == (96, 48, 32)


def test_a_mask_threshold_per_call_leaves_the_models_own_untouched(tmp_path, untrained_checkpoint, ct_with_sphere):
    """``mask_threshold`` decides which voxels are lesion for this call only; the checkpoint stays as it is."""
    always = _checkpoint_with(tmp_path, untrained_checkpoint, existence_threshold=0.0, mask_threshold=0.0)
    always.lesion_confidence = 0.0  # every voxel a lesion, however unsure the untrained network is
    volume, _ = ct_with_sphere
    always.set_volume(volume)
    everything = always.segment("nodule")
    probability = always.segment("nodule", mask_threshold=0.5)
    strict = always.segment("nodule", mask_threshold=0.999999)
    assert everything.lesions[0].voxels == int(np.prod(volume.spatial_shape))
    kept = [sum(lesion.voxels for lesion in result.lesions) for result in (everything, probability, strict)]
    assert kept[0] > kept[1] >= kept[2]
    assert always.config.mask_threshold == 0.0 and always.checkpoint.config.mask_threshold == 0.0
    for bad in (0.0, 1.0, -0.2, 1.5):
        with pytest.raises(ReinforcedVLError, match="between 0 and 1"):
            always.segment("nodule", mask_threshold=bad)
