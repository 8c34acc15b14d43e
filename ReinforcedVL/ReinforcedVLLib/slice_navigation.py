"""Centring the slice views on a lesion (selecting a lesion row, or a report sentence, calls this)."""

from __future__ import annotations

from collections.abc import Sequence

import slicer
import vtk

from .finding_nodes import FindingNodes

__all__ = ["jumpSlicesToPoint", "jumpSlicesToLesion"]


def jumpSlicesToPoint(
    scene: slicer.vtkMRMLScene, pointRAS: Sequence[float], transformNode: slicer.vtkMRMLTransformNode | None = None
) -> tuple[float, float, float]:
    """Centre every slice view on ``pointRAS`` (given in ``transformNode``'s frame, if any); the world point used."""
    world = [float(x) for x in pointRAS]
    if transformNode is not None:
        toWorld = vtk.vtkGeneralTransform()
        transformNode.GetTransformToWorld(toWorld)
        world = list(toWorld.TransformPoint(world))
    slicer.vtkMRMLSliceNode.JumpAllSlices(scene, *world, slicer.vtkMRMLSliceNode.CenteredJumpSlice)
    return (float(world[0]), float(world[1]), float(world[2]))


def jumpSlicesToLesion(finding: FindingNodes, centroidRAS: Sequence[float]) -> tuple[float, float, float]:
    """Centre the slice views on a lesion of ``finding`` (its centroid lies in the input volume's frame)."""
    frameNode = finding.segmentationNode or finding.evidenceNode or finding.inputVolumeNode
    transformNode = frameNode.GetParentTransformNode() if frameNode is not None else None
    return jumpSlicesToPoint(finding.reportNode.GetScene(), centroidRAS, transformNode)
