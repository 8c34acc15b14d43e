"""LIDC-IDRI nodules: descriptions from the radiologists' rating words and the measured size.

This is DESIGN.md's colour region description applied to training text: shape, margin, texture, size and location
(lung side, from the nodule's world coordinates) at several granularities, from a bare noun to a full phrase.
Split: a patient whose LIDC number is 3 modulo 8 is in the dev split (about one patient in eight).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from .manifest import Triplet
from .phrasing import LUNG_NODULE_NOUNS, pick_distinct

__all__ = ["lidc_triplets", "lidc_split", "nodule_phrasings"]

FOLDER = "lidc_nodules"
_DEV_REMAINDER = 3

_TEXTURE = {
    "Solid": ("solid",),
    "Solid/Mixed": ("mostly solid", "part-solid"),
    "Part Solid/Mixed": ("part-solid", "subsolid"),
    "Non-Solid/GGO": ("ground-glass", "non-solid"),
    "Non-Solid/Mixed": ("mostly ground-glass", "subsolid"),
}
_MARGIN = {
    "Sharp": ("well-defined", "sharply marginated"),
    "Near Sharp": ("well-defined", "smooth"),
    "Medium Margin": ("moderately defined",),
    "Near Poorly Defined": ("ill-defined", "poorly marginated"),
    "Poorly Defined": ("ill-defined", "poorly defined"),
}
_SHAPE = {
    "Round": ("round",),
    "Ovoid/Round": ("round", "roundish"),
    "Ovoid": ("ovoid", "oval"),
    "Ovoid/Linear": ("elongated",),
    "Linear": ("elongated", "linear"),
}
_MARKED = ("Medium", "Near Marked", "Marked")


def lidc_split(patient_id: str) -> str:
    return "dev" if int(patient_id.rsplit("-", 1)[-1]) % 8 == _DEV_REMAINDER else "train"


def nodule_phrasings(row: dict[str, str], rng: random.Random) -> list[str]:
    """Candidate descriptions of one nodule from its metadata row."""
    noun = rng.choice(LUNG_NODULE_NOUNS)
    bare_noun = rng.choice(("nodule", "nodular opacity", "lesion"))
    texture = rng.choice(_TEXTURE.get(row["Texture"], ("",)))
    margin = rng.choice(_MARGIN.get(row["Margin"], ("",)))
    shape = rng.choice(_SHAPE.get(row["Sphericity"], ("",)))
    spiculated = "spiculated" if row["Spiculation"].startswith(_MARKED) else ""
    lobulated = "lobulated" if row["Lobulation"].startswith(_MARKED) else ""
    calcified = "calcified" if row["Calcification"] != "Absent" else ""
    side = "left" if float(row["coordX"]) > 0 else "right"  # LPS: +x is the patient's left
    size = f"{float(row['diameter_mm']):.0f} mm"
    candidates = [
        f"{texture} {noun}",
        f"{size} {texture} {noun} in the {side} lung",
        f"{side} lung {bare_noun}, {texture}, {margin}",
        f"{spiculated} {lobulated} {shape} {texture} {noun} with {margin} margins",
        f"{margin} {shape} {noun} measuring {size}",
        f"{calcified} {texture} {noun}",
        noun,
    ]
    return [" ".join(text.replace(" ,", ",").split()) for text in candidates]


def lidc_triplets(root: Path, rng: random.Random, per_nodule: int = 4) -> list[Triplet]:
    """One present triplet per nodule with an image in ``root/lidc_nodules``."""
    folder = root / FOLDER
    triplets = []
    with open(folder / "metadata_by_nodule.csv", encoding="utf-8") as table:
        for row in csv.DictReader(table):
            name = f"{row['patient_id']}_R_{row['nodule_id']}.nii.gz"
            if not (folder / "image" / name).exists():
                continue
            triplets.append(
                Triplet(
                    id=f"lidc/{name.removesuffix('.nii.gz')}",
                    source="lidc",
                    patient=row["patient_id"],
                    split=lidc_split(row["patient_id"]),  # type: ignore[arg-type]
                    modality="CT",
                    images=(f"{FOLDER}/image/{name}",),
                    mask=f"{FOLDER}/nodule_mask/{name}",
                    labels=(1,),
                    present=True,
                    finding="lung nodule",
                    descriptions=pick_distinct(rng, nodule_phrasings(row, rng), per_nodule),
                )
            )
    return triplets
