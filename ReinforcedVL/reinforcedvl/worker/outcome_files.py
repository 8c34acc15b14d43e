"""Writing one finding's answer as files: what the worker hands back for each ``segment`` request.

The folder gets the lesion label map, the Slicer segmentation (``lesions.seg.nrrd``) and the evidence map (written
by :func:`reinforcedvl.study.finding_files.write_finding_files`, so files and scene agree), plus ``finding.json``: the
``result`` event's content (the finding's entry of ``result.json``, then how it was made and its report), readable
later with :meth:`.protocol.FindingOutcome.from_folder`. Its report is the grounded report
(:func:`reinforcedvl.report.build_report`): every lesion sentence names its segment.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..dicom import DicomWriter, export_dicom
from ..model_store.checkpoint import ModelIdentity
from ..predictor import FindingResult
from ..report import ReportFinding, build_report
from ..study.finding_files import write_finding_files
from ..study.report_job import DICOM_FOLDER, software_version
from ..study.result_document import FindingFiles, finding_entry
from ..vocabulary import DEFAULT_LESION_CONFIDENCE, Modality
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
    lesion_confidence: float = DEFAULT_LESION_CONFIDENCE,
    dicom: bool = False,
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
        lesion_confidence: the lesion confidence threshold used.
        dicom: also write a DICOM SEG (segments AUTOMATIC, the model as Algorithm Identification) and a DICOM SR
            with the model's confidences into ``folder/dicom``; ``volume`` must have been read from a DICOM series.
    """
    files = write_finding_files(result, folder.parent, folder.name, identity, device)
    finding = ReportFinding.from_result(result, files.segmentation.name)
    report = build_report(volume, [finding], language, modality=Modality(modality))  # type: ignore[arg-type]
    in_folder = FindingFiles(Path(files.labelmap.name), Path(files.segmentation.name), Path(files.evidence.name))
    document = {
        **finding_entry(result, in_folder),
        "model": identity.to_dict(),
        "device": device,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "threshold": threshold,
        "lesion_confidence": lesion_confidence,
        "modality": modality,
        "report": {"markdown": report.to_markdown(), "data": report.to_dict()},
    }
    if result.spatial_prompts:
        document["spatial_prompts"] = result.spatial_prompts.to_dict()
    if dicom:
        writer = DicomWriter(software_version(), algorithm=identity.model_id, algorithm_version=identity.version)
        exported = export_dicom(volume, [finding], report, folder / DICOM_FOLDER, writer=writer)
        written = [*exported.segmentations, *([exported.measurement_report] if exported.measurement_report else [])]
        document["dicom"] = [path.relative_to(folder).as_posix() for path in written]
    (folder / FINDING_FILE).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return {**document, "folder": str(folder)}
