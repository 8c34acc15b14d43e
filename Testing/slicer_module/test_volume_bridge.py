"""Volume nodes to engine volumes and files: the geometry and voxels Slicer has are the ones the engine reads."""

from __future__ import annotations

import numpy as np
import pytest

from reinforcedvl.errors import GridMismatchError
from reinforcedvl.io import read_image
from ReinforcedVLLib.volume_bridge import ijkToRasArray, volumeFromNodes, writeVolumeNode
from scene_helpers import SAMPLE_CT


def test_node_gives_the_engine_readers_voxels_and_geometry(sample_node):
    from_node = volumeFromNodes(sample_node)
    from_file = read_image(SAMPLE_CT)
    np.testing.assert_allclose(from_node.affine, from_file.affine, atol=1e-5)
    np.testing.assert_array_equal(from_node.array, from_file.array)
    assert from_node.spatial_shape == (43, 44, 10) == from_file.spatial_shape
    assert from_node.name == "LIDC sample"


def test_written_node_reads_back_identically_in_the_engine(synthetic_node, synthetic_study, tmp_path):
    path = writeVolumeNode(synthetic_node, tmp_path / "sent-to-worker.nrrd")
    read_back = read_image(path)
    volume, _ = synthetic_study
    np.testing.assert_allclose(read_back.affine, volume.affine, atol=1e-5)
    np.testing.assert_array_equal(read_back.array, volume.array)
    np.testing.assert_allclose(ijkToRasArray(synthetic_node), volume.affine, atol=1e-5)
    assert synthetic_node.GetStorageNode().GetFileName().endswith("synthetic.nrrd")


def test_second_channel_is_stacked_on_the_same_grid(scene, sample_node):
    second = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", "second")
    second.Copy(sample_node)
    second.SetName("second")
    volume = volumeFromNodes(sample_node, second)
    assert volume.num_channels == 2 and volume.name == "LIDC sample + second"
    np.testing.assert_array_equal(volume.array[0], volume.array[1])


def test_second_channel_on_another_grid_is_refused_with_the_fix(scene, sample_node, synthetic_node):
    with pytest.raises(GridMismatchError, match="Resample the second onto the first"):
        volumeFromNodes(sample_node, synthetic_node)


def test_node_without_voxels_is_refused(scene):
    empty = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", "empty")
    with pytest.raises(ValueError, match="'empty' has no voxels"):
        volumeFromNodes(empty)
