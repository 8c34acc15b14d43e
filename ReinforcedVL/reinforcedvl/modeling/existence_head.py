"""The existence head: is the described finding in this window at all?

It reads the deepest correlation level after the loop: the visual embedding pooled under the language-guided
attention, the attention's peak and mean, and the refined sentence. An explicit "not present" needs this head:
a segmentation alone cannot tell a missed finding from an absent one.
"""

from __future__ import annotations

import torch
from torch import nn

from .correlation import CorrelationOutput

__all__ = ["ExistenceHead"]


class ExistenceHead(nn.Module):
    """MLP over attention-pooled visual evidence and the sentence embedding; returns one logit per item."""

    def __init__(self, *, embed_dim: int, hidden_dim: int = 128) -> None:
        super().__init__()
        self.classifier = nn.Sequential(nn.Linear(3 * embed_dim + 2, hidden_dim), nn.GELU(), nn.Linear(hidden_dim, 1))

    def forward(self, correlation: CorrelationOutput, sentence: torch.Tensor) -> torch.Tensor:
        """Existence logits ``(B,)`` from one level's correlation output and the sentence ``(B, D)``."""
        return self.classifier(self.evidence(correlation, sentence)).squeeze(-1)

    @staticmethod
    def evidence(correlation: CorrelationOutput, sentence: torch.Tensor) -> torch.Tensor:
        """What the classifier reads, ``(B, 3 D + 2)``: the attention-pooled visual embedding, the sentence, their
        product, and the attention's peak and mean."""
        attention = correlation.attention_maps[-1].flatten(2)  # B, 1, N
        embedding = correlation.visual_embedding.flatten(2)  # B, D, N
        pooled = (embedding * attention).sum(-1) / attention.sum(-1).clamp_min(1e-6)
        peak = attention.amax(-1)
        mean = attention.mean(-1)
        return torch.cat([pooled, sentence, pooled * sentence, peak, mean], dim=-1)
