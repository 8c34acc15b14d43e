"""ReinforcedVLNet: the network composed from its parts (vision encoder, text projection, decoder with the
correlation loop, existence head)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .decoder import TextConditionedDecoder
from .existence_head import ExistenceHead
from .vision_encoder import VisionEncoder

__all__ = ["NetworkOutput", "TextProjection", "ReinforcedVLNet"]


@dataclass
class NetworkOutput:
    """What one forward pass returns for a batch of (image window, prompt) pairs.

    Attributes:
        mask_logits: ``(B, 1, X, Y, Z)`` finding-mask logits at the input resolution.
        existence_logits: ``(B,)`` logits that the finding is present in the window.
        attention_maps: the evidence, coarse level first, step by step: ``(B, 1, x, y, z)`` each, in [0, 1].
        text_embedding: refined sentence embedding ``(B, D)``.
        visual_embedding: joint-space visual features at the finest correlation level ``(B, D, x, y, z)``.
    """

    mask_logits: torch.Tensor
    existence_logits: torch.Tensor
    attention_maps: list[torch.Tensor]
    text_embedding: torch.Tensor
    visual_embedding: torch.Tensor


class TextProjection(nn.Module):
    """Maps the frozen text encoder's token states into the joint vision-language space."""

    def __init__(self, *, text_dim: int, embed_dim: int) -> None:
        super().__init__()
        self.project = nn.Sequential(nn.Linear(text_dim, embed_dim), nn.LayerNorm(embed_dim))

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        return self.project(states)


class ReinforcedVLNet(nn.Module):
    """Text-prompted 3D segmentation with an explicit existence answer and evidence maps.

    The expensive, prompt-independent part (:meth:`encode_image`) is separate from the per-prompt part
    (:meth:`decode`), so one volume can be asked about many findings.
    """

    def __init__(
        self,
        *,
        vision_encoder: VisionEncoder,
        text_projection: TextProjection,
        decoder: TextConditionedDecoder,
        existence_head: ExistenceHead,
    ) -> None:
        super().__init__()
        self.vision_encoder = vision_encoder
        self.text_projection = text_projection
        self.decoder = decoder
        self.existence_head = existence_head

    def encode_image(self, image: torch.Tensor) -> list[torch.Tensor]:
        """Everything about image windows ``(B, C, X, Y, Z)`` that no prompt changes, finest level first: the
        decoder's image terms of the multi-scale encoder features."""
        return self.decoder.image_terms(self.vision_encoder(image))

    def decode(self, features: list[torch.Tensor], text_states: torch.Tensor, text_mask: torch.Tensor) -> NetworkOutput:
        """Answer prompts (token states ``(B, L, text_dim)``, mask ``(B, L)``) on encoded windows."""
        decoded = self.decoder(features, self.text_projection(text_states), text_mask)
        coarsest = decoded.correlations[0]
        finest = decoded.correlations[-1]
        return NetworkOutput(
            mask_logits=decoded.mask_logits,
            existence_logits=self.existence_head(coarsest, decoded.text_embedding),
            attention_maps=[m for c in decoded.correlations for m in c.attention_maps],
            text_embedding=decoded.text_embedding,
            visual_embedding=finest.visual_embedding,
        )

    def forward(self, image: torch.Tensor, text_states: torch.Tensor, text_mask: torch.Tensor) -> NetworkOutput:
        return self.decode(self.encode_image(image), text_states, text_mask)
