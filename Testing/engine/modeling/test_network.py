"""The network's parts and their composition: shapes, the K-step loop, evidence maps, the encode/decode split."""

from __future__ import annotations

import pytest
import torch

from reinforcedvl.modeling import ModelConfig, build_network
from reinforcedvl.modeling.correlation import SelfReinforcingCorrelation, masked_mean

SMALL = dict(
    encoder_channels=(8, 16, 32, 64),
    embed_dim=32,
    attention_heads=4,
    window_size=(32, 32, 32),
    min_window_size=(16, 16, 16),
)

LOOP_CASES = [
    # K, correlation levels, expected number of evidence maps
    (0, (3, 2), 2),
    (1, (3, 2), 2),
    (2, (3, 2), 4),
    (3, (3, 2, 1), 9),
]


def _inputs(batch=2, tokens=5):
    torch.manual_seed(0)
    image = torch.randn(batch, 2, 32, 32, 32)
    states = torch.randn(batch, tokens, 384)
    mask = torch.ones(batch, tokens, dtype=torch.bool)
    mask[-1, 3:] = False
    return image, states, mask


@pytest.mark.parametrize("steps, levels, maps", LOOP_CASES)
def test_outputs_and_evidence_maps_per_step_and_level(steps, levels, maps):
    network = build_network(ModelConfig(**SMALL, correlation_steps=steps, correlation_levels=levels)).eval()
    image, states, mask = _inputs()
    with torch.no_grad():
        output = network(image, states, mask)
    assert output.mask_logits.shape == (2, 1, 32, 32, 32)
    assert output.existence_logits.shape == (2,)
    assert len(output.attention_maps) == maps
    coarse, fine = output.attention_maps[0], output.attention_maps[-1]
    assert coarse.shape == (2, 1, 4, 4, 4)
    assert fine.shape[2:] == (32 // 2 ** levels[-1],) * 3
    assert all(float(m.min()) >= 0.0 and float(m.max()) <= 1.0 for m in output.attention_maps)
    assert output.visual_embedding.shape[:2] == (2, 32)


def test_k0_never_lets_vision_change_the_language():
    block = SelfReinforcingCorrelation(visual_channels=16, embed_dim=32, num_heads=4, steps=0)
    text = torch.randn(1, 4, 32)
    out = block(torch.randn(1, 16, 6, 6, 6), text, torch.ones(1, 4, dtype=torch.bool))
    torch.testing.assert_close(out.text, text)
    assert len(out.attention_maps) == 1


def test_with_k_steps_the_image_informs_the_language():
    torch.manual_seed(1)
    block = SelfReinforcingCorrelation(visual_channels=16, embed_dim=32, num_heads=4, steps=2).eval()
    text, mask = torch.randn(1, 4, 32), torch.ones(1, 4, dtype=torch.bool)
    first = block(torch.randn(1, 16, 6, 6, 6), text, mask).text
    second = block(torch.randn(1, 16, 6, 6, 6), text, mask).text
    assert not torch.allclose(first, second)
    assert not torch.allclose(first, text)


def test_padding_tokens_do_not_change_the_answer():
    network = build_network(ModelConfig(**SMALL)).eval()
    image, states, _ = _inputs(batch=1, tokens=4)
    padded_states = torch.cat([states, torch.randn(1, 3, 384)], dim=1)
    padded_mask = torch.tensor([[True] * 4 + [False] * 3])
    with torch.no_grad():
        plain = network(image, states, torch.ones(1, 4, dtype=torch.bool))
        padded = network(image, padded_states, padded_mask)
    torch.testing.assert_close(plain.mask_logits, padded.mask_logits, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(plain.existence_logits, padded.existence_logits, atol=1e-4, rtol=1e-4)


def test_decoding_cached_features_equals_a_full_pass():
    network = build_network(ModelConfig(**SMALL)).eval()
    image, states, mask = _inputs()
    with torch.no_grad():
        features = network.encode_image(image)
        torch.testing.assert_close(
            network.decode(features, states, mask).mask_logits, network(image, states, mask).mask_logits
        )


def test_masked_mean_ignores_padding():
    tokens = torch.tensor([[[1.0], [3.0], [100.0]]])
    assert masked_mean(tokens, torch.tensor([[True, True, False]])).item() == pytest.approx(2.0)


def test_gradients_reach_every_trainable_part():
    network = build_network(ModelConfig(**SMALL))
    image, states, mask = _inputs()
    output = network(image, states, mask)
    (output.mask_logits.mean() + output.existence_logits.mean()).backward()
    without_gradient = [name for name, p in network.named_parameters() if p.grad is None]
    assert without_gradient == []


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(correlation_levels=(4,)), "encoder levels"),
        (dict(correlation_levels=(2, 3)), "coarse to fine"),
        (dict(correlation_steps=-1), "0 or more"),
        (dict(window_size=(30, 32, 32)), "multiple of 8"),
    ],
)
def test_config_refuses_impossible_settings(changes, message):
    with pytest.raises(ValueError, match=message):
        ModelConfig(**{**SMALL, **changes})


def test_config_round_trips_through_json_types():
    config = ModelConfig(**SMALL, correlation_steps=3)
    as_json = {k: list(v) if isinstance(v, tuple) else v for k, v in config.to_dict().items()}
    assert ModelConfig.from_dict(as_json) == config
    with pytest.raises(ValueError, match="newer ReinforcedVL"):
        ModelConfig.from_dict({**as_json, "future_setting": 1})


@pytest.mark.parametrize("channels", [1, 2, 4])
def test_the_encoders_first_convolution_pads_few_channels_without_changing_the_result(channels):
    network = build_network(ModelConfig(**{**SMALL, "in_channels": channels})).eval()
    first = network.vision_encoder.stages[0].conv1.conv
    image = torch.randn(1, channels, 84, 84, 8)  # 3 x 84 x 84 channel-rows: past PyTorch's oneDNN threshold
    with torch.no_grad(), torch.profiler.profile() as profile:
        padded = first(image)
    assert "aten::slow_conv3d_forward" not in {event.key for event in profile.key_averages()}
    with torch.no_grad():
        plain = torch.nn.functional.conv3d(image, first.weight, first.bias, first.stride, first.padding)
    torch.testing.assert_close(padded, plain, atol=1e-5, rtol=1e-5)
    assert first.weight.shape[1] == channels  # the parameters (and so checkpoints) keep the true channel count
