"""``result.json``: the machine-readable record of one ``segment`` run, built by one pure function."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checkpoint import ModelIdentity
from .predictor import FindingResult

__all__ = ["FindingFiles", "build_run_report", "rounded_probability"]


@dataclass(frozen=True)
class FindingFiles:
    """The files written for one prompt, relative to the output folder."""

    labelmap: Path
    segmentation: Path
    evidence: Path


def rounded_probability(probability: float | None) -> float | None:
    """The probability to 4 decimals as written in JSON; None (a finding not assessed) stays None."""
    return None if probability is None else round(probability, 4)


def build_run_report(
    *,
    identity: ModelIdentity,
    device: str,
    seconds: float,
    modality: dict[str, str],
    inputs: list[str],
    region: dict[str, str] | None = None,
    findings: list[tuple[FindingResult, FindingFiles]],
) -> dict[str, Any]:
    """The ``result.json`` document: model, device, total seconds, inputs, modality and body region (each with its
    reason; region None without a scope gate), and one entry per prompt.

    Each prompt entry holds ``prompt``, ``present_probability`` (null when not assessed), ``present``, ``status``
    (present, absent or not_assessed), ``reason`` (why not assessed, else ""), ``finding`` (the trained finding the
    network was asked for, null when not assessed), the file paths ``labelmap``,
    ``segmentation`` and ``evidence`` (relative to the output folder), ``seconds`` and ``lesions``
    (``id, color_name, voxels, volume_ml, long_axis_mm, short_axis_mm, centroid_ras, confidence``).
    """
    return {
        "model": identity.to_dict(),
        "device": device,
        "seconds": round(seconds, 3),
        "inputs": inputs,
        "modality": modality,
        "region": region,
        "prompts": [
            {
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
                "lesions": [lesion.to_dict() for lesion in result.lesions],
            }
            for result, files in findings
        ],
    }
