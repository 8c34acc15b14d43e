"""Writing one finding's answer as files: what the worker hands back for each ``segment`` request.

The folder gets the lesion label map, the Slicer segmentation (``lesions.seg.nrrd``) and the evidence map (written
by :func:`reinforcedvl.result_files.write_finding_files`, so files and scene agree), plus ``finding.json``: the
``result`` event's content, readable later with :meth:`.protocol.FindingOutcome.from_folder`. Its report is the
grounded report (:func:`reinforcedvl.report.build_report`): every lesion sentence names its segment.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..checkpoint import ModelIdentity
from ..predictor import FindingResult
from ..preprocessing import Modality
from ..report import ReportFinding, build_report
from ..result_files import write_finding_files
from ..run_report import rounded_probability
from ..volume import ScalarVolume
from .protocol import FINDING_FILE

__all__ = ["write_outcome"]


def write_outcome(
    result: FindingResult,
    folder: Path,
    *,
    volume: ScalarVolume,
    identity: ModelIdentity,
    device: str,
    threshold: float,
    modality: str,
    language: str = "en",
) -> dict[str, Any]:
    """Write ``result``'s files and ``finding.json`` into ``folder``; returns the document plus ``folder``.

    Args:
        result: the predictor's answer.
        folder: the output folder (created; its parent must be writable).
        volume: the study the answer is about (the report describes the lesions in it).
        identity: the model that answered.
        device: where it ran, in words.
        threshold: the mask threshold used.
        modality: CT or MR, as used for normalisation.
        language: the report's language, ``"en"`` or ``"ja"``.
    """
    files = write_finding_files(result, folder.parent, folder.name, identity, device)
    finding = ReportFinding.from_result(result, files.segmentation.name)
    report = build_report(volume, [finding], language, modality=Modality(modality))  # type: ignore[arg-type]
    document = {
        "prompt": result.prompt,
        "present": result.present,
        "present_probability": rounded_probability(result.present_probability),
        "status": result.status.value,
        "reason": result.reason,
        "lesions": [lesion.to_dict() for lesion in result.lesions],
        "model": identity.to_dict(),
        "device": device,
        "seconds": round(result.seconds, 3),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "threshold": threshold,
        "modality": modality,
        "files": {
            "segmentation": files.segmentation.name,
            "labelmap": files.labelmap.name,
            "evidence": files.evidence.name,
        },
        "report": {"markdown": report.to_markdown(), "data": report.to_dict()},
    }
    (folder / FINDING_FILE).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return {**document, "folder": str(folder)}
