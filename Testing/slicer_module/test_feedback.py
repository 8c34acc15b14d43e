"""Feedback on a finding in a real scene: what is captured (image, model output, the user's correction, rating,
comment) and what the placeholder JSON-lines store keeps of it."""

from __future__ import annotations

import json

import numpy as np
import pytest
import vtk
import vtk.util.numpy_support

from reinforcedvl.io import read_image, read_label_map
from ReinforcedVLLib.feedback_capture import captureFeedback, correctionSegmentation
from ReinforcedVLLib.feedback_sink import FeedbackAction, JsonLinesFeedbackSink
from ReinforcedVLLib.scene_export import addFindingToScene
from ReinforcedVLLib.segmentation_labelmap import labelmapArrayFromSegments
from scene_helpers import make_outcome


@pytest.fixture
def finding(scene, synthetic_node, synthetic_study, tmp_path):
    volume, labels = synthetic_study
    return addFindingToScene(synthetic_node, make_outcome(tmp_path / "01", volume, labels, "solid nodule", True))


def test_correction_keeps_the_users_edit_beside_the_models_output(finding, synthetic_study, tmp_path):
    volume, labels = synthetic_study
    segment = finding.segmentationNode.GetSegmentation().GetSegment("lesion_2")
    shared_layer = segment.GetRepresentation("Binary labelmap")
    voxels = vtk.util.numpy_support.vtk_to_numpy(shared_layer.GetPointData().GetScalars())
    voxels[voxels == 2] = 0  # the reader erased lesion 2
    shared_layer.Modified()
    record = captureFeedback(finding, FeedbackAction.CORRECTION, rating=2, comment="  lesion 2 is a vessel ")
    assert (record.prompt, record.modelId, record.modelVersion) == ("solid nodule", "test-model", "1.2.3")
    assert record.rating == 2 and record.action is FeedbackAction.CORRECTION
    assert record.comment == "lesion 2 is a vessel" and record.presentProbability == pytest.approx(0.93)
    corrected = read_label_map(record.correctionFile)
    np.testing.assert_array_equal(corrected.array[0] > 0, labels.array[0] == 1)
    np.testing.assert_allclose(corrected.affine, volume.affine, atol=1e-5)
    np.testing.assert_array_equal(read_label_map(record.modelOutputFile).array, labels.array)
    np.testing.assert_array_equal(read_image(record.imageFile).array, volume.array)

    sink = JsonLinesFeedbackSink(tmp_path / "store")
    record_id = sink.submit(record)
    entry = json.loads(sink.logFile.read_text(encoding="utf-8").splitlines()[-1])
    assert entry["id"] == record_id and entry["action"] == "correction" and entry["rating"] == 2
    assert entry["correctionFile"] == f"{record_id}/correction.nrrd"
    assert (tmp_path / "store" / entry["imageFile"]).is_file()
    assert (tmp_path / "store" / entry["modelOutputFile"]).is_file()
    assert "synthetic CT" not in sink.logFile.read_text(encoding="utf-8")  # no node names (they may name the patient)


def test_accept_and_reject_need_no_correction_and_append_one_line_each(finding, tmp_path):
    sink = JsonLinesFeedbackSink(tmp_path / "store")
    sink.submit(captureFeedback(finding, FeedbackAction.ACCEPT, rating=5))
    sink.submit(captureFeedback(finding, FeedbackAction.REJECT, comment="wrong side"))
    entries = [json.loads(line) for line in sink.logFile.read_text(encoding="utf-8").splitlines()]
    assert [(e["action"], e["rating"], e["comment"], e["correctionFile"]) for e in entries] == [
        ("accept", 5, "", None),
        ("reject", None, "wrong side", None),
    ]


def test_a_missed_finding_gets_an_empty_segmentation_to_draw_in(scene, synthetic_node, synthetic_study, tmp_path):
    volume, labels = synthetic_study
    absent = addFindingToScene(synthetic_node, make_outcome(tmp_path / "02", volume, labels, "calcified mass", False))
    with pytest.raises(ValueError, match="has no segmentation to correct"):
        captureFeedback(absent, FeedbackAction.CORRECTION)
    segmentation = correctionSegmentation(absent)
    assert segmentation.GetSegmentation().GetSegment("lesion_1").GetName() == "calcified mass (drawn)"
    assert segmentation.GetNodeReference("ReinforcedVL.report") is absent.reportNode
    assert correctionSegmentation(absent.__class__.fromNode(absent.reportNode)) is segmentation
    assert not labelmapArrayFromSegments(segmentation, synthetic_node).any()


def test_ratings_outside_one_to_five_are_refused(finding):
    with pytest.raises(ValueError, match=r"from 1 \(useless\) to 5 \(perfect\), got 7"):
        captureFeedback(finding, FeedbackAction.ACCEPT, rating=7)
