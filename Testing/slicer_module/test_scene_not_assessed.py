"""A finding not assessed, into a real MRML scene: the report says so with the reason, nothing is drawn (no
segmentation, no evidence map), the status survives saving the scene and reloading it."""

from __future__ import annotations

import numpy as np
import vtk

from reinforcedvl.model_store.checkpoint import ModelIdentity
from reinforcedvl.predictor import FindingResult
from reinforcedvl.scope import AnswerStatus
from reinforcedvl.volume import LabelMap, ScalarVolume
from reinforcedvl.worker.outcome_files import write_outcome
from reinforcedvl.worker.protocol import FindingOutcome
from ReinforcedVLLib.finding_nodes import FindingAttribute, FindingNodes, findingReports, summaryText
from ReinforcedVLLib.scene_export import addFindingToScene
from scene_helpers import slicer

REASON = "not assessed: this model was trained to find lung nodule in chest CT only; this study shows the abdomen"


def _not_assessed_outcome(folder, volume: ScalarVolume) -> FindingOutcome:
    empty = np.zeros(volume.spatial_shape, np.float32)
    result = FindingResult(
        prompt="lung nodule",
        present_probability=None,
        present=False,
        lesions=[],
        lesion_map=LabelMap.on_grid(empty.astype(np.uint16), volume, "lesions"),
        evidence_map=ScalarVolume(empty[None], volume.affine, name="evidence"),
        seconds=0.01,
        status=AnswerStatus.NOT_ASSESSED,
        reason=REASON,
    )
    document = write_outcome(
        result,
        folder,
        volume=volume,
        identity=ModelIdentity("test-model", "1.2.3"),
        device="CPU",
        threshold=0.5,
        modality="CT",
    )
    return FindingOutcome.from_dict(document)


def test_not_assessed_draws_nothing_and_says_why(scene, synthetic_node, synthetic_study, tmp_path):
    volume, _ = synthetic_study
    outcome = _not_assessed_outcome(tmp_path / "01", volume)
    assert outcome.status == "not_assessed" and not outcome.assessed and outcome.present_probability is None
    finding = addFindingToScene(synthetic_node, outcome)
    assert finding.segmentationNode is None and finding.evidenceNode is None
    assert finding.status == "not_assessed" and finding.reason == REASON
    assert finding.attribute(FindingAttribute.PRESENT_PROBABILITY) == ""
    text = finding.reportNode.GetText()
    assert "### lung nodule (not assessed)" in text and "this study shows the abdomen" in text
    assert summaryText(finding).startswith("lung nodule: not assessed, nothing drawn (this model was trained")
    assert scene.GetNodesByClass("vtkMRMLSegmentationNode").GetNumberOfItems() == 0


def test_the_status_survives_a_saved_and_reloaded_scene(scene, synthetic_node, synthetic_study, tmp_path):
    volume, _ = synthetic_study
    addFindingToScene(synthetic_node, _not_assessed_outcome(tmp_path / "01", volume))
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    scene.SetURL(str(bundle / "scene.mrml"))
    assert scene.SaveSceneToSlicerDataBundleDirectory(str(bundle), vtk.vtkImageData())
    mrb = tmp_path / "saved.mrb"
    assert slicer.vtkMRMLApplicationLogic().Zip(str(mrb), str(bundle))
    reloaded = slicer.vtkMRMLScene()
    loader = slicer.vtkMRMLApplicationLogic()
    loader.SetMRMLScene(reloaded)
    (tmp_path / "unpacked").mkdir()
    assert loader.OpenSlicerDataBundle(str(mrb), str(tmp_path / "unpacked"))
    finding = FindingNodes.fromNode(findingReports(reloaded)[0])
    assert finding.status == "not_assessed" and finding.reason == REASON
    assert finding.segmentationNode is None and finding.evidenceNode is None
