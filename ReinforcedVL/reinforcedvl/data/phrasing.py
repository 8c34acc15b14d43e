"""Ways radiologists write the same finding: synonyms, word order, attributes or none, British or American spelling.

Every builder draws its descriptions from here, so free text typed in the Slicer panel meets the variety the model
was trained on. Choices are made by a seeded generator: the same data always gives the same manifest.
"""

from __future__ import annotations

import random
import re

__all__ = ["spelling_variant", "pick_distinct", "LUNG_NODULE_NOUNS", "BRAIN_SUBREGIONS", "ORGAN_NAMES", "ABSENT_PROBES"]

_BRITISH_TO_AMERICAN = {
    "tumour": "tumor",
    "tumours": "tumors",
    "oedema": "edema",
    "haemorrhage": "hemorrhage",
    "oesophagus": "esophagus",
    "peritumoural": "peritumoral",
}

LUNG_NODULE_NOUNS = ("nodule", "lung nodule", "pulmonary nodule", "nodular opacity", "lung lesion")

# BraTS 2015 labels: 1 necrosis, 2 oedema, 3 non-enhancing tumour, 4 enhancing tumour.
BRAIN_SUBREGIONS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "whole tumour": (
        (1, 2, 3, 4),
        (
            "whole tumour",
            "whole brain tumour",
            "entire tumour including oedema",
            "glioma with surrounding oedema",
            "brain tumour",
            "abnormal FLAIR hyperintense region",
            "tumour and peritumoral oedema",
        ),
    ),
    "tumour core": (
        (1, 3, 4),
        (
            "tumour core",
            "solid tumour core",
            "enhancing tumour and necrosis",
            "core of the glioma",
            "tumour core without oedema",
        ),
    ),
    "enhancing tumour": (
        (4,),
        (
            "enhancing tumour",
            "contrast-enhancing tumour",
            "enhancing rim of the tumour",
            "T1c enhancing lesion",
            "ring-enhancing tumour",
            "enhancing part of the glioma",
        ),
    ),
    "peritumoral oedema": (
        (2,),
        (
            "peritumoral oedema",
            "vasogenic oedema",
            "oedema around the tumour",
            "FLAIR hyperintense oedema",
            "surrounding brain oedema",
            "perilesional oedema",
        ),
    ),
    "necrotic tumour core": (
        (1,),
        (
            "necrotic tumour core",
            "necrosis",
            "central necrosis of the tumour",
            "necrotic core",
            "non-enhancing necrotic centre",
        ),
    ),
    "non-enhancing tumour": (
        (3,),
        ("non-enhancing tumour", "non-enhancing solid tumour", "non-enhancing tumour component"),
    ),
}

# TotalSegmentator class values (version 2 "total" and "total_mr" tasks agree on 1-7) and the words for them.
ORGAN_NAMES: dict[int, tuple[str, ...]] = {
    1: ("spleen", "the spleen", "splenic parenchyma"),
    2: ("right kidney", "the right kidney", "kidney on the right"),
    3: ("left kidney", "the left kidney", "kidney on the left"),
    4: ("gallbladder", "the gall bladder"),
    5: ("liver", "the liver", "hepatic parenchyma"),
    6: ("stomach", "the stomach"),
    7: ("pancreas", "the pancreas", "pancreatic parenchyma"),
}

# Findings asked about where they cannot be: the existence head must learn to answer "not present".
ABSENT_PROBES: dict[str, tuple[str, ...]] = {
    "brain": (
        "enhancing tumour",
        "peritumoral oedema",
        "whole brain tumour",
        "necrotic tumour core",
        "ring-enhancing glioma",
    ),
    "lung": (
        "solid lung nodule",
        "spiculated pulmonary nodule",
        "ground-glass nodule",
        "lung nodule",
        "part-solid nodule",
    ),
    "abdomen": ("liver", "spleen", "left kidney", "pancreas", "stomach"),
}


def spelling_variant(text: str, american: bool) -> str:
    """The text in American (``american`` True) or British spelling."""
    if not american:
        return text
    for british, us in _BRITISH_TO_AMERICAN.items():
        text = re.sub(rf"\b{british}\b", us, text)
    return text


def pick_distinct(rng: random.Random, candidates: list[str], count: int) -> tuple[str, ...]:
    """Up to ``count`` different candidates in a random order, each in British or American spelling at random."""
    unique = list(dict.fromkeys(candidates))
    rng.shuffle(unique)
    return tuple(dict.fromkeys(spelling_variant(text, rng.random() < 0.5) for text in unique[:count]))
