"""ReinforcedVLNet: the network composed from its parts (vision encoder, text projection, decoder with the
correlation loop, existence head)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .decoder import TextConditionedDecoder
from .existence_head import ExistenceHead
from .vision_encoder import VisionEncoder

__all__ = ["GroundedPrompt", "NetworkOutput", "TextProjection", "ReinforcedVLNet"]


@dataclass
class GroundedPrompt:
    """A batch of (image window, prompt) pairs once the prompt is grounded: everything but the mask.

    Attributes:
        existence_logits: ``(B,)`` logits that the finding is present in the window.
        attention_maps: the evidence, coarse level first, step by step: ``(B, 1, x, y, z)`` each, in [0, 1].
        text_embedding: refined sentence embedding ``(B, D)``.
        visual_embedding: joint-space visual features at the finest correlation level ``(B, D, x, y, z)``.
        decoder_features: the decoder's features at the finest correlation level, where
            :meth:`ReinforcedVLNet.outline` resumes.
    """

    existence_logits: torch.Tensor
    attention_maps: list[torch.Tensor]
    text_embedding: torch.Tensor
    visual_embedding: torch.Tensor
    decoder_features: torch.Tensor


@dataclass
class NetworkOutput(GroundedPrompt):
    """What one forward pass returns: the grounded prompt and ``mask_logits`` ``(B, 1, X, Y, Z)``, the finding-mask
    logits at the input resolution."""

    mask_logits: torch.Tensor


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
        grounded = self.ground(features, text_states, text_mask)
        mask_logits = self.outline(features, grounded.decoder_features, grounded.text_embedding)
        return NetworkOutput(**grounded.__dict__, mask_logits=mask_logits)

    def ground(
        self, features: list[torch.Tensor], text_states: torch.Tensor, text_mask: torch.Tensor
    ) -> GroundedPrompt:
        """The first part of :meth:`decode`: the existence answer and the evidence, without the mask (the cheaper
        part: it stops at the finest correlation level)."""
        grounding = self.decoder.ground(features, self.text_projection(text_states), text_mask)
        return GroundedPrompt(
            existence_logits=self.existence_head(grounding.correlations[0], grounding.sentence),
            attention_maps=[m for c in grounding.correlations for m in c.attention_maps],
            text_embedding=grounding.sentence,
            visual_embedding=grounding.correlations[-1].visual_embedding,
            decoder_features=grounding.visual,
        )

    def outline(
        self, features: list[torch.Tensor], decoder_features: torch.Tensor, text_embedding: torch.Tensor
    ) -> torch.Tensor:
        """The rest of :meth:`decode`: mask logits from a :class:`GroundedPrompt`'s ``decoder_features`` and
        ``text_embedding`` on the same encoded windows."""
        return self.decoder.outline(features, decoder_features, text_embedding)

    def forward(self, image: torch.Tensor, text_states: torch.Tensor, text_mask: torch.Tensor) -> NetworkOutput:
        return self.decode(self.encode_image(image), text_states, text_mask)
