"""Paraphrase training: the phrasings a finding may be asked in, and the consistency term between two of them.

Each training item can be asked twice, in two different phrasings of the same finding, drawn from the triplet's own
descriptions (the manifest's) and the phrasings the checkpoint's scope knows for that finding (its canonical name,
training and pick-list phrasings, in British and American spelling). Both are trained on the same target; the
consistency term penalises any difference between the two answers, so that the network, not only the scope gate in
front of it, answers by the meaning.
"""

from __future__ import annotations

import random

import torch

from ..data.manifest import Triplet
from ..data.phrasing import spelling_variant
from ..scope.finding_matcher import trained_phrasings

__all__ = ["phrasing_pool", "draw_phrasings", "paraphrase_consistency"]


def phrasing_pool(triplet: Triplet, scope_finding: str | None) -> tuple[str, ...]:
    """Every phrasing ``triplet`` may be asked in: its descriptions, and, when its finding is ``scope_finding`` (one
    of the checkpoint's declared findings; None: none), the scope's phrasings of it; each in both spellings."""
    texts = list(triplet.descriptions)
    if scope_finding is not None:
        texts += trained_phrasings(scope_finding)
    variants = [spelling_variant(text, american) for text in texts for american in (False, True)]
    return tuple(dict.fromkeys(variants))


def draw_phrasings(pool: tuple[str, ...], count: int, rng: random.Random) -> list[str]:
    """``count`` different phrasings of ``pool`` (repeating only when it holds fewer)."""
    if len(pool) >= count:
        return rng.sample(pool, count)
    return [pool[index % len(pool)] for index in range(count)]


def paraphrase_consistency(
    mask_logits: torch.Tensor, existence_logits: torch.Tensor, pairs: torch.Tensor
) -> torch.Tensor:
    """Symmetric Kullback-Leibler divergence between the answers to two phrasings of one question, averaged over
    the pairs: per voxel of the mask probabilities plus that of the existence probability.

    For Bernoulli distributions with probabilities p, q and logits a, b, KL(p||q) + KL(q||p) = (p - q)(a - b):
    zero exactly when the two answers agree, and its gradient reaches both phrasings.

    Args:
        mask_logits: ``(B, 1, X, Y, Z)``.
        existence_logits: ``(B,)``.
        pairs: ``(P, 2)`` rows of the batch asked the same finding of the same patch in different words.
    """
    if pairs.numel() == 0:
        return mask_logits.float().sum() * 0.0
    first, second = pairs[:, 0], pairs[:, 1]
    masks = mask_logits.float()
    voxelwise = (torch.sigmoid(masks[first]) - torch.sigmoid(masks[second])) * (masks[first] - masks[second])
    answers = existence_logits.float()
    answer = (torch.sigmoid(answers[first]) - torch.sigmoid(answers[second])) * (answers[first] - answers[second])
    return voxelwise.flatten(1).mean(1).mean() + answer.mean()
