"""The scene the module builds, drawn by Slicer's own slice views offscreen (``slice_views.py``: the slice logic's
layers and the segmentations displayable manager from ``slicer-core``): lesions in their segment colours where the
segments are, centred after a jump, and the evidence overlay changing the picture when shown and hidden."""

from __future__ import annotations

import numpy as np
import pytest
import vtk
from slice_views import SliceView, prepareScene

from ReinforcedVLLib.evidence_display import showEvidence
from ReinforcedVLLib.measurement_table import lesionsFromTable
from ReinforcedVLLib.scene_export import addFindingToScene
from ReinforcedVLLib.slice_navigation import jumpSlicesToLesion
from scene_helpers import load_volume_node, make_outcome, slicer

SIZE = 256


def _openGLWorks() -> bool:
    window = vtk.vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.SetSize(4, 4)
    renderer = vtk.vtkRenderer()
    renderer.SetBackground(1.0, 0.0, 0.0)
    window.AddRenderer(renderer)
    window.Render()
    grab = vtk.vtkWindowToImageFilter()
    grab.SetInput(window)
    grab.Update()
    return grab.GetOutput().GetPointData().GetScalars().GetTuple(0)[:3] == (255.0, 0.0, 0.0)


@pytest.fixture(scope="module")
def opengl():
    if not _openGLWorks():
        pytest.skip("no offscreen OpenGL here (VTK found neither a display nor EGL/OSMesa)")


@pytest.fixture
def drawn(opengl, synthetic_study, tmp_path):
    """A scene prepared as Slicer does, the synthetic study's finding in it, and the Red slice view."""
    from reinforcedvl.io import write_volume

    scene = slicer.vtkMRMLScene()
    applicationLogic = prepareScene(scene)
    slicer.vtkMRMLSliceNode.AddDefaultSliceOrientationPresets(scene)
    view = SliceView(scene, applicationLogic, "Red", SIZE)
    volumeNode = load_volume_node(scene, write_volume(synthetic_study[0], tmp_path / "ct.nrrd"), "synthetic CT")
    volumeNode.CreateDefaultDisplayNodes()
    finding = addFindingToScene(volumeNode, make_outcome(tmp_path / "outcome", *synthetic_study, "nodule", True))
    view.show(background=volumeNode)
    view.fitToBackground()
    return scene, view, finding


def _hue(rgb) -> str:
    red, green, blue = (float(value) for value in rgb)
    if red > 150 and green > 150 and blue < 0.75 * min(red, green):
        return "yellow"
    if green > 150 and blue > 150 and red < 0.75 * min(green, blue):
        return "cyan"
    return "grey" if max(red, green, blue) - min(red, green, blue) < 20 else "other"


def test_each_lesion_is_drawn_in_its_segment_colour_and_centred(drawn):
    scene, view, finding = drawn
    segmentation = finding.segmentationNode.GetSegmentation()
    colours = {segmentation.GetNthSegment(i).GetName(): segmentation.GetNthSegment(i).GetColor() for i in range(2)}
    assert [_hue(np.array(colour) * 255) for colour in colours.values()] == ["yellow", "cyan"]
    for lesion, hue in zip(lesionsFromTable(finding.measurementsNode), ("yellow", "cyan"), strict=True):
        jumpSlicesToLesion(finding, lesion.centroid_ras)
        rgb = view.render()
        row, column = view.pixelOf(lesion.centroid_ras)
        assert abs(row - SIZE // 2) <= 1 and abs(column - SIZE // 2) <= 1  # the lesion is centred
        assert _hue(rgb[row, column]) == hue
        ring = [(row + dr, column + dc) for dr, dc in ((0, 40), (0, -40), (40, 0), (-40, 0))]  # ~9 mm away
        assert all(_hue(rgb[r, c]) == "grey" for r, c in ring)  # no segment colour outside the segment


def test_the_evidence_overlay_changes_the_view_when_shown_and_hidden(drawn):
    scene, view, finding = drawn
    lesion = lesionsFromTable(finding.measurementsNode)[0]
    jumpSlicesToLesion(finding, lesion.centroid_ras)
    plain = view.render()
    showEvidence(scene, finding.evidenceNode, True)
    overlaid = view.render()
    changed = (overlaid != plain).any(axis=-1)
    assert changed.sum() > 0.2 * SIZE * SIZE  # the evidence volume covers the study
    row, column = view.pixelOf(lesion.centroid_ras)
    assert overlaid[row, column, 2] < plain[row, column, 2] or overlaid[row, column, 0] > overlaid[row, column, 2]
    showEvidence(scene, finding.evidenceNode, False)
    assert np.array_equal(view.render(), plain)
