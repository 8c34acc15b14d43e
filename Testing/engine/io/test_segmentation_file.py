"""Slicer segmentation files, read back by Slicer's own storage node (slicer-core)."""

from __future__ import annotations

import numpy as np
import pytest
import SimpleITK as sitk

from geometry_helpers import affine_from, rotation_z
from reinforcedvl.io.segmentation_file import SegmentDescription, write_segmentation_file
from reinforcedvl.terminology import terminology_for_finding
from reinforcedvl.volume import LabelMap

slicer = pytest.importorskip("slicer", reason="slicer-core is part of the test requirements")
vtk = pytest.importorskip("vtk")


def _tag(segment, key: str) -> str:
    value = vtk.reference("")
    assert segment.GetTag(key, value)
    return str(value)


def _read_with_slicer(path):
    scene = slicer.vtkMRMLScene()
    node = slicer.vtkMRMLSegmentationNode()
    scene.AddNode(node)
    storage = slicer.vtkMRMLSegmentationStorageNode()
    scene.AddNode(storage)
    storage.SetFileName(str(path))
    assert storage.ReadData(node) == 1
    return node.GetSegmentation()


def test_slicer_reads_named_coloured_coded_segments(tmp_path):
    affine = affine_from((0.8, 0.8, 2.0), origin=(-20.0, 35.0, 4.0), direction=rotation_z(15))
    labels = np.zeros((1, 20, 18, 6), np.uint8)
    labels[0, 2:6, 3:7, 1:3] = 1
    labels[0, 10:15, 9:12, 2:5] = 2
    segments = [
        SegmentDescription(
            f"lesion_{n}",
            f"spiculated nodule {n}",
            n,
            rgb,
            terminology_for_finding("spiculated nodule"),
            {"ReinforcedVL.prompt": "spiculated nodule", "ReinforcedVL.presentProbability": "0.9"},
        )
        for n, rgb in ((1, (1.0, 0.86, 0.0)), (2, (0.0, 0.8, 1.0)))
    ]
    path = write_segmentation_file(LabelMap(labels, affine), segments, tmp_path / "lesions.seg.nrrd")
    segmentation = _read_with_slicer(path)
    assert segmentation.GetNumberOfSegments() == 2
    second = segmentation.GetSegment("lesion_2")
    assert second.GetName() == "spiculated nodule 2"
    assert second.GetColor() == pytest.approx((0.0, 0.8, 1.0), abs=1e-3)
    assert second.GetLabelValue() == 2
    entry = _tag(second, "TerminologyEntry")
    assert "SCT^49755003^Morphologically Altered Structure" in entry and "SCT^27925004^Nodule" in entry
    assert _tag(second, "ReinforcedVL.prompt") == "spiculated nodule"


def test_segment_voxels_sit_where_the_label_map_put_them(tmp_path):
    affine = affine_from((0.5, 0.7, 2.5), origin=(10.0, -12.0, 30.0), direction=np.diag([-1.0, -1.0, 1.0]))
    labels = np.zeros((1, 12, 10, 4), np.uint8)
    labels[0, 3, 4, 2] = 1
    path = write_segmentation_file(
        LabelMap(labels, affine),
        [SegmentDescription("lesion_1", "lesion 1", 1, (1.0, 1.0, 0.0), terminology_for_finding("lesion"))],
        tmp_path / "one.seg.nrrd",
    )
    segmentation = _read_with_slicer(path)
    labelmap = segmentation.GetSegment("lesion_1").GetRepresentation("Binary labelmap")
    matrix = vtk.vtkMatrix4x4()
    labelmap.GetImageToWorldMatrix(matrix)
    image_to_world = np.array([[matrix.GetElement(r, c) for c in range(4)] for r in range(4)])
    extent = labelmap.GetExtent()
    scalars = labelmap.GetPointData().GetScalars()
    marked = []
    for k in range(extent[4], extent[5] + 1):
        for j in range(extent[2], extent[3] + 1):
            for i in range(extent[0], extent[1] + 1):
                index = labelmap.ComputePointId([i, j, k])
                if scalars.GetTuple1(index):
                    marked.append(image_to_world @ [i, j, k, 1])
    assert len(marked) == 1
    expected = affine @ [3, 4, 2, 1]
    np.testing.assert_allclose(marked[0][:3], expected[:3], atol=1e-4)


def test_file_name_must_say_seg_nrrd(tmp_path):
    with pytest.raises(ValueError, match=r"\.seg\.nrrd"):
        write_segmentation_file(LabelMap(np.zeros((1, 2, 2, 2), np.uint8), np.eye(4)), [], tmp_path / "x.nrrd")


def test_each_segment_records_the_extent_of_its_own_voxels(tmp_path):
    labels = np.zeros((1, 12, 10, 6), np.uint16)
    labels[0, 2:5, 3, 1:4] = 1
    labels[0, 9, 0:10, 5] = 2
    segments = [
        SegmentDescription(f"lesion_{n}", f"lesion {n}", n, (1.0, 1.0, 0.0), terminology_for_finding("lesion"))
        for n in (1, 2, 3)  # lesion 3 has no voxel
    ]
    path = write_segmentation_file(LabelMap(labels, np.eye(4)), segments, tmp_path / "three.seg.nrrd")
    header = sitk.ReadImage(str(path))
    extents = [header.GetMetaData(f"Segment{index}_Extent") for index in range(3)]
    assert extents == ["2 4 3 3 1 3", "9 9 0 9 5 5", "0 -1 0 -1 0 -1"]
