"""``result.json``: the machine-readable record of one ``segment`` run, and the entry of one finding in it (the same
entry heads the worker's ``finding.json``), each built by one pure function."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..lesions import Lesion
from ..model_store.checkpoint import ModelIdentity
from ..predictor import FindingResult

__all__ = ["FindingFiles", "build_result_document", "finding_entry", "lesion_entry", "rounded_probability"]


@dataclass(frozen=True)
class FindingFiles:
    """The files written for one prompt, relative to the output folder."""

    labelmap: Path
    segmentation: Path
    evidence: Path


def finding_entry(result: FindingResult, files: FindingFiles) -> dict[str, Any]:
    """One finding as JSON: ``prompt``, ``present_probability`` (null when not assessed), ``present``, ``status``
    (present, absent or not_assessed), ``reason`` (why not assessed, else ""), ``finding`` (the trained finding the
    network was asked for; null when not assessed or the model declares no scope), the file paths ``labelmap``,
    ``segmentation`` and ``evidence`` (as given in ``files``), ``seconds`` and ``lesions`` (the keys of
    :class:`reinforcedvl.vocabulary.LesionKey`). A prompt asked with points or a box also holds ``points`` (``ras``
    in RAS mm, ``positive``) and ``box`` (two RAS corners), and each lesion a point chose its ``marked_points``
    (numbers among the positive points)."""
    entry: dict[str, Any] = {
        "prompt": result.prompt,
        "present_probability": rounded_probability(result.present_probability),
        "present": result.present,
        "status": result.status.value,
        "reason": result.reason,
        "finding": result.finding,
        "labelmap": files.labelmap.as_posix(),
        "segmentation": files.segmentation.as_posix(),
        "evidence": files.evidence.as_posix(),
        "seconds": round(result.seconds, 3),
        "lesions": [lesion_entry(result, lesion) for lesion in result.lesions],
    }
    if result.spatial_prompts:
        entry.update(result.spatial_prompts.to_dict())
    return entry


def lesion_entry(result: FindingResult, lesion: Lesion) -> dict[str, Any]:
    """A lesion as ``result.json`` and ``finding.json`` give it: its measurements, and the points that chose it."""
    entry = lesion.to_dict()
    if lesion.lesion_id in result.marked_points:
        entry["marked_points"] = list(result.marked_points[lesion.lesion_id])
    return entry


def rounded_probability(probability: float | None) -> float | None:
    """The probability to 4 decimals as written in JSON; None (a finding not assessed) stays None."""
    return None if probability is None else round(probability, 4)


def build_result_document(
    *,
    identity: ModelIdentity,
    device: str,
    seconds: float,
    modality: dict[str, str],
    inputs: list[str],
    findings: list[tuple[FindingResult, FindingFiles]],
    region: dict[str, str] | None = None,
    lesion_confidence: float,
) -> dict[str, Any]:
    """The ``result.json`` document: model, device, the lesion-confidence threshold the lesions passed, total seconds,
    inputs, modality and body region (each with its reason; region None when the model declares no scope) and one
    :func:`finding_entry` per prompt (paths relative to the output folder)."""
    return {
        "model": identity.to_dict(),
        "device": device,
        "lesion_confidence": lesion_confidence,
        "seconds": round(seconds, 3),
        "inputs": inputs,
        "modality": modality,
        "region": region,
        "prompts": [finding_entry(result, files) for result, files in findings],
    }
