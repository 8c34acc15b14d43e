"""The nodes one finding puts in the scene, and how they find each other again (also after a scene is reloaded).

Every finding has a report text node: it is the finding's anchor. It carries the finding's attributes (prompt,
model, device, time, probability...) and references the other nodes by role: the segmentation (absent when the
finding is not present, so that "not present" is an explicit answer rather than an empty segmentation), the
evidence volume, the measurement table and the input volume. The segmentation references its report back.
References and attributes are saved with the scene.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import slicer

from reinforcedvl.vocabulary import FindingAttribute

__all__ = ["FindingAttribute", "FindingRole", "FindingNodes", "findingReports", "summaryText"]


class FindingRole(str, Enum):
    """Node reference roles between a finding's nodes."""

    REPORT = "ReinforcedVL.report"
    SEGMENTATION = "ReinforcedVL.segmentation"
    EVIDENCE = "ReinforcedVL.evidence"
    MEASUREMENTS = "ReinforcedVL.measurements"
    INPUT_VOLUME = "ReinforcedVL.inputVolume"


@dataclass(frozen=True)
class FindingNodes:
    """One finding's nodes; any but the report may be None (not present, or deleted by the user)."""

    reportNode: slicer.vtkMRMLTextNode
    segmentationNode: slicer.vtkMRMLSegmentationNode | None
    evidenceNode: slicer.vtkMRMLScalarVolumeNode | None
    measurementsNode: slicer.vtkMRMLTableNode | None
    inputVolumeNode: slicer.vtkMRMLScalarVolumeNode | None

    @classmethod
    def fromNode(cls, node: slicer.vtkMRMLNode | None) -> FindingNodes | None:
        """The finding a report or segmentation node belongs to; None for other nodes."""
        if node is None:
            return None
        report = node if node.GetAttribute(FindingAttribute.PROMPT.value) and node.IsA("vtkMRMLTextNode") else None
        report = report or node.GetNodeReference(FindingRole.REPORT.value)
        if report is None:
            return None
        return cls(
            reportNode=report,
            segmentationNode=report.GetNodeReference(FindingRole.SEGMENTATION.value),
            evidenceNode=report.GetNodeReference(FindingRole.EVIDENCE.value),
            measurementsNode=report.GetNodeReference(FindingRole.MEASUREMENTS.value),
            inputVolumeNode=report.GetNodeReference(FindingRole.INPUT_VOLUME.value),
        )

    def attribute(self, attribute: FindingAttribute) -> str:
        """An attribute of the finding ('' when unset)."""
        return self.reportNode.GetAttribute(attribute.value) or ""

    @property
    def prompt(self) -> str:
        return self.attribute(FindingAttribute.PROMPT)

    @property
    def present(self) -> bool:
        return self.attribute(FindingAttribute.PRESENT) == "true"

    @property
    def presentProbability(self) -> float:
        return float(self.attribute(FindingAttribute.PRESENT_PROBABILITY) or "nan")

    @property
    def status(self) -> str:
        """``present``, ``absent`` or ``not_assessed`` (scenes saved before the attribute existed: from present)."""
        return self.attribute(FindingAttribute.STATUS) or ("present" if self.present else "absent")

    @property
    def reason(self) -> str:
        return self.attribute(FindingAttribute.REASON)


def summaryText(finding: FindingNodes) -> str:
    """One line for the panel: the answer, its probability, and what made it."""
    lesions = finding.measurementsNode.GetTable().GetNumberOfRows() if finding.measurementsNode else 0
    probability = f"probability {finding.presentProbability:.2f}"
    if finding.status == "not_assessed":
        answer = f"{finding.prompt}: not assessed, nothing drawn ({finding.reason.removeprefix('not assessed: ')})."
    elif finding.present:
        answer = f"{finding.prompt}: present ({probability}), {lesions} lesion{'s' if lesions != 1 else ''}."
    else:
        answer = f"{finding.prompt}: not present ({probability})."
    model = f"{finding.attribute(FindingAttribute.MODEL)} {finding.attribute(FindingAttribute.MODEL_VERSION)}"
    return f"{answer} Model {model}, {finding.attribute(FindingAttribute.DEVICE)}."


def findingReports(scene: slicer.vtkMRMLScene) -> list[slicer.vtkMRMLTextNode]:
    """The report nodes of every finding in the scene, oldest first."""
    nodes = scene.GetNodesByClass("vtkMRMLTextNode")
    reports = [nodes.GetItemAsObject(i) for i in range(nodes.GetNumberOfItems())]
    return [node for node in reports if node.GetAttribute(FindingAttribute.PROMPT.value)]
