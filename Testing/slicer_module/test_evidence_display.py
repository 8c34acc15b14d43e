"""The evidence colour table (one per scene) and showing the evidence over the image in every slice view."""

from __future__ import annotations

import pytest

from ReinforcedVLLib.evidence_display import (
    FOREGROUND_OPACITY,
    configureEvidenceDisplay,
    evidenceColorNode,
    evidenceShown,
    showEvidence,
)
from scene_helpers import load_volume_node


def test_one_colour_table_per_scene_transparent_where_there_is_no_evidence(scene):
    table = evidenceColorNode(scene)
    assert evidenceColorNode(scene) is table
    opacities = []
    for index in (0, 64, 128, 192, 255):
        rgba = [0.0] * 4
        table.GetColor(index, rgba)
        opacities.append(rgba[3])
    assert opacities[0] == 0.0 and opacities == sorted(opacities) and opacities[-1] == 1.0


def test_show_and_hide_in_every_slice_view(scene, sample_node, tmp_path):
    evidence = load_volume_node(scene, sample_node.GetStorageNode().GetFileName(), "evidence")
    display = configureEvidenceDisplay(evidence)
    assert display.GetApplyThreshold() and display.GetLowerThreshold() == pytest.approx(0.1 * 255)  # 8-bit steps
    composites = [scene.GetNodesByClass("vtkMRMLSliceCompositeNode").GetItemAsObject(i) for i in range(3)]
    composites[0].SetBackgroundVolumeID(sample_node.GetID())
    assert not evidenceShown(scene, evidence)
    showEvidence(scene, evidence, True)
    assert evidenceShown(scene, evidence)
    assert [(c.GetForegroundVolumeID(), c.GetForegroundOpacity()) for c in composites] == [
        (evidence.GetID(), FOREGROUND_OPACITY)
    ] * 3
    assert composites[0].GetBackgroundVolumeID() == sample_node.GetID()
    composites[2].SetForegroundVolumeID(sample_node.GetID())  # the user put something else there
    showEvidence(scene, evidence, False)
    assert [c.GetForegroundVolumeID() for c in composites] == [None, None, sample_node.GetID()]
    assert not evidenceShown(scene, evidence) and not evidenceShown(scene, None)


def test_the_scene_keeps_the_evidence_steps_the_worker_writes():
    from reinforcedvl.study.finding_files import EVIDENCE_LEVELS as WORKER_LEVELS
    from ReinforcedVLLib.evidence_display import EVIDENCE_LEVELS

    assert EVIDENCE_LEVELS == WORKER_LEVELS
