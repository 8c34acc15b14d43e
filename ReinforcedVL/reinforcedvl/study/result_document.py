"""``result.json``: the machine-readable record of one ``segment`` run, built by one pure function."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .checkpoint import ModelIdentity
from .predictor import FindingResult

__all__ = ["FindingFiles", "build_run_report"]


@dataclass(frozen=True)
class FindingFiles:
    """The files written for one prompt, relative to the output folder."""

    labelmap: Path
    segmentation: Path
    evidence: Path


def build_run_report(
    *,
    identity: ModelIdentity,
    device: str,
    seconds: float,
    modality: dict[str, str],
    inputs: list[str],
    findings: list[tuple[FindingResult, FindingFiles]],
) -> dict[str, Any]:
    """The ``result.json`` document: model, device, total seconds, inputs, and one entry per prompt.

    Each prompt entry holds ``prompt``, ``present_probability``, ``present``, the file paths ``labelmap``,
    ``segmentation`` and ``evidence`` (relative to the output folder), ``seconds`` and ``lesions``
    (``id, color_name, voxels, volume_ml, long_axis_mm, short_axis_mm, centroid_ras, confidence``).
    """
    return {
        "model": identity.to_dict(),
        "device": device,
        "seconds": round(seconds, 3),
        "inputs": inputs,
        "modality": modality,
        "prompts": [
            {
                "prompt": result.prompt,
                "present_probability": round(result.present_probability, 4),
                "present": result.present,
                "labelmap": files.labelmap.as_posix(),
                "segmentation": files.segmentation.as_posix(),
                "evidence": files.evidence.as_posix(),
                "seconds": round(result.seconds, 3),
                "lesions": [lesion.to_dict() for lesion in result.lesions],
            }
            for result, files in findings
        ],
    }
