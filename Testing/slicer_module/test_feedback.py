"""Feedback on a finding in a real scene: what is captured (image, model output, the user's correction, rating,
comment) and what the feedback store keeps of it."""

from __future__ import annotations

import numpy as np
import pytest
import vtk
import vtk.util.numpy_support

from reinforcedvl.io import read_image, read_label_map
from ReinforcedVLLib.feedback_capture import captureFeedback, correctionSegmentation
from ReinforcedVLLib.feedback_sink import FeedbackAction, FeedbackStoreSink
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

    sink = FeedbackStoreSink(tmp_path / "store", annotator="reader-7")
    stored = sink.store.get(sink.submit(record))
    assert (stored.action, stored.rating, stored.annotator, stored.modality) == ("correct", 2, "reader-7", "CT")
    np.testing.assert_array_equal(sink.store.read_mask(stored, "final_mask").array[0] > 0, labels.array[0] == 1)
    np.testing.assert_array_equal(sink.store.read_mask(stored, "model_mask").array, labels.array)
    assert 0.5 < stored.dice < 1.0 and stored.description.startswith("Lesion 1 (yellow): solid nodule")
    assert not record.imageFile.exists()  # the staged files went into the store's keeping
    stored_bytes = b"".join(p.read_bytes() for p in sink.folder.rglob("*") if p.is_file())
    assert b"synthetic CT" not in stored_bytes  # no node names (they may name the patient)


def test_accept_and_reject_need_no_correction_and_store_one_record_each(finding, tmp_path):
    sink = FeedbackStoreSink(tmp_path / "store")
    sink.submit(captureFeedback(finding, FeedbackAction.ACCEPT, rating=5))
    sink.submit(captureFeedback(finding, FeedbackAction.REJECT, comment="wrong side"))
    records = sink.store.records()
    assert [(r.action.value, r.rating, r.comment, r.dice, r.file("final_mask") is None) for r in records] == [
        ("accept", 5, "", 1.0, False),
        ("reject", None, "wrong side", None, True),
    ]
    assert sink.store.check().consistent


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
