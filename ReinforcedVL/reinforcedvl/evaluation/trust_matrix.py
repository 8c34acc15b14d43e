"""The whole-study trust matrix: every study at hand asked every trained finding (in several phrasings) and
findings of no trained family; one row per (study, description), summarised per study and family.

What a row is judged by: a finding whose family was trained in the study's true modality and region, and is not
withheld by the checkpoint (a family that failed evaluation), is *in scope* (it should be answered, ``present``
where the study's labels hold it); any other is *out of scope* and must be ``absent`` or ``not_assessed`` with no
lesion drawn.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..data.phrasing import BRAIN_SUBREGIONS, ORGAN_NAMES
from ..io import read_image, read_label_map
from ..io.resampling import resample_label_map
from ..predictor import FindingResult, Predictor
from ..scope import BodyRegion
from ..vocabulary import Modality

__all__ = [
    "TrustStudy",
    "PARAPHRASES_PATH",
    "discover_studies",
    "read_rows",
    "run_trust_matrix",
    "summarize_trust",
]

PARAPHRASES_PATH = Path(__file__).with_name("paraphrase_sets.json")
_ORGAN_LABELS = {names[0]: value for value, names in ORGAN_NAMES.items()}


@dataclass(frozen=True)
class TrustStudy:
    """A study of the matrix: its files, true modality and region, and the trained findings its labels hold."""

    name: str
    images: tuple[Path, ...]
    modality: Modality
    region: BodyRegion
    present_findings: frozenset[str]
    crop: bool = False


def discover_studies(data_root: Path, *, lidc_crops: int = 4) -> list[TrustStudy]:
    """Every whole study under ``data_root`` (BraTS brains, TotalSegmentator abdomens, the DICOM CTs) and the first
    ``lidc_crops`` dev-split LIDC nodule crops (sorted by name)."""
    studies = []
    for folder in sorted((data_root / "brats2015").glob("brats_*")):
        labels = read_label_map(folder / "OTMultiClass.nii.gz").array[0]
        present = frozenset(f for f, (values, _) in BRAIN_SUBREGIONS.items() if np.isin(labels, values).any())
        images = (folder / "Flair_subtrMeanDivStd.nii.gz", folder / "T1c_subtrMeanDivStd.nii.gz")
        studies.append(TrustStudy(folder.name, images, Modality.MR, BodyRegion.BRAIN, present))
    examples = data_root / "totalsegmentator_examples"
    for image, labels, modality in (
        ("example_ct_sm.nii.gz", "example_seg.nii.gz", Modality.CT),
        ("example_mr_sm.nii.gz", "example_seg_mr.nii.gz", Modality.MR),
        ("ct_dicom", "example_seg_dicom.nii.gz", Modality.CT),
    ):
        values = np.unique(read_label_map(examples / labels).array[0])
        present = frozenset(organ for organ, value in _ORGAN_LABELS.items() if value in values)
        studies.append(TrustStudy(image, (examples / image,), modality, BodyRegion.ABDOMEN, present))
    dcmqi = data_root / "dcmqi_dicom_seg"
    if (dcmqi / "ct-3slice").is_dir():
        # three slices through the liver dome, the heart and the lung bases: the liver is labelled
        studies.append(
            TrustStudy("ct-3slice", (dcmqi / "ct-3slice",), Modality.CT, BodyRegion.ABDOMEN, frozenset({"liver"}))
        )
    crops = sorted((data_root / "lidc_nodules" / "image").glob("*.nii.gz"))
    dev = _lidc_dev_patients()
    chosen = [p for p in crops if p.name.rsplit("_R_", 1)[0] in dev][:lidc_crops]
    for path in chosen:
        studies.append(
            TrustStudy(path.name, (path,), Modality.CT, BodyRegion.CHEST, frozenset({"lung nodule"}), crop=True)
        )
    return studies


def _lidc_dev_patients() -> set[str]:
    manifest = Path(__file__).resolve().parents[3] / "manifests" / "triplets.jsonl"
    if not manifest.is_file():
        return set()
    rows = (json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip())
    return {row["patient"] for row in rows if row["source"] == "lidc" and row["split"] == "dev"}


def matrix_prompts(phrasings_per_finding: int, out_of_scope: int) -> list[tuple[str, str | None]]:
    """(description, the trained finding it is written for, None for out-of-scope findings): each trained finding as
    trained plus ``phrasings_per_finding - 1`` held-out paraphrases, and ``out_of_scope`` untrained findings."""
    document = json.loads(PARAPHRASES_PATH.read_text(encoding="utf-8"))
    prompts: list[tuple[str, str | None]] = []
    for finding, paraphrases in document["findings"].items():
        prompts += [(text, finding) for text in [finding, *paraphrases][:phrasings_per_finding]]
    prompts += [(text, None) for text in document["out_of_scope"][:out_of_scope]]
    return prompts


def run_trust_matrix(
    studies: list[TrustStudy],
    predictor: Predictor,
    prompts: list[tuple[str, str | None]],
    progress: Callable[[str], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """One row per (study, description); rows are yielded as they are made so a long run can be watched.

    The network reads a matched description as its finding's canonical text, so two descriptions read as one finding
    get the same answer by construction (``Testing/engine/scope/test_three_answers.py`` checks it): the answer is
    computed once per study and finding and reused for the other phrasings.
    """
    scope = predictor.scope_gate.scope if predictor.scope_gate else None
    for study in studies:
        started = time.perf_counter()
        predictor.set_volume(read_image(list(study.images)), modality=study.modality)
        recognised = predictor.region
        labels = _reference(study, predictor)
        answers: dict[str, FindingResult] = {}
        for description, meant in prompts:
            family = scope.family_of(meant) if (scope and meant) else None
            in_scope = bool(
                family
                and not family.withheld
                and study.modality in family.modalities
                and study.region in family.regions
                and (study.crop or family.max_field_of_view_mm is None)
            )
            assessment = predictor.assess(description)
            read_as = assessment.finding if assessment is not None else None
            if read_as is not None and read_as in answers:
                result = answers[read_as]
            else:
                result = predictor.segment(description)
                if read_as is not None:
                    answers[read_as] = result
            row = {
                "study": study.name,
                "modality": study.modality.value,
                "region": study.region.value,
                "recognised_region": recognised.region.value if recognised else None,
                "description": description,
                "written_for": meant or "(untrained finding)",
                "family": family.family_id if family else "untrained",
                "in_scope": in_scope,
                "withheld": bool(family and family.withheld),
                "truth_present": bool(meant and meant in study.present_findings),
                "status": result.status.value,
                "read_as": result.finding,
                "probability": None if result.present_probability is None else round(result.present_probability, 4),
                "lesions": len(result.lesions),
                "reason": result.reason,
            }
            if labels is not None and meant in BRAIN_SUBREGIONS and result.lesions:
                from .overlap import dice

                row["dice"] = round(
                    dice(result.lesion_map.array[0] > 0, np.isin(labels, BRAIN_SUBREGIONS[meant][0])), 4
                )
            yield row
        if progress is not None:
            progress(f"{study.name}: {time.perf_counter() - started:.0f} s")
    predictor.reset_volume()


def _reference(study: TrustStudy, predictor: Predictor) -> np.ndarray | None:
    if study.region != BodyRegion.BRAIN:
        return None
    labels = read_label_map(study.images[0].parent / "OTMultiClass.nii.gz")
    return resample_label_map(labels, predictor.prepared_volume.volume).array[0]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a ``trust_rows.csv`` with their types back (booleans, numbers, None)."""
    import csv

    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for key in ("in_scope", "withheld", "truth_present"):
                row[key] = row[key] == "True"
            row["lesions"] = int(row["lesions"])
            row["probability"] = float(row["probability"]) if row["probability"] else None
            row["read_as"] = row["read_as"] or None
            rows.append(row)
    return rows


def summarize_trust(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's bars on the matrix, and one line per (study, family)."""
    out = [r for r in rows if not r["in_scope"]]
    inside_present = [r for r in rows if r["in_scope"] and r["truth_present"]]
    safe = [r for r in out if r["status"] in ("absent", "not_assessed") and r["lesions"] == 0]
    accepted = [r for r in inside_present if r["status"] == "present"]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["study"], row["family"]), []).append(row)
    consistency = _phrasing_consistency(rows)
    return {
        "prompts": len(rows),
        "out_of_scope_prompts": len(out),
        "out_of_scope_safe": round(len(safe) / len(out), 4) if out else None,
        "in_scope_present_prompts": len(inside_present),
        "in_scope_present_accepted": round(len(accepted) / len(inside_present), 4) if inside_present else None,
        "phrasing_groups": consistency["groups"],
        "phrasing_groups_same_status": consistency["same"],
        "region_correct": _region_accuracy(rows),
        "per_study_family": [
            {
                "study": study,
                "family": family,
                "in_scope": group[0]["in_scope"],
                "answers": _count(r["status"] for r in group),
                "max_probability": max((r["probability"] for r in group if r["probability"] is not None), default=None),
                "lesions_drawn": sum(r["lesions"] for r in group),
            }
            for (study, family), group in groups.items()
        ],
    }


def _phrasing_consistency(rows: list[dict[str, Any]]) -> dict[str, int]:
    groups: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        if row["in_scope"]:
            groups.setdefault((row["study"], row["written_for"]), set()).add(row["status"])
    return {"groups": len(groups), "same": sum(len(statuses) == 1 for statuses in groups.values())}


def _region_accuracy(rows: list[dict[str, Any]]) -> str:
    studies = {row["study"]: (row["region"], row["recognised_region"]) for row in rows}
    right = sum(truth == seen for truth, seen in studies.values())
    unknown = sum(seen == "unknown" for _, seen in studies.values())
    return f"{right}/{len(studies)} correct, {unknown} unknown, {len(studies) - right - unknown} wrong"


def _count(values: Iterator[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def trust_markdown(summary: dict[str, Any], command: str, device: str) -> str:
    """The table for the model card: per study and family, the answers, highest probability and lesions drawn."""
    lines = [
        f"Command: `{command}` ({device}).",
        "",
        f"- Out-of-scope prompts answered absent or not assessed with no lesion drawn: "
        f"{summary['out_of_scope_safe']:.1%} of {summary['out_of_scope_prompts']}",
        f"- In-scope prompts of findings present in the study answered present: "
        f"{_percent(summary['in_scope_present_accepted'])} of {summary['in_scope_present_prompts']}",
        f"- Phrasing groups (study x trained finding) answered alike: {summary['phrasing_groups_same_status']} of "
        f"{summary['phrasing_groups']}",
        f"- Body region recognised: {summary['region_correct']}",
        "",
        "| study | family | in scope | answers | highest probability | lesions drawn |",
        "|---|---|---|---|---|---|",
    ]
    for entry in summary["per_study_family"]:
        answers = ", ".join(f"{k} {v}" for k, v in sorted(entry["answers"].items()))
        probability = "-" if entry["max_probability"] is None else f"{entry['max_probability']:.2f}"
        lines.append(
            f"| {entry['study']} | {entry['family']} | {'yes' if entry['in_scope'] else 'no'} | {answers} | "
            f"{probability} | {entry['lesions_drawn']} |"
        )
    return "\n".join(lines) + "\n"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
