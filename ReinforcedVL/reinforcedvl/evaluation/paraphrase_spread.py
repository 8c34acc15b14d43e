"""How much the network's answer depends on the wording: each dev case asked one finding in its canonical words and in
every held-out phrasing of ``paraphrase_sets.json``, with the scope gate's canonical mapping turned off (the raw
description reaches the network), as paraphrase training must change it.

Per case and finding: the spread of the existence probability over the phrasings (highest minus lowest), whether
every phrasing got the same verdict (present or absent), and the Dice of each phrasing's mask with the canonical
phrasing's mask (1 when both are empty).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data.manifest import Triplet, read_manifest
from ..io import read_image, read_label_map
from ..vocabulary import Modality
from ..volume import ScalarVolume
from .trust_matrix import PARAPHRASES_PATH

if TYPE_CHECKING:
    from ..predictor import Predictor

__all__ = ["SpreadCase", "dev_spread_cases", "held_out_phrasings", "measure_spread", "summarize_spread"]

BRATS_CROP_MM = 96
"""The BraTS dev brain is asked in one 96 mm cube around its tumour: the inference window, seconds per phrasing."""
_SIDES = ("left", "right")


@dataclass(frozen=True)
class SpreadCase:
    """One study (or crop) and the findings it is asked in every phrasing."""

    name: str
    volume: ScalarVolume
    modality: Modality
    findings: tuple[str, ...]


def held_out_phrasings(finding: str, *, without_sides: bool = False) -> list[str]:
    """The canonical words of ``finding`` first, then its held-out phrasings (optionally those naming no side: a
    side that is not the case's changes the right answer)."""
    sets = json.loads(PARAPHRASES_PATH.read_text(encoding="utf-8"))["findings"]
    phrasings = [p for p in sets[finding] if not (without_sides and any(s in p.split() for s in _SIDES))]
    return [finding, *phrasings]


def dev_spread_cases(manifest: Path, data_root: Path, *, lidc_limit: int) -> list[SpreadCase]:
    """The first ``lidc_limit`` LIDC dev nodule crops (by id), asked "lung nodule", and a 96 mm cube of every BraTS
    dev brain around its whole tumour, asked the six sub-regions."""
    dev = read_manifest(manifest, split="dev")
    lidc = sorted((t for t in dev if t.source == "lidc" and t.present), key=lambda t: t.id)[:lidc_limit]
    cases = [
        SpreadCase(t.id, read_image([data_root / p for p in t.images]), Modality.CT, ("lung nodule",)) for t in lidc
    ]
    brains: dict[tuple[str, ...], list[Triplet]] = {}
    for triplet in dev:
        if triplet.source == "brats" and triplet.present:
            brains.setdefault(triplet.images, []).append(triplet)
    for images, triplets in sorted(brains.items()):
        whole = next(t for t in triplets if t.finding == "whole tumour")
        volume = read_image([data_root / p for p in images])
        labels = read_label_map(data_root / whole.mask).array[0]
        box = _cube_around(np.isin(labels, whole.labels), volume, BRATS_CROP_MM)
        findings = tuple(t.finding for t in triplets)
        cases.append(SpreadCase(f"{whole.patient} (96 mm cube)", volume.crop(box), Modality.MR, findings))
    return cases


def measure_spread(
    predictor: Predictor, cases: Sequence[SpreadCase], progress: Callable[[str], None] | None = None
) -> list[dict[str, Any]]:
    """One row per case, finding and phrasing: the existence probability, the verdict, the mask's voxels and its
    Dice with the canonical phrasing's mask. The predictor's scope gate is set aside for the run; ``progress`` is
    told each case's name as it starts."""
    gate, predictor.scope_gate = predictor.scope_gate, None
    rows = []
    try:
        for case in cases:
            if progress is not None:
                progress(case.name)
            predictor.set_volume(case.volume, modality=case.modality)
            for finding in case.findings:
                reference = None
                for phrasing in held_out_phrasings(finding, without_sides=case.modality == Modality.CT):
                    result = predictor.segment(phrasing)
                    mask = result.lesion_map.array[0] > 0
                    reference = mask if reference is None else reference
                    rows.append(
                        {
                            "case": case.name,
                            "finding": finding,
                            "phrasing": phrasing,
                            "probability": round(float(result.present_probability), 4),
                            "judged_present": bool(result.judged_present),
                            "voxels": int(mask.sum()),
                            "dice_with_canonical": round(_dice(mask, reference), 4),
                        }
                    )
    finally:
        predictor.scope_gate = gate
        predictor.reset_volume()
    return rows


def summarize_spread(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per finding and over all: groups (case x finding), mean and largest existence spread, groups whose phrasings
    all got the same verdict, mean Dice with the canonical phrasing and the share of phrasings at 0.9 or more."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["finding"], row["case"]), []).append(row)

    def summary(selected: list[list[dict[str, Any]]]) -> dict[str, Any]:
        spreads = [max(r["probability"] for r in g) - min(r["probability"] for r in g) for g in selected]
        others = [r for g in selected for r in g[1:]]
        return {
            "groups": len(selected),
            "mean_spread": round(mean(spreads), 4),
            "max_spread": round(max(spreads), 4),
            "same_verdict": sum(len({r["judged_present"] for r in g}) == 1 for g in selected),
            "mean_dice_with_canonical": round(mean(r["dice_with_canonical"] for r in others), 4),
            "dice_at_least_0.9": round(mean(r["dice_with_canonical"] >= 0.9 for r in others), 4),
        }

    findings = sorted({finding for finding, _ in groups})
    per_finding = {f: summary([g for (finding, _), g in groups.items() if finding == f]) for f in findings}
    return {"findings": per_finding, "all": summary(list(groups.values()))}


def _cube_around(mask: np.ndarray, volume: ScalarVolume, size_mm: float) -> tuple[slice, slice, slice]:
    """Index ranges of a cube of ``size_mm`` centred on the mask's centre, kept inside the volume."""
    centre = np.argwhere(mask).mean(axis=0)
    box = []
    for c, spacing, extent in zip(centre, volume.spacing, volume.spatial_shape, strict=True):
        length = min(int(round(size_mm / spacing)), extent)
        start = int(np.clip(round(c - length / 2), 0, extent - length))
        box.append(slice(start, start + length))
    return box[0], box[1], box[2]


def _dice(a: np.ndarray, b: np.ndarray) -> float:
    total = int(a.sum()) + int(b.sum())
    return 1.0 if total == 0 else 2.0 * int(np.logical_and(a, b).sum()) / total
