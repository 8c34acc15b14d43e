"""Point and describe in a real MRML scene: Markups nodes in, the worker (the shipped starter model) answers at the
points, segments out, and the points stay with the finding, its report and its feedback record."""

from __future__ import annotations

import numpy as np
import pytest
import vtk
from scipy import ndimage

from reinforcedvl.io import read_label_map
from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID
from ReinforcedVLLib.feedback_capture import captureFeedback
from ReinforcedVLLib.feedback_sink import FeedbackAction, FeedbackStoreSink
from ReinforcedVLLib.inference_session import InferenceSession
from ReinforcedVLLib.prompt_markups import PromptRole, promptNode, spatialPromptsFromNodes, spatialPromptsOf
from scene_helpers import REPOSITORY

SAMPLE_MASK = REPOSITORY / "Resources" / "Samples" / "lidc_nodule_LIDC-IDRI-0003_R_4_mask.nii.gz"
TIMEOUT_S = 900


@pytest.fixture(scope="module")
def nodule_centre_ras():
    mask = read_label_map(SAMPLE_MASK)
    return mask.voxel_to_ras(np.asarray(ndimage.center_of_mass(mask.array[0] > 0)))[0]


def test_markups_nodes_become_spatial_prompts(scene):
    positive = promptNode(scene, PromptRole.POSITIVE)
    negative = promptNode(scene, PromptRole.NEGATIVE)
    box = promptNode(scene, PromptRole.BOX)
    assert promptNode(scene, PromptRole.POSITIVE) is positive  # found again by its role, not created twice
    assert spatialPromptsFromNodes(positive, negative, box) is None  # nothing placed yet
    positive.AddControlPoint(10.0, 20.0, 30.0)
    positive.AddControlPoint(11.0, 21.0, 31.0)
    positive.UnsetNthControlPointPosition(1)  # not placed (yet): not a prompt
    negative.AddControlPoint(-5.0, 0.5, 2.0)
    transform = scene.AddNewNodeByClass("vtkMRMLLinearTransformNode")
    matrix = vtk.vtkMatrix4x4()
    matrix.SetElement(2, 3, 7.0)  # 7 mm superior
    transform.SetMatrixTransformToParent(matrix)
    negative.SetAndObserveTransformNodeID(transform.GetID())
    box.SetCenter(0.0, 10.0, 20.0)
    box.SetSize(20.0, 40.0, 10.0)
    prompts = spatialPromptsFromNodes(positive, negative, box)
    assert prompts == {
        "points": [{"ras": [10.0, 20.0, 30.0], "positive": True}, {"ras": [-5.0, 0.5, 9.0], "positive": False}],
        "box": {"corner_a_ras": [-10.0, -10.0, 15.0], "corner_b_ras": [10.0, 30.0, 25.0]},
    }


@pytest.fixture
def session(tmp_path):
    session = InferenceSession(tmp_path / "work")
    yield session
    session.stop()


def test_a_click_on_the_sample_nodule_gives_its_segment_and_is_kept_with_the_finding(
    session, scene, sample_node, nodule_centre_ras, tmp_path
):
    positive = promptNode(scene, PromptRole.POSITIVE)
    positive.AddControlPoint(*nodule_centre_ras)
    prompts = spatialPromptsFromNodes(positive, promptNode(scene, PromptRole.NEGATIVE), None)
    finding = session.segmentAndWait(
        sample_node, "solid lung nodule", modelId=DEFAULT_MODEL_ID, spatialPrompts=prompts, timeoutSeconds=TIMEOUT_S
    )
    assert finding.present
    assert finding.segmentationNode.GetSegmentation().GetNumberOfSegments() == 1
    assert spatialPromptsOf(finding) == prompts
    assert "Lesion 1 (yellow), at the marked point:" in finding.reportNode.GetText()

    # the same finding asked again with a not-this point on the nodule: the worker still has the volume
    negative = promptNode(scene, PromptRole.NEGATIVE)
    negative.AddControlPoint(*nodule_centre_ras)
    again = spatialPromptsFromNodes(None, negative, None)
    job = session.startSegmentation(sample_node, "solid lung nodule", modelId=DEFAULT_MODEL_ID, spatialPrompts=again)
    assert job.volumeRequestId is None
    while True:
        event = session.client.next_event(TIMEOUT_S)
        assert event is not None
        if session.endsJob(job, event):
            break
    removed = session.finishJob(job, event, scene)
    assert not removed.present and spatialPromptsOf(removed) == again

    record = captureFeedback(finding, FeedbackAction.ACCEPT, rating=5)
    assert record.spatialPrompts == prompts
    sink = FeedbackStoreSink(tmp_path / "feedback", annotator="reader")
    stored = sink.store.get(sink.submit(record))
    assert sink.store.read_spatial_prompts(stored).to_dict() == prompts
