"""The decoder's split (skip shares once per window; grounding, then outlining, per prompt) computes what the plain
U-Net decoder computes: MONAI's UnetUpBlock on concatenated skips and explicit per-voxel embeddings, with the
shipped weights."""

from __future__ import annotations

import math

import torch
from monai.networks.blocks import UnetUpBlock

from reinforcedvl.model_store.checkpoint import load_network
from reinforcedvl.model_store.registry import resolve_checkpoint
from reinforcedvl.modeling.correlation import masked_mean
from reinforcedvl.modeling.decoder import TextConditionedDecoder
from reinforcedvl.modeling.up_block import SplitUpBlock


def _plain_decoder_logits(decoder: TextConditionedDecoder, features, text, text_mask) -> torch.Tensor:
    """The decoder written as a plain U-Net: each up block on [upsampled, skip], then the voxel embeddings."""
    visual = features[-1]
    for level in reversed(range(len(features))):
        if level < len(features) - 1:
            visual = UnetUpBlock.forward(decoder.up_blocks[level], visual, features[level])
        if level in decoder.correlation_levels:
            result = decoder.correlations[str(level)](visual, text, text_mask)
            visual, text = result.visual, result.text
        else:
            visual = decoder.films[str(level)](visual, masked_mean(text, text_mask))
    voxels = decoder.voxel_embedding(visual)
    key = decoder.text_key(masked_mean(text, text_mask))
    logits = torch.einsum("bexyz,be->bxyz", voxels, key).unsqueeze(1) / math.sqrt(key.shape[-1])
    return logits + decoder.mask_bias


def test_split_up_block_equals_monai_up_block():
    torch.manual_seed(0)
    block = SplitUpBlock(
        spatial_dims=3,
        in_channels=12,
        out_channels=6,
        kernel_size=3,
        stride=1,
        upsample_kernel_size=2,
        norm_name=("instance", {"affine": True}),
        act_name=("leakyrelu", {"negative_slope": 0.01, "inplace": True}),
    ).eval()
    deeper, skip = torch.randn(2, 12, 5, 6, 7), torch.randn(2, 6, 10, 12, 14)
    with torch.no_grad():
        plain = UnetUpBlock.forward(block, deeper, skip)
        split = block.climb(deeper, block.skip_share(skip))
    assert split.shape == plain.shape == (2, 6, 10, 12, 14)
    torch.testing.assert_close(split, plain, atol=1e-5, rtol=1e-5)


def test_shipped_starter_decodes_as_the_plain_unet():
    network = load_network(resolve_checkpoint("reinforcedvl-starter"), torch.device("cpu")).eval()
    torch.manual_seed(1)
    image = torch.randn(1, 2, 32, 32, 32)
    text = network.text_projection(torch.randn(1, 6, 384))
    mask = torch.ones(1, 6, dtype=torch.bool)
    with torch.no_grad():
        features = network.vision_encoder(image)
        plain = _plain_decoder_logits(network.decoder, features, text, mask)
        terms = network.decoder.image_terms(features)
        grounding = network.decoder.ground(terms, text, mask)
        split = network.decoder.outline(terms, grounding.visual, grounding.sentence)
    assert plain.std() > 0.1  # real weights give a mask that varies over the window
    torch.testing.assert_close(split, plain, atol=1e-4, rtol=1e-4)
