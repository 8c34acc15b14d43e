"""The training objective of DESIGN.md: Dice + cross-entropy on the mask, cross-entropy on existence, supervision of
the attention maps by the mask, a region-text contrastive term, and (paraphrase training) a consistency term between
two phrasings of one question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from monai.losses import DiceLoss

from ..modeling import NetworkOutput
from .paraphrases import paraphrase_consistency

__all__ = ["LossWeights", "training_losses"]

_CONTRASTIVE_TEMPERATURE = 0.07
_dice = DiceLoss(sigmoid=True, reduction="none")


@dataclass(frozen=True)
class LossWeights:
    """Weights of the terms; the mask term (Dice + cross-entropy) has weight 1."""

    existence: float = 0.5
    attention: float = 0.2
    contrastive: float = 0.1
    consistency: float = 0.0
    """Weight of the paraphrase consistency term (0: not in the total; it is still reported when pairs are given)."""


def training_losses(
    output: NetworkOutput,
    mask: torch.Tensor,
    present: torch.Tensor,
    findings: Sequence[str],
    weights: LossWeights = LossWeights(),
    pairs: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """Every loss term and their weighted ``total``.

    Args:
        output: the network's answer for a batch.
        mask: target ``(B, 1, X, Y, Z)`` in {0, 1} (all zero where the finding is absent from the patch).
        present: ``(B,)`` bool, the finding is in the patch.
        findings: the finding each item asks about; items with the same finding are positives of each other in
            the contrastive term.
        pairs: ``(P, 2)`` rows asking the same question in two phrasings (see
            :func:`~reinforcedvl.training.paraphrases.paraphrase_consistency`); None or empty: no consistency term.
    """
    logits = output.mask_logits.float()
    cross_entropy = F.binary_cross_entropy_with_logits(logits, mask)
    dice = _dice(logits[present], mask[present]).mean() if present.any() else logits.sum() * 0.0
    existence = F.binary_cross_entropy_with_logits(output.existence_logits.float(), present.float())
    attention = torch.stack([_attention_loss(m.float(), mask) for m in output.attention_maps]).mean()
    contrastive = _region_text_contrast(output, mask, present, findings)
    total = cross_entropy + dice + weights.existence * existence + weights.attention * attention
    total = total + weights.contrastive * contrastive
    terms = {}
    if pairs is not None and pairs.numel():
        consistency = paraphrase_consistency(output.mask_logits, output.existence_logits, pairs.to(logits.device))
        total = total + weights.consistency * consistency
        terms["paraphrase_consistency"] = consistency
    return {
        "total": total,
        "mask_cross_entropy": cross_entropy,
        "mask_dice": dice,
        "existence": existence,
        "attention": attention,
        "contrastive": contrastive,
        **terms,
    }


def _attention_loss(attention: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Cross-entropy between an attention map and the fraction of each of its cells the finding fills."""
    target = F.adaptive_avg_pool3d(mask, attention.shape[2:])
    return F.binary_cross_entropy(attention.clamp(1e-6, 1 - 1e-6), target)


def _region_text_contrast(
    output: NetworkOutput, mask: torch.Tensor, present: torch.Tensor, findings: Sequence[str]
) -> torch.Tensor:
    """InfoNCE pulling each finding's mask-pooled visual embedding toward its own description's embedding."""
    rows = torch.nonzero(present).flatten()
    if len(rows) < 2:
        return output.text_embedding.float().sum() * 0.0
    embedding = output.visual_embedding.float()[rows]
    weights = F.adaptive_avg_pool3d(mask[rows], embedding.shape[2:])
    regions = (embedding * weights).flatten(2).sum(-1) / weights.flatten(2).sum(-1).clamp_min(1e-6)
    texts = output.text_embedding.float()[rows]
    similarity = F.normalize(regions, dim=-1) @ F.normalize(texts, dim=-1).T / _CONTRASTIVE_TEMPERATURE
    names = [findings[int(i)] for i in rows]
    positive = torch.tensor([[a == b for b in names] for a in names], device=similarity.device)
    log_probability = similarity.log_softmax(dim=-1)
    return -(log_probability * positive).sum(-1).div(positive.sum(-1)).mean()
