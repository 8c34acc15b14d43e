"""Findings asked about where they cannot be, on purpose: brain-tumour prompts on chest crops and abdomens, nodule
and organ prompts on brains. They teach the existence head to answer "not present"."""

from __future__ import annotations

import random
from collections.abc import Iterable

from .manifest import Triplet
from .phrasing import ABSENT_PROBES, pick_distinct

__all__ = ["absent_triplets"]

# Which probes are impossible in which source.
_IMPOSSIBLE = {
    "lidc": ("brain", "abdomen"),
    "brats": ("lung", "abdomen"),
    "totalsegmentator": ("brain",),
}


def absent_triplets(present: Iterable[Triplet], rng: random.Random, per_probe: int = 3) -> list[Triplet]:
    """For every study among ``present`` (once per study), one absent triplet per impossible probe region."""
    triplets = []
    seen: set[tuple[str, ...]] = set()
    for triplet in present:
        if triplet.images in seen:
            continue
        seen.add(triplet.images)
        study = triplet.id.rsplit("/", 1)[0] if triplet.source != "lidc" else triplet.id
        for region in _IMPOSSIBLE[triplet.source]:
            triplets.append(
                Triplet(
                    id=f"{study}/absent-{region}",
                    source=triplet.source,
                    patient=triplet.patient,
                    split=triplet.split,
                    modality=triplet.modality,
                    images=triplet.images,
                    mask=triplet.mask,  # the study's own mask: same prepared study as its present triplets
                    labels=(),
                    present=False,
                    finding=f"{region} finding",
                    descriptions=pick_distinct(rng, list(ABSENT_PROBES[region]), per_probe),
                )
            )
    return triplets
