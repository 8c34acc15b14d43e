"""TotalSegmentator examples: organ prompts on real CT and MR anatomy (labels are that model's output, not expert
ground truth). Split: the small CT example is dev; the MR example and the DICOM CT train."""

from __future__ import annotations

import random
from pathlib import Path

from ..io import read_label_map
from .manifest import Triplet
from .phrasing import ORGAN_NAMES, pick_distinct

__all__ = ["totalsegmentator_triplets", "TOTALSEGMENTATOR_VOLUMES"]

FOLDER = "totalsegmentator_examples"

# (volume id, image, label map, modality, split)
TOTALSEGMENTATOR_VOLUMES = (
    ("ct-small", "example_ct_sm.nii.gz", "example_seg.nii.gz", "CT", "dev"),
    ("mr-small", "example_mr_sm.nii.gz", "example_seg_mr.nii.gz", "MR", "train"),
    ("ct-dicom", "ct_dicom", "example_seg_dicom.nii.gz", "CT", "train"),
)


def totalsegmentator_triplets(root: Path, rng: random.Random, per_organ: int = 3) -> list[Triplet]:
    """One triplet per organ of :data:`ORGAN_NAMES` present in each example's label map."""
    triplets = []
    for volume_id, image, labels, modality, split in TOTALSEGMENTATOR_VOLUMES:
        present = set(read_label_map(root / FOLDER / labels).labels.tolist())
        for value, names in ORGAN_NAMES.items():
            if value not in present:
                continue
            triplets.append(
                Triplet(
                    id=f"totalseg/{volume_id}/{names[0].replace(' ', '-')}",
                    source="totalsegmentator",
                    patient=volume_id,
                    split=split,  # type: ignore[arg-type]
                    modality=modality,
                    images=(f"{FOLDER}/{image}",),
                    mask=f"{FOLDER}/{labels}",
                    labels=(value,),
                    present=True,
                    finding=names[0],
                    descriptions=pick_distinct(rng, list(names), per_organ),
                )
            )
    return triplets
