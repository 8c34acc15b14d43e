"""Selecting a lesion centres every slice view on it, also when the volume sits under a transform."""

from __future__ import annotations

import numpy as np
import pytest

from ReinforcedVLLib.scene_export import addFindingToScene
from ReinforcedVLLib.slice_navigation import jumpSlicesToLesion, jumpSlicesToPoint
from scene_helpers import make_outcome


def _slice_centres(scene) -> list[np.ndarray]:
    nodes = scene.GetNodesByClass("vtkMRMLSliceNode")
    centres = []
    for index in range(nodes.GetNumberOfItems()):
        matrix = nodes.GetItemAsObject(index).GetSliceToRAS()
        centres.append(np.array([matrix.GetElement(row, 3) for row in range(3)]))
    return centres


def test_every_view_is_centred_on_the_point(scene):
    assert jumpSlicesToPoint(scene, (12.5, -30.0, 44.0)) == (12.5, -30.0, 44.0)
    for centre in _slice_centres(scene):
        np.testing.assert_allclose(centre, (12.5, -30.0, 44.0), atol=1e-6)


def test_lesion_centroid_is_taken_through_the_volumes_transform(scene, synthetic_node, synthetic_study, tmp_path):
    volume, labels = synthetic_study
    transform = scene.AddNewNodeByClass("vtkMRMLLinearTransformNode")
    matrix = transform.GetMatrixTransformToParent()
    matrix.SetElement(0, 3, 10.0)
    matrix.SetElement(2, 3, -5.0)
    transform.SetMatrixTransformToParent(matrix)
    synthetic_node.SetAndObserveTransformNodeID(transform.GetID())
    finding = addFindingToScene(synthetic_node, make_outcome(tmp_path / "01", volume, labels, "nodule", True))
    assert finding.segmentationNode.GetParentTransformNode() is transform
    lesion_centroid = (-12.0, 20.0, 30.0)
    world = jumpSlicesToLesion(finding, lesion_centroid)
    assert world == pytest.approx((-2.0, 20.0, 25.0))
    for centre in _slice_centres(scene):
        np.testing.assert_allclose(centre, world, atol=1e-6)
