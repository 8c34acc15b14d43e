"""Showing a finding's evidence map (the language-guided attention, values in [0, 1]) over the image.

In the scene the evidence is 8-bit: the worker's file holds values in steps of 1/255 (``EVIDENCE_LEVELS``), so the
node keeps ``round(value * 255)`` as unsigned char, a quarter of float32's memory (about 75 MB instead of 300 MB for a
512 x 512 x 300 CT) with no value lost; :func:`evidenceValues` gives them back in [0, 1]. The volume gets its own
colour table, transparent where the model paid no attention and warm where it paid most, and is shown as the
foreground layer of every slice view at half opacity.
"""

from __future__ import annotations

import numpy as np
import slicer
import vtk

__all__ = [
    "EVIDENCE_COLOR_TABLE_NAME",
    "evidenceColorNode",
    "configureEvidenceDisplay",
    "storeEvidenceAs8Bit",
    "evidenceValues",
    "showEvidence",
    "evidenceShown",
]

EVIDENCE_COLOR_TABLE_NAME = "ReinforcedVL evidence"
_COLOR_TABLE_ATTRIBUTE = "ReinforcedVL.colorTable"
# (evidence value, red, green, blue, opacity): dark transparent blue through yellow to opaque red.
_COLOR_STOPS = np.array(
    [
        (0.0, 0.05, 0.05, 0.35, 0.0),
        (0.3, 0.15, 0.25, 0.85, 0.35),
        (0.6, 0.95, 0.85, 0.15, 0.75),
        (1.0, 0.9, 0.1, 0.1, 1.0),
    ]
)
_COLORS = 256
# The worker's evidence file holds steps of 1/EVIDENCE_LEVELS (reinforcedvl.study.finding_files.EVIDENCE_LEVELS, which
# imports torch: Slicer's process must not; a test keeps the two equal).
EVIDENCE_LEVELS = 255
_SHOWN_FROM = 0.1  # evidence below this is not drawn at all
FOREGROUND_OPACITY = 0.5


def evidenceColorNode(scene: slicer.vtkMRMLScene) -> slicer.vtkMRMLColorTableNode:
    """The scene's evidence colour table, created on first use (one per scene, saved with it)."""
    tables = scene.GetNodesByClass("vtkMRMLColorTableNode")
    for index in range(tables.GetNumberOfItems()):
        table = tables.GetItemAsObject(index)
        if table.GetAttribute(_COLOR_TABLE_ATTRIBUTE) == "evidence":
            return table
    table = scene.AddNewNodeByClass("vtkMRMLColorTableNode", EVIDENCE_COLOR_TABLE_NAME)
    table.SetAttribute(_COLOR_TABLE_ATTRIBUTE, "evidence")
    table.SetTypeToUser()
    table.SetNumberOfColors(_COLORS)
    values = np.linspace(0.0, 1.0, _COLORS)
    channels = [np.interp(values, _COLOR_STOPS[:, 0], _COLOR_STOPS[:, column]) for column in range(1, 5)]
    for index, (red, green, blue, opacity) in enumerate(zip(*channels, strict=True)):
        table.SetColor(index, f"evidence {values[index]:.2f}", red, green, blue, opacity)
    return table


def storeEvidenceAs8Bit(evidenceNode: slicer.vtkMRMLScalarVolumeNode) -> None:
    """Replace the node's evidence values in [0, 1] (steps of 1/255) by their step numbers 0..255, unsigned char."""
    values = slicer.util.arrayFromVolume(evidenceNode)
    steps = np.rint(np.clip(values, 0.0, 1.0) * EVIDENCE_LEVELS).astype(np.uint8)
    imageData = evidenceNode.GetImageData()
    imageData.AllocateScalars(vtk.VTK_UNSIGNED_CHAR, 1)
    slicer.util.arrayFromVolume(evidenceNode)[:] = steps
    evidenceNode.Modified()


def evidenceValues(evidenceNode: slicer.vtkMRMLScalarVolumeNode) -> np.ndarray:
    """The evidence in [0, 1] as float32, KJI order as ``slicer.util.arrayFromVolume`` gives it."""
    return slicer.util.arrayFromVolume(evidenceNode).astype(np.float32) / EVIDENCE_LEVELS


def configureEvidenceDisplay(evidenceNode: slicer.vtkMRMLScalarVolumeNode) -> slicer.vtkMRMLScalarVolumeDisplayNode:
    """Give the 8-bit evidence volume the evidence colour table, its fixed range and a low cut-off."""
    scene = evidenceNode.GetScene()
    display = evidenceNode.GetScalarVolumeDisplayNode()
    if display is None:
        display = scene.AddNewNodeByClass("vtkMRMLScalarVolumeDisplayNode")
        evidenceNode.SetAndObserveDisplayNodeID(display.GetID())
    display.SetAndObserveColorNodeID(evidenceColorNode(scene).GetID())
    display.SetAutoWindowLevel(False)
    display.SetWindowLevelMinMax(0.0, EVIDENCE_LEVELS)
    display.SetAutoThreshold(False)
    display.SetThreshold(_SHOWN_FROM * EVIDENCE_LEVELS, EVIDENCE_LEVELS)
    display.SetApplyThreshold(True)
    return display


def showEvidence(scene: slicer.vtkMRMLScene, evidenceNode: slicer.vtkMRMLScalarVolumeNode, visible: bool) -> None:
    """Show ``evidenceNode`` as the foreground of every slice view, or hide it where it is shown."""
    composites = scene.GetNodesByClass("vtkMRMLSliceCompositeNode")
    for index in range(composites.GetNumberOfItems()):
        composite = composites.GetItemAsObject(index)
        if visible:
            composite.SetForegroundVolumeID(evidenceNode.GetID())
            composite.SetForegroundOpacity(FOREGROUND_OPACITY)
        elif composite.GetForegroundVolumeID() == evidenceNode.GetID():
            composite.SetForegroundVolumeID(None)


def evidenceShown(scene: slicer.vtkMRMLScene, evidenceNode: slicer.vtkMRMLScalarVolumeNode | None) -> bool:
    """Whether some slice view shows ``evidenceNode`` as its foreground."""
    if evidenceNode is None:
        return False
    composites = scene.GetNodesByClass("vtkMRMLSliceCompositeNode")
    return any(
        composites.GetItemAsObject(index).GetForegroundVolumeID() == evidenceNode.GetID()
        for index in range(composites.GetNumberOfItems())
    )
