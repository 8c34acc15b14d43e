"""A segmentation's segments as one label map on a volume's grid: for reading voxels and for saving corrections."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import slicer
import vtk

from .volume_bridge import writeVolumeNode

__all__ = ["labelmapArrayFromSegments", "writeSegmentsAsLabelmap"]


@contextmanager
def _exportedLabelmap(
    segmentationNode: slicer.vtkMRMLSegmentationNode,
    referenceVolumeNode: slicer.vtkMRMLVolumeNode,
    segmentIds: Sequence[str] | None,
) -> Iterator[slicer.vtkMRMLLabelMapVolumeNode]:
    """A temporary label map node (segment n of ``segmentIds`` = label n; all segments when None)."""
    scene = segmentationNode.GetScene()
    labelmapNode = scene.AddNewNodeByClass("vtkMRMLLabelMapVolumeNode", scene.GenerateUniqueName("ReinforcedVL export"))
    try:
        segmentation = segmentationNode.GetSegmentation()
        ids = vtk.vtkStringArray()
        for segmentId in segmentIds or [
            segmentation.GetNthSegmentID(i) for i in range(segmentation.GetNumberOfSegments())
        ]:
            ids.InsertNextValue(segmentId)
        logic = slicer.vtkSlicerSegmentationsModuleLogic
        if not logic.ExportSegmentsToLabelmapNode(segmentationNode, ids, labelmapNode, referenceVolumeNode):
            raise ValueError(
                f"The segments of {segmentationNode.GetName()!r} could not be exported onto "
                f"{referenceVolumeNode.GetName()!r}; check that the segmentation still has its segments."
            )
        yield labelmapNode
    finally:
        scene.RemoveNode(labelmapNode)


def labelmapArrayFromSegments(
    segmentationNode: slicer.vtkMRMLSegmentationNode,
    referenceVolumeNode: slicer.vtkMRMLVolumeNode,
    segmentIds: Sequence[str] | None = None,
) -> np.ndarray:
    """The segments as an ``(I, J, K)`` label array on ``referenceVolumeNode``'s grid (segment n = n, 0 outside)."""
    with _exportedLabelmap(segmentationNode, referenceVolumeNode, segmentIds) as labelmapNode:
        return slicer.util.arrayFromVolume(labelmapNode).transpose(2, 1, 0).copy()


def writeSegmentsAsLabelmap(
    segmentationNode: slicer.vtkMRMLSegmentationNode, referenceVolumeNode: slicer.vtkMRMLVolumeNode, path: str | Path
) -> Path:
    """Write every segment as one label map file on ``referenceVolumeNode``'s grid (segment n = n)."""
    with _exportedLabelmap(segmentationNode, referenceVolumeNode, None) as labelmapNode:
        return writeVolumeNode(labelmapNode, path)
