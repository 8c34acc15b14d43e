"""A worker's answer to one finding, into the scene: segmentation, evidence map, report and measurement table.

Each finding gets new nodes (see :mod:`.finding_nodes` for how they reference each other), so asking again, with the
same or another description, never touches what an earlier answer put in the scene or what the user edited since.
The files the worker wrote are read with Slicer's own storage nodes, then detached from them: the nodes hold their
data in memory and are saved with the scene wherever the user saves it, never pointing at the worker's temporary
files.
"""

from __future__ import annotations

from pathlib import Path

import slicer

from reinforcedvl.worker.protocol import FindingOutcome

from .evidence_display import configureEvidenceDisplay, storeEvidenceAs8Bit
from .finding_nodes import FindingAttribute, FindingNodes, FindingRole
from .measurement_table import createMeasurementTable

__all__ = ["addFindingToScene"]


def addFindingToScene(inputVolumeNode: slicer.vtkMRMLScalarVolumeNode, outcome: FindingOutcome) -> FindingNodes:
    """Add the nodes of ``outcome`` (an answer about ``inputVolumeNode``) to the input volume's scene.

    The segmentation (one segment per lesion, named after the finding, coloured as the report says, coded and
    tagged) is only created when the finding is present; the report says "not present" with its probability
    otherwise. A finding not assessed (outside the model's scope) gets its report, with the reason, and nothing
    drawn: no segmentation and no evidence map. Every node is placed under the input volume's parent transform, so
    it overlays the input exactly.

    Raises:
        OSError: a file the worker wrote could not be read.
    """
    scene = inputVolumeNode.GetScene()
    name = outcome.prompt
    report = scene.AddNewNodeByClass("vtkMRMLTextNode", scene.GenerateUniqueName(f"{name} report"))
    report.SetText(outcome.report_markdown)
    for attribute, value in _attributes(outcome).items():
        report.SetAttribute(attribute.value, value)
    table = createMeasurementTable(scene, f"{name} measurements", outcome.lesions)
    evidence = _readVolume(scene, outcome.evidence_file, f"{name} evidence") if outcome.assessed else None
    if evidence is not None:
        storeEvidenceAs8Bit(evidence)
        configureEvidenceDisplay(evidence)
    segmentation = _readSegmentation(scene, outcome.segmentation_file, name) if outcome.present else None
    for role, node in (
        (FindingRole.MEASUREMENTS, table),
        (FindingRole.EVIDENCE, evidence),
        (FindingRole.SEGMENTATION, segmentation),
        (FindingRole.INPUT_VOLUME, inputVolumeNode),
    ):
        if node is not None:
            report.SetNodeReferenceID(role.value, node.GetID())
    for node in (evidence, segmentation):
        if node is not None:
            node.SetAndObserveTransformNodeID(inputVolumeNode.GetTransformNodeID())
    if segmentation is not None:
        segmentation.SetReferenceImageGeometryParameterFromVolumeNode(inputVolumeNode)
        segmentation.SetNodeReferenceID(FindingRole.REPORT.value, report.GetID())
        for attribute, value in _attributes(outcome).items():
            segmentation.SetAttribute(attribute.value, value)
    return FindingNodes.fromNode(report)  # type: ignore[return-value]


def _attributes(outcome: FindingOutcome) -> dict[FindingAttribute, str]:
    return {
        FindingAttribute.PROMPT: outcome.prompt,
        FindingAttribute.PRESENT: "true" if outcome.present else "false",
        FindingAttribute.PRESENT_PROBABILITY: (
            "" if outcome.present_probability is None else f"{outcome.present_probability:.4f}"
        ),
        FindingAttribute.STATUS: outcome.status,
        FindingAttribute.REASON: outcome.reason,
        FindingAttribute.MODEL: outcome.model_id,
        FindingAttribute.MODEL_VERSION: outcome.model_version,
        FindingAttribute.DEVICE: outcome.device,
        FindingAttribute.TIME: outcome.finished_at,
        FindingAttribute.THRESHOLD: f"{outcome.threshold:.3f}",
        FindingAttribute.LESION_CONFIDENCE: f"{outcome.lesion_confidence:.3f}",
        FindingAttribute.MODALITY: outcome.modality,
        FindingAttribute.MODEL_OUTPUT_FILE: str(outcome.labelmap_file),
    }


def _readVolume(scene: slicer.vtkMRMLScene, path: Path, name: str) -> slicer.vtkMRMLScalarVolumeNode:
    node = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", scene.GenerateUniqueName(name))
    _readDetached(slicer.vtkMRMLVolumeArchetypeStorageNode(), path, node)
    return node


def _readSegmentation(scene: slicer.vtkMRMLScene, path: Path, name: str) -> slicer.vtkMRMLSegmentationNode:
    node = scene.AddNewNodeByClass("vtkMRMLSegmentationNode", scene.GenerateUniqueName(name))
    _readDetached(slicer.vtkMRMLSegmentationStorageNode(), path, node)
    node.CreateDefaultDisplayNodes()
    return node


def _readDetached(storage: slicer.vtkMRMLStorageNode, path: Path, node: slicer.vtkMRMLStorableNode) -> None:
    """Read ``path`` into ``node`` with a storage node that is not kept: the node's data lives in the scene."""
    storage.SetFileName(str(path))
    if not storage.ReadData(node):
        node.GetScene().RemoveNode(node)
        raise OSError(
            f"Slicer could not read the worker's result file {path}. The disk may be full or the file was removed; "
            "press Segment again."
        )
    node.StorableModified()
