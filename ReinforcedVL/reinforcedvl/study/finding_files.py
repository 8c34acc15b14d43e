"""Writing one finding's results next to each other: lesion label map, Slicer segmentation, evidence map."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

from ..io import output_suffix_for, write_volume
from ..io.segmentation_file import SegmentDescription, write_segmentation_file
from ..model_store.checkpoint import ModelIdentity
from ..predictor import FindingResult
from ..terminology import terminology_for_finding
from ..vocabulary import FindingAttribute, lesion_segment_id
from .result_document import FindingFiles

__all__ = ["EVIDENCE_LEVELS", "finding_folder_name", "segment_descriptions", "write_finding_files"]

EVIDENCE_LEVELS = 255
"""The evidence map's file keeps its values in [0, 1] to steps of 1/255, as many as a colour map shows, which keeps
the gzipped file small (sizes and times: ``docs/performance.md``)."""


def finding_folder_name(index: int, prompt: str) -> str:
    """``"01-spiculated-solid-nodule"``: the prompt's number and a file-system-safe short form of its words."""
    ascii_text = unicodedata.normalize("NFKD", prompt).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].strip("-") or "finding"
    return f"{index:02d}-{slug}"


def segment_descriptions(result: FindingResult, identity: ModelIdentity, device: str) -> list[SegmentDescription]:
    """One named, coloured, coded segment per lesion, tagged with how it was made."""
    terminology = terminology_for_finding(result.prompt)
    made_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return [
        SegmentDescription(
            segment_id=lesion_segment_id(lesion.lesion_id),
            name=f"{result.prompt} {lesion.lesion_id}",
            label_value=lesion.lesion_id,
            rgb=lesion.color.rgb,
            terminology=terminology,
            tags={
                FindingAttribute.PROMPT.value: result.prompt,
                FindingAttribute.MODEL.value: identity.model_id,
                FindingAttribute.MODEL_VERSION.value: identity.version,
                FindingAttribute.DEVICE.value: device,
                FindingAttribute.TIME.value: made_at,
                FindingAttribute.PRESENT_PROBABILITY.value: f"{result.present_probability:.4f}",
                FindingAttribute.CONFIDENCE.value: f"{lesion.confidence:.4f}",
                FindingAttribute.COLOR_NAME.value: lesion.color.name,
            },
        )
        for lesion in result.lesions
    ]


def write_finding_files(
    result: FindingResult, out_dir: Path, folder_name: str, identity: ModelIdentity, device: str
) -> FindingFiles:
    """Write the three files of one finding under ``out_dir/folder_name``; paths returned relative to ``out_dir``.

    The label map and evidence map take the input's format (NRRD for DICOM input); the segmentation is a
    Slicer ``.seg.nrrd``.
    """
    suffix = output_suffix_for(result.lesion_map.source)
    files = FindingFiles(
        labelmap=Path(folder_name) / f"lesions{suffix}",
        segmentation=Path(folder_name) / "lesions.seg.nrrd",
        evidence=Path(folder_name) / f"evidence{suffix}",
    )
    write_volume(result.lesion_map, out_dir / files.labelmap)
    write_segmentation_file(
        result.lesion_map, segment_descriptions(result, identity, device), out_dir / files.segmentation
    )
    write_volume(result.evidence_map, out_dir / files.evidence, levels=EVIDENCE_LEVELS)
    return files
