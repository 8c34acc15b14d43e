"""BraTS 2015 brain tumours: one triplet per case and sub-region (and the unions), FLAIR and T1c channels.

Split: pat0001 is the dev case (it has every sub-region in typical proportions); pat0002-pat0004 train.
"""

from __future__ import annotations

import random
from pathlib import Path

from ..io import read_label_map
from .manifest import Triplet
from .phrasing import BRAIN_SUBREGIONS, pick_distinct

__all__ = ["brats_triplets", "BRATS_DEV_CASES"]

FOLDER = "brats2015"
BRATS_DEV_CASES = ("brats_2013_pat0001_1",)
CHANNELS = ("Flair_subtrMeanDivStd.nii.gz", "T1c_subtrMeanDivStd.nii.gz")
LABELS = "OTMultiClass.nii.gz"


def brats_triplets(root: Path, rng: random.Random, per_region: int = 4) -> list[Triplet]:
    """A triplet for every sub-region present in every case of ``root/brats2015``."""
    triplets = []
    for case in sorted((root / FOLDER).glob("brats_*")):
        present_labels = set(read_label_map(case / LABELS).labels.tolist())
        for finding, (labels, phrasings) in BRAIN_SUBREGIONS.items():
            if not present_labels.intersection(labels):
                continue
            triplets.append(
                Triplet(
                    id=f"brats/{case.name}/{finding.replace(' ', '-')}",
                    source="brats",
                    patient=case.name,
                    split="dev" if case.name in BRATS_DEV_CASES else "train",
                    modality="MR",
                    images=tuple(f"{FOLDER}/{case.name}/{channel}" for channel in CHANNELS),
                    mask=f"{FOLDER}/{case.name}/{LABELS}",
                    labels=labels,
                    present=True,
                    finding=finding,
                    descriptions=pick_distinct(rng, list(phrasings), per_region),
                )
            )
    return triplets
