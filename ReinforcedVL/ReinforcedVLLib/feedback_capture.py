"""Turning the user's judgement of a finding in the scene into a feedback record (see :mod:`.feedback_sink`)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import slicer

from reinforcedvl.lesions.palette import lesion_color
from reinforcedvl.terminology import terminology_for_finding
from reinforcedvl.vocabulary import lesion_segment_id

from .feedback_sink import FeedbackAction, FeedbackRecord
from .finding_nodes import FindingAttribute, FindingNodes, FindingRole
from .prompt_markups import spatialPromptsOf
from .segmentation_labelmap import writeSegmentsAsLabelmap
from .volume_bridge import writeVolumeNode

__all__ = ["captureFeedback", "correctionSegmentation", "dicomPatientId"]

MAX_RATING = 5


def captureFeedback(
    finding: FindingNodes, action: FeedbackAction, *, rating: int | None = None, comment: str = ""
) -> FeedbackRecord:
    """Write the files of a judgement of ``finding`` to a temporary folder and describe them in a record.

    For a correction the finding's segmentation, as the user edited it, is saved as a label map on the input grid.

    Raises:
        ValueError: the input volume is gone, a correction without a segmentation, or a rating outside 1-5.
    """
    if finding.inputVolumeNode is None:
        raise ValueError(
            f"The input volume of '{finding.prompt}' is no longer in the scene, and feedback needs the image. Load "
            "it again."
        )
    if rating is not None and not 1 <= rating <= MAX_RATING:
        raise ValueError(f"A rating goes from 1 (useless) to {MAX_RATING} (perfect), got {rating}.")
    if action is FeedbackAction.CORRECTION and finding.segmentationNode is None:
        raise ValueError(
            f"'{finding.prompt}' has no segmentation to correct. Press 'Save correction' after drawing the lesion "
            "in the Segment Editor (the module creates an empty segmentation for it)."
        )
    staging = Path(tempfile.mkdtemp(prefix="reinforcedvl-feedback-"))
    image = writeVolumeNode(finding.inputVolumeNode, staging / "image.nrrd")
    correction = None
    if action is FeedbackAction.CORRECTION:
        correction = writeSegmentsAsLabelmap(finding.segmentationNode, finding.inputVolumeNode, staging / "mask.nrrd")
    modelOutput = Path(finding.attribute(FindingAttribute.MODEL_OUTPUT_FILE) or staging / "missing")
    if modelOutput.is_file():
        modelOutput = Path(shutil.copy2(modelOutput, staging / f"model-output{''.join(modelOutput.suffixes)}"))
    return FeedbackRecord(
        action=action,
        prompt=finding.prompt,
        modelId=finding.attribute(FindingAttribute.MODEL),
        modelVersion=finding.attribute(FindingAttribute.MODEL_VERSION),
        device=finding.attribute(FindingAttribute.DEVICE),
        presentProbability=finding.presentProbability,
        threshold=float(finding.attribute(FindingAttribute.THRESHOLD) or "nan"),
        rating=rating,
        comment=comment.strip(),
        createdAt=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        imageFile=image,
        modelOutputFile=modelOutput if modelOutput.is_file() else None,
        correctionFile=correction,
        modality=finding.attribute(FindingAttribute.MODALITY) or None,
        patientReference=dicomPatientId(finding.inputVolumeNode),
        spatialPrompts=spatialPromptsOf(finding),
    )


def dicomPatientId(volumeNode: slicer.vtkMRMLVolumeNode) -> str | None:
    """The DICOM Patient ID of the patient the volume belongs to in the subject hierarchy (set by Slicer's DICOM
    loader), None when the volume did not come from DICOM."""
    hierarchy = slicer.vtkMRMLSubjectHierarchyNode.GetSubjectHierarchyNode(volumeNode.GetScene())
    item = hierarchy.GetItemByDataNode(volumeNode) if hierarchy else 0
    patient = hierarchy.GetItemAncestorAtLevel(item, "Patient") if item else 0
    return (hierarchy.GetItemAttribute(patient, "DICOM.PatientID") or None) if patient else None


def correctionSegmentation(finding: FindingNodes) -> slicer.vtkMRMLSegmentationNode:
    """The finding's segmentation; for a finding the model judged absent, a new one with one empty segment named
    after the finding, for the user to draw the missed lesion in."""
    if finding.segmentationNode is not None:
        return finding.segmentationNode
    scene = finding.reportNode.GetScene()
    segmentation = scene.AddNewNodeByClass("vtkMRMLSegmentationNode", scene.GenerateUniqueName(finding.prompt))
    segmentation.CreateDefaultDisplayNodes()
    segmentation.SetReferenceImageGeometryParameterFromVolumeNode(finding.inputVolumeNode)
    segmentation.SetAndObserveTransformNodeID(finding.inputVolumeNode.GetTransformNodeID())
    segmentId = segmentation.GetSegmentation().AddEmptySegment(
        lesion_segment_id(1), f"{finding.prompt} (drawn)", lesion_color(1).rgb
    )
    segment = segmentation.GetSegmentation().GetSegment(segmentId)
    segment.SetTag("TerminologyEntry", terminology_for_finding(finding.prompt).slicer_entry())
    segment.SetTag(FindingAttribute.PROMPT.value, finding.prompt)
    segmentation.SetNodeReferenceID(FindingRole.REPORT.value, finding.reportNode.GetID())
    finding.reportNode.SetNodeReferenceID(FindingRole.SEGMENTATION.value, segmentation.GetID())
    return segmentation
