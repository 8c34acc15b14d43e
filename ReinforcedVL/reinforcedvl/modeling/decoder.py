"""The text-conditioned decoder: climbs back to full resolution, grounded by the language at every level.

At the levels named in the configuration a :class:`SelfReinforcingCorrelation` block refines vision and language
together (coarse to fine, so the text refined at one level informs the next); at the other levels the sentence
embedding modulates the features (FiLM). The mask is the similarity between a per-voxel embedding and the refined
text.

Decoding is split where the method allows: :meth:`TextConditionedDecoder.image_terms` does the prompt-independent
part once per window (each skip connection's share of its up block's first convolution); for each prompt,
:meth:`~TextConditionedDecoder.ground` climbs through the finest correlation level (after which the language, the
evidence and the existence answer are final) and :meth:`~TextConditionedDecoder.outline` climbs the remaining,
finer levels to the mask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from .correlation import CorrelationOutput, SelfReinforcingCorrelation, masked_mean
from .up_block import SplitUpBlock

__all__ = ["Grounding", "TextConditionedDecoder"]

_NORM = ("instance", {"affine": True})
_ACTIVATION = ("leakyrelu", {"negative_slope": 0.01, "inplace": True})


@dataclass
class Grounding:
    """The decoder's state once the language is grounded (after the finest correlation level).

    Attributes:
        visual: ``(B, C, x, y, z)`` features at the finest correlation level, where :meth:`outline` resumes.
        sentence: the refined sentence embedding ``(B, D)``; it no longer changes.
        correlations: one :class:`CorrelationOutput` per correlation level, coarsest first.
    """

    visual: torch.Tensor
    sentence: torch.Tensor
    correlations: list[CorrelationOutput]


class _FiLM(nn.Module):
    """Feature-wise scale and shift of visual features by the sentence embedding."""

    def __init__(self, channels: int, embed_dim: int) -> None:
        super().__init__()
        self.project = nn.Linear(embed_dim, 2 * channels)
        nn.init.zeros_(self.project.weight)
        nn.init.zeros_(self.project.bias)

    def forward(self, visual: torch.Tensor, sentence: torch.Tensor) -> torch.Tensor:
        scale, shift = self.project(sentence).chunk(2, dim=-1)
        return visual * (1 + scale[..., None, None, None]) + shift[..., None, None, None]


class TextConditionedDecoder(nn.Module):
    """U-Net decoder with skip connections, language-conditioned at every level."""

    def __init__(
        self,
        *,
        encoder_channels: tuple[int, ...],
        correlation_levels: tuple[int, ...],
        embed_dim: int,
        num_heads: int,
        correlation_steps: int,
        voxel_embed_dim: int,
    ) -> None:
        super().__init__()
        self.correlation_levels = correlation_levels
        self.correlations = nn.ModuleDict(
            {
                str(level): SelfReinforcingCorrelation(
                    visual_channels=encoder_channels[level],
                    embed_dim=embed_dim,
                    num_heads=num_heads,
                    steps=correlation_steps,
                )
                for level in correlation_levels
            }
        )
        self.films = nn.ModuleDict(
            {
                str(level): _FiLM(encoder_channels[level], embed_dim)
                for level in range(len(encoder_channels))
                if level not in correlation_levels
            }
        )
        self.up_blocks = nn.ModuleList(
            SplitUpBlock(
                spatial_dims=3,
                in_channels=encoder_channels[level + 1],
                out_channels=encoder_channels[level],
                kernel_size=3,
                stride=1,
                upsample_kernel_size=2,
                norm_name=_NORM,
                act_name=_ACTIVATION,
            )
            for level in range(len(encoder_channels) - 1)
        )
        self.voxel_embedding = nn.Conv3d(encoder_channels[0], voxel_embed_dim, kernel_size=1)
        self.text_key = nn.Linear(embed_dim, voxel_embed_dim)
        self.mask_bias = nn.Parameter(torch.zeros(1))

    def image_terms(self, features: list[torch.Tensor]) -> list[torch.Tensor]:
        """The prompt-independent part of decoding encoder ``features`` (finest first): each skip level's share of
        its up block's first convolution, then the deepest features as they are. Same shapes as ``features``."""
        shares = [block.skip_share(skip) for block, skip in zip(self.up_blocks, features[:-1], strict=True)]
        return [*shares, features[-1]]

    def ground(self, image_terms: list[torch.Tensor], text: torch.Tensor, text_mask: torch.Tensor) -> Grounding:
        """Climb from the deepest level through the finest correlation level, refining vision and language."""
        correlations: list[CorrelationOutput] = []
        visual = image_terms[-1]
        for level in range(len(image_terms) - 1, self.correlation_levels[-1] - 1, -1):
            if level < len(image_terms) - 1:
                visual = self.up_blocks[level].climb(visual, image_terms[level])
            if level in self.correlation_levels:
                result = self.correlations[str(level)](visual, text, text_mask)
                visual, text = result.visual, result.text
                correlations.append(result)
            else:
                visual = self.films[str(level)](visual, masked_mean(text, text_mask))
        return Grounding(visual, masked_mean(text, text_mask), correlations)

    def outline(self, image_terms: list[torch.Tensor], visual: torch.Tensor, sentence: torch.Tensor) -> torch.Tensor:
        """Mask logits ``(B, 1, X, Y, Z)``: climb from a :class:`Grounding`'s ``visual`` to full resolution,
        each level modulated by the ``sentence``."""
        for level in reversed(range(self.correlation_levels[-1])):
            visual = self.films[str(level)](self.up_blocks[level].climb(visual, image_terms[level]), sentence)
        return self._mask_logits(visual, sentence)

    def _mask_logits(self, visual: torch.Tensor, sentence: torch.Tensor) -> torch.Tensor:
        """Scaled dot product of each voxel's embedding (a 1x1 convolution of ``visual``) with the sentence's key.

        The embedding is linear in ``visual``, so ``<W v + b, k> = <W^T k, v> + <b, k>``: the product is taken with
        the key mapped back to the visual channels, without making the ``(B, E, X, Y, Z)`` embeddings.
        """
        key = self.text_key(sentence) / math.sqrt(self.text_key.out_features)
        weights = key @ self.voxel_embedding.weight.flatten(1)
        offset = key @ self.voxel_embedding.bias + self.mask_bias
        logits = torch.einsum("bcxyz,bc->bxyz", visual, weights) + offset[:, None, None, None]
        return logits.unsqueeze(1)
