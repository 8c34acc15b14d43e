"""Building the training manifest from the shared data folder: every source, absent probes, fixed split."""

from __future__ import annotations

import random
from pathlib import Path

from .absent_triplets import absent_triplets
from .brats_triplets import brats_triplets
from .lidc_triplets import lidc_triplets
from .manifest import Triplet
from .totalsegmentator_triplets import totalsegmentator_triplets

__all__ = ["build_triplets"]


def build_triplets(data_root: str | Path, *, seed: int = 0) -> list[Triplet]:
    """All triplets of the sources found under ``data_root`` (LIDC, BraTS, TotalSegmentator), plus absent probes.

    The same data and seed always give the same manifest (wording is drawn from a seeded generator).
    """
    root = Path(data_root)
    rng = random.Random(seed)
    present: list[Triplet] = []
    if (root / "lidc_nodules").is_dir():
        present += lidc_triplets(root, rng)
    if (root / "brats2015").is_dir():
        present += brats_triplets(root, rng)
    if (root / "totalsegmentator_examples").is_dir():
        present += totalsegmentator_triplets(root, rng)
    if not present:
        raise FileNotFoundError(f"{root} holds none of lidc_nodules, brats2015, totalsegmentator_examples")
    return present + absent_triplets(present, rng)
