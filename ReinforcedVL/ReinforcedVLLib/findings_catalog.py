"""The finding pick-list: common findings for the volume's modality, with English and Japanese labels.

The list is the engine's ``reinforcedvl/resources/findings.json``. The English label is also what is sent to the
model; the Japanese label is shown beside it. Which modality to offer first is a display hint only: the worker
decides the modality used for inference itself and reports it with the result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import slicer

__all__ = ["FINDINGS_PATH", "FindingChoice", "findingChoices", "modalityHint"]

FINDINGS_PATH = Path(__file__).resolve().parents[1] / "reinforcedvl" / "resources" / "findings.json"

# Hounsfield air is -1000; a volume whose darkest voxels lie below this is offered the CT list first.
_CT_AIR_BELOW_HU = -500.0


@dataclass(frozen=True)
class FindingChoice:
    """One entry of the pick-list: ``english`` goes to the model, ``japanese`` is shown beside it."""

    findingId: str
    english: str
    japanese: str
    modalities: tuple[str, ...]
    kind: str

    @property
    def label(self) -> str:
        """The text shown in the list: ``"solid lung nodule  (充実性肺結節)"``."""
        return f"{self.english}  ({self.japanese})"


def findingChoices(modality: str | None = None, path: Path = FINDINGS_PATH) -> list[FindingChoice]:
    """The findings for ``modality`` (``"CT"`` or ``"MR"``; None for all), lesions before anatomy, in file order."""
    document = json.loads(path.read_text(encoding="utf-8"))
    choices = [
        FindingChoice(entry["id"], entry["en"], entry["ja"], tuple(entry["modalities"]), entry["kind"])
        for entry in document["findings"]
    ]
    if modality is not None:
        choices = [choice for choice in choices if modality in choice.modalities]
    return sorted(choices, key=lambda choice: choice.kind != "lesion")


def modalityHint(volumeNode: slicer.vtkMRMLScalarVolumeNode | None) -> str | None:
    """``"CT"`` or ``"MR"`` from the DICOM Modality that Slicer's DICOM import keeps on the series' subject-hierarchy
    item, else from whether the darkest voxels look like air in Hounsfield units; None without image data."""
    if volumeNode is None or volumeNode.GetImageData() is None:
        return None
    hierarchy = slicer.vtkMRMLSubjectHierarchyNode.ResolveSubjectHierarchy(volumeNode.GetScene())
    item = hierarchy.GetItemByDataNode(volumeNode) if hierarchy else 0
    if item:
        tagged = hierarchy.GetItemAttribute(
            item, slicer.vtkMRMLSubjectHierarchyConstants.GetDICOMSeriesModalityAttributeName()
        )
        if tagged in ("CT", "MR"):
            return tagged
    low, _ = volumeNode.GetImageData().GetScalarRange()
    return "CT" if low < _CT_AIR_BELOW_HU else "MR"
