"""Volume nodes to engine volumes and to files, with their exact geometry.

A volume node stores voxels as a ``(K, J, I)`` array and its place in space as the ``IJKToRAS`` matrix; the engine's
:class:`reinforcedvl.volume.ScalarVolume` stores ``(C, I, J, K)`` and the same matrix as ``affine``. The worker gets
volumes as NRRD files written by Slicer's own storage node, so what it reads is what Slicer shows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import slicer
import vtk

from reinforcedvl.volume import ScalarVolume, check_same_grid

__all__ = ["ijkToRasArray", "volumeFromNodes", "writeVolumeNode"]


def ijkToRasArray(volumeNode: slicer.vtkMRMLVolumeNode) -> np.ndarray:
    """The node's ``4x4`` voxel-index-to-RAS matrix (its own frame, parent transforms not applied)."""
    matrix = vtk.vtkMatrix4x4()
    volumeNode.GetIJKToRASMatrix(matrix)
    return np.array([[matrix.GetElement(row, column) for column in range(4)] for row in range(4)])


def volumeFromNodes(
    volumeNode: slicer.vtkMRMLScalarVolumeNode, secondChannelNode: slicer.vtkMRMLScalarVolumeNode | None = None
) -> ScalarVolume:
    """The node (and an optional second channel on the same grid) as a float32 ``(C, I, J, K)`` engine volume.

    Raises:
        ValueError: a node has no image data.
        GridMismatchError: the second channel lies on another grid (the message says how to resample it).
    """
    channels = []
    for node in (volumeNode, secondChannelNode):
        if node is None:
            continue
        if node.GetImageData() is None:
            raise ValueError(f"The volume {node.GetName()!r} has no voxels; load or choose another volume.")
        array = slicer.util.arrayFromVolume(node).transpose(2, 1, 0).astype(np.float32)
        channels.append(ScalarVolume(array[None], ijkToRasArray(node), name=node.GetName()))
    check_same_grid(channels, "input volume and second channel")
    name = " + ".join(channel.name for channel in channels)
    return ScalarVolume(np.concatenate([c.array for c in channels]), channels[0].affine, name=name)


def writeVolumeNode(volumeNode: slicer.vtkMRMLVolumeNode, path: str | Path) -> Path:
    """Write the node's voxels and geometry to ``path`` (NRRD or NIfTI, by suffix) without changing the node.

    Raises:
        OSError: the file could not be written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    storage = slicer.vtkMRMLVolumeArchetypeStorageNode()
    storage.SetFileName(str(path))
    storage.SetUseCompression(False)
    if not storage.WriteData(volumeNode):
        raise OSError(f"Slicer could not write {volumeNode.GetName()!r} to {path}; check the disk space and rights.")
    return path
