"""A finding into a real MRML scene: segments named, coloured, coded and tagged; evidence with its colour table;
the report referenced from the segmentation; the measurement table; a second prompt beside the first; and the scene
saved as a Slicer data bundle and reloaded in a new scene with everything attached."""

from __future__ import annotations

import numpy as np
import pytest
import vtk
import vtk.util.numpy_support

from reinforcedvl.lesions.palette import lesion_color
from reinforcedvl.study.finding_files import EVIDENCE_LEVELS
from reinforcedvl.terminology import terminology_for_finding
from ReinforcedVLLib.evidence_display import EVIDENCE_COLOR_TABLE_NAME, evidenceValues
from ReinforcedVLLib.finding_nodes import FindingAttribute, FindingNodes, findingReports, summaryText
from ReinforcedVLLib.measurement_table import lesionsFromTable
from ReinforcedVLLib.scene_export import addFindingToScene
from ReinforcedVLLib.segmentation_labelmap import labelmapArrayFromSegments
from scene_helpers import LESION_RADII_MM, make_outcome, slicer

PROMPT = "spiculated solid nodule"


def _tag(segment, key: str) -> str:
    value = vtk.reference("")
    assert segment.GetTag(key, value), f"segment {segment.GetName()} has no tag {key}"
    return str(value)


def _segment_array(finding: FindingNodes, segment_id: str) -> np.ndarray:
    """The segment's voxels on the input volume's grid, ``(I, J, K)``."""
    return labelmapArrayFromSegments(finding.segmentationNode, finding.inputVolumeNode, [segment_id])


@pytest.fixture
def finding(scene, synthetic_node, synthetic_study, tmp_path) -> FindingNodes:
    volume, labels = synthetic_study
    return addFindingToScene(synthetic_node, make_outcome(tmp_path / "01", volume, labels, PROMPT, present=True))


def test_one_named_coloured_segment_per_lesion_on_the_input_grid(finding, synthetic_study):
    _, labels = synthetic_study
    segmentation = finding.segmentationNode.GetSegmentation()
    assert finding.segmentationNode.GetName() == PROMPT
    assert [segmentation.GetNthSegmentID(i) for i in range(segmentation.GetNumberOfSegments())] == [
        "lesion_1",
        "lesion_2",
    ]
    for lesion_id in (1, 2):
        segment = segmentation.GetSegment(f"lesion_{lesion_id}")
        assert segment.GetName() == f"{PROMPT} {lesion_id}"
        assert segment.GetColor() == pytest.approx(lesion_color(lesion_id).rgb, abs=1e-3)
        np.testing.assert_array_equal(_segment_array(finding, f"lesion_{lesion_id}") > 0, labels.array[0] == lesion_id)


def test_segments_are_terminology_coded_and_tagged_with_how_they_were_made(finding):
    segment = finding.segmentationNode.GetSegmentation().GetSegment("lesion_2")
    entry = _tag(segment, "TerminologyEntry")
    assert entry == terminology_for_finding(PROMPT).slicer_entry()
    assert "SCT^49755003^Morphologically Altered Structure" in entry and "SCT^27925004^Nodule" in entry
    assert _tag(segment, "ReinforcedVL.prompt") == PROMPT
    assert _tag(segment, "ReinforcedVL.model") == "test-model"
    assert _tag(segment, "ReinforcedVL.modelVersion") == "1.2.3"
    assert _tag(segment, "ReinforcedVL.device") == "CPU (2 threads; as asked)"
    assert _tag(segment, "ReinforcedVL.presentProbability") == "0.9300"
    assert _tag(segment, "ReinforcedVL.colorName") == "cyan"
    assert _tag(segment, "ReinforcedVL.time").endswith("+00:00")


def test_report_is_a_text_node_referenced_from_the_segmentation(finding):
    report = finding.segmentationNode.GetNodeReference("ReinforcedVL.report")
    assert report is finding.reportNode and report.IsA("vtkMRMLTextNode")
    text = report.GetText()
    assert f"### {PROMPT} (probability 0.93)" in text and f"{PROMPT.capitalize()}: 2 lesions (probability 0.93)" in text
    assert f"Lesion 1 (yellow): {PROMPT}, " in text and "segment `lesion_1`" in text
    assert f"Lesion 2 (cyan): {PROMPT}" in text and "segment `lesion_2`" in text
    assert finding.prompt == PROMPT and finding.present and finding.presentProbability == pytest.approx(0.93)
    assert finding.attribute(FindingAttribute.MODEL) == "test-model"
    assert finding.segmentationNode.GetAttribute("ReinforcedVL.threshold") == "0.500"


def test_evidence_is_a_volume_on_the_input_grid_with_its_colour_table(finding, synthetic_study):
    volume, labels = synthetic_study
    steps = slicer.util.arrayFromVolume(finding.evidenceNode)
    assert steps.dtype == np.uint8  # 8 bits in the scene: the file's values are steps of 1/255
    evidence = evidenceValues(finding.evidenceNode).transpose(2, 1, 0)
    np.testing.assert_allclose(evidence, np.where(labels.array[0] > 0, 0.9, 0.1), atol=0.5 / EVIDENCE_LEVELS)
    assert sorted(np.unique(steps)) == [round(0.1 * EVIDENCE_LEVELS), round(0.9 * EVIDENCE_LEVELS)]
    display = finding.evidenceNode.GetScalarVolumeDisplayNode()
    colors = display.GetColorNode()
    assert colors.GetName() == EVIDENCE_COLOR_TABLE_NAME and colors.GetNumberOfColors() == 256
    assert (display.GetWindowLevelMin(), display.GetWindowLevelMax()) == pytest.approx((0.0, EVIDENCE_LEVELS))
    rgba = [0.0] * 4
    colors.GetColor(0, rgba)
    assert rgba[3] == 0.0  # no evidence: transparent
    colors.GetColor(255, rgba)
    assert rgba == pytest.approx([0.9, 0.1, 0.1, 1.0], abs=1 / 255)  # stored as 8-bit colours


def test_measurement_table_holds_the_lesions_sizes(finding):
    lesions = lesionsFromTable(finding.measurementsNode)
    assert [(lesion.lesion_id, lesion.color_name) for lesion in lesions] == [(1, "yellow"), (2, "cyan")]
    for lesion, radius in zip(lesions, LESION_RADII_MM, strict=True):
        assert lesion.long_axis_mm == pytest.approx(2 * radius, rel=0.12)
        assert lesion.volume_ml == pytest.approx(4 / 3 * np.pi * radius**3 / 1000, rel=0.15)
        assert lesion.confidence == pytest.approx(0.9)
    assert finding.measurementsNode.GetColumnUnitLabel("Long axis") == "mm"


def test_absent_finding_is_an_explicit_answer_without_a_segmentation(scene, synthetic_node, synthetic_study, tmp_path):
    volume, labels = synthetic_study
    absent = addFindingToScene(synthetic_node, make_outcome(tmp_path / "02", volume, labels, "calcified mass", False))
    assert absent.segmentationNode is None and not absent.present
    assert "No calcified mass identified; probability 0.08." in absent.reportNode.GetText()
    assert absent.measurementsNode.GetTable().GetNumberOfRows() == 0
    assert absent.evidenceNode is not None


def test_second_prompt_adds_beside_the_first_and_keeps_the_users_edits(
    scene, finding, synthetic_node, synthetic_study, tmp_path
):
    volume, labels = synthetic_study
    first = finding.segmentationNode
    first.GetSegmentation().GetSegment("lesion_1").SetName("nodule, checked by reader")
    shared_layer = first.GetSegmentation().GetSegment("lesion_2").GetRepresentation("Binary labelmap")
    voxels = vtk.util.numpy_support.vtk_to_numpy(shared_layer.GetPointData().GetScalars())
    voxels[voxels == 2] = 0  # erase lesion 2, as the Segment Editor's eraser would
    shared_layer.Modified()
    again = addFindingToScene(synthetic_node, make_outcome(tmp_path / "03", volume, labels, PROMPT, present=True))
    other = addFindingToScene(synthetic_node, make_outcome(tmp_path / "04", volume, labels, "lung mass", present=True))
    assert [FindingNodes.fromNode(report).prompt for report in findingReports(scene)] == [PROMPT, PROMPT, "lung mass"]
    assert first.GetSegmentation().GetSegment("lesion_1").GetName() == "nodule, checked by reader"
    assert not _segment_array(finding, "lesion_2").any()
    np.testing.assert_array_equal(_segment_array(finding, "lesion_1") > 0, labels.array[0] == 1)
    assert again.segmentationNode.GetName() != first.GetName()
    assert _segment_array(again, "lesion_2").sum() == (labels.array[0] == 2).sum()
    assert other.segmentationNode.GetSegmentation().GetSegment("lesion_1").GetName() == "lung mass 1"


def test_saved_scene_reloads_with_everything_attached(scene, finding, synthetic_node, synthetic_study, tmp_path):
    volume, labels = synthetic_study
    addFindingToScene(synthetic_node, make_outcome(tmp_path / "absent", volume, labels, "calcified mass", False))
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    scene.SetURL(str(bundle / "scene.mrml"))
    assert scene.SaveSceneToSlicerDataBundleDirectory(str(bundle), vtk.vtkImageData())
    mrb = tmp_path / "saved.mrb"
    application = slicer.vtkMRMLApplicationLogic()
    assert application.Zip(str(mrb), str(bundle))
    for path in tmp_path.glob("0*"):  # the worker's files are gone: the scene must not need them
        for file in path.iterdir():
            file.unlink()

    reloaded = slicer.vtkMRMLScene()
    loader = slicer.vtkMRMLApplicationLogic()
    loader.SetMRMLScene(reloaded)
    (tmp_path / "unpacked").mkdir()
    assert loader.OpenSlicerDataBundle(str(mrb), str(tmp_path / "unpacked"))
    reports = findingReports(reloaded)
    assert [report.GetName() for report in reports] == [f"{PROMPT} report", "calcified mass report"]
    present = FindingNodes.fromNode(reloaded.GetFirstNodeByName(PROMPT))
    assert present.reportNode.GetText() == finding.reportNode.GetText()
    assert present.inputVolumeNode.GetName() == "synthetic CT"
    segment = present.segmentationNode.GetSegmentation().GetSegment("lesion_1")
    assert segment.GetColor() == pytest.approx(lesion_color(1).rgb, abs=1e-3)
    assert _tag(segment, "TerminologyEntry") == terminology_for_finding(PROMPT).slicer_entry()
    np.testing.assert_array_equal(_segment_array(present, "lesion_1") > 0, labels.array[0] == 1)
    evidence = evidenceValues(present.evidenceNode).transpose(2, 1, 0)
    np.testing.assert_allclose(evidence, np.where(labels.array[0] > 0, 0.9, 0.1), atol=0.5 / EVIDENCE_LEVELS)
    assert present.evidenceNode.GetScalarVolumeDisplayNode().GetColorNode().GetName() == EVIDENCE_COLOR_TABLE_NAME
    assert lesionsFromTable(present.measurementsNode) == lesionsFromTable(finding.measurementsNode)
    absent = FindingNodes.fromNode(reports[1])
    assert absent.segmentationNode is None and absent.presentProbability == pytest.approx(0.08)


def test_summary_line_gives_the_answer_and_what_made_it(finding, scene, synthetic_node, synthetic_study, tmp_path):
    volume, labels = synthetic_study
    assert summaryText(finding) == (
        f"{PROMPT}: present (probability 0.93), 2 lesions. Model test-model 1.2.3, CPU (2 threads; as asked)."
    )
    absent = addFindingToScene(synthetic_node, make_outcome(tmp_path / "05", volume, labels, "calcified mass", False))
    assert summaryText(absent).startswith("calcified mass: not present (probability 0.08).")
