"""The module's self-test (its Test class, which Slicer's CTest runs) driven here for real: the click-and-describe
step on the bundled sample with the real worker, and its skip with the reason where the worker's packages are
missing (``test_panel.py``'s fixture)."""

from __future__ import annotations

import unittest

import pytest
import vtk
from test_panel import panel  # noqa: F401 (the fixture)

from ReinforcedVLLib.finding_nodes import FindingNodes
from ReinforcedVLLib.prompt_markups import PromptRole, promptNode, spatialPromptsOf
from scene_helpers import slicer


def _selfTest(panel, monkeypatch, name):  # noqa: F811
    folder = panel.scriptPath.parent / "Resources" / "Samples"  # where the extension build puts the sample
    monkeypatch.setattr(panel.module, "SAMPLE_FILE", folder / panel.module.SAMPLE_FILE.name)
    monkeypatch.setattr(panel.module, "SAMPLE_MASK_FILE", folder / panel.module.SAMPLE_MASK_FILE.name)
    selfTest = panel.module.ReinforcedVLTest(name)
    selfTest.setUp()
    return selfTest


def test_the_self_test_clicks_on_the_sample_nodule_and_describes_it(panel, monkeypatch):  # noqa: F811
    _selfTest(panel, monkeypatch, "test_ReinforcedVL_clickAndDescribe").test_ReinforcedVL_clickAndDescribe()
    reports = [FindingNodes.fromNode(node) for node in slicer.util.getNodesByClass("vtkMRMLTextNode", panel.scene)]
    findings = [finding for finding in reports if finding is not None]
    assert [finding.prompt for finding in findings] == ["solid lung nodule"]
    points = promptNode(panel.scene, PromptRole.POSITIVE, create=False)
    ras = [0.0, 0.0, 0.0]
    points.GetNthControlPointPositionWorld(0, ras)
    assert spatialPromptsOf(findings[0]) == {
        "points": [{"ras": [round(x, 3) for x in ras], "positive": True}],
        "box": None,
    }
    # the bundled starter model answers at the click (LIDC-IDRI-0003 is a dev-split case it was not trained on)
    assert findings[0].present and "at the marked point" in findings[0].reportNode.GetText()
    # the click is on the nodule: inside the sample's reference annotation, which the step removed again
    mask = slicer.util.loadVolume(str(panel.module.SAMPLE_MASK_FILE))
    rasToIJK = vtk.vtkMatrix4x4()
    mask.GetRASToIJKMatrix(rasToIJK)
    i, j, k = (round(x) for x in rasToIJK.MultiplyPoint([*ras, 1.0])[:3])
    assert slicer.util.arrayFromVolume(mask)[k, j, i] > 0
    assert len(slicer.util.getNodesByClass("vtkMRMLScalarVolumeNode", panel.scene)) == 3  # sample, evidence, mask


def test_the_click_and_describe_step_is_skipped_with_the_reason_without_packages(panel, monkeypatch):  # noqa: F811
    monkeypatch.setattr(panel.module, "missingRequirements", lambda: ["monai>=1.4"])
    selfTest = _selfTest(panel, monkeypatch, "test_ReinforcedVL_clickAndDescribe")
    with pytest.raises(unittest.SkipTest, match="not installed here \\(monai>=1.4\\)"):
        selfTest.test_ReinforcedVL_clickAndDescribe()
