"""Fixtures for the Slicer-side tests: a real MRML scene with Slicer's three slice views, and volumes in it."""

from __future__ import annotations

import numpy as np
import pytest

from geometry_helpers import affine_from, ellipsoid_mask, rotation_z
from reinforcedvl.io import write_volume
from reinforcedvl.volume import LabelMap, ScalarVolume
from scene_helpers import LESION_CENTRES_RAS, LESION_RADII_MM, SAMPLE_CT, SLICE_VIEWS, load_volume_node, slicer


@pytest.fixture
def scene():
    """A scene with the three slice views of Slicer's default layout (slice and slice composite nodes)."""
    scene = slicer.vtkMRMLScene()
    slicer.vtkMRMLSliceNode.AddDefaultSliceOrientationPresets(scene)
    for layoutName, orientation in SLICE_VIEWS:
        sliceNode = scene.CreateNodeByClass("vtkMRMLSliceNode")
        sliceNode.SetLayoutName(layoutName)
        sliceNode.SetOrientation(orientation)
        scene.AddNode(sliceNode)
        composite = slicer.vtkMRMLSliceCompositeNode()
        composite.SetLayoutName(layoutName)
        scene.AddNode(composite)
    return scene


@pytest.fixture
def sample_node(scene):
    return load_volume_node(scene, SAMPLE_CT, "LIDC sample")


@pytest.fixture
def synthetic_study(tmp_path):
    """A CT-like volume with two balls, on a rotated anisotropic grid: (volume, label map of the two lesions)."""
    affine = affine_from((0.9, 0.8, 1.5), origin=(-40.0, -5.0, 10.0), direction=rotation_z(20))
    shape = (64, 60, 36)
    labels = np.zeros(shape, np.uint16)
    for value, (centre, radius) in enumerate(zip(LESION_CENTRES_RAS, LESION_RADII_MM, strict=True), start=1):
        labels[ellipsoid_mask(shape, affine, centre, (radius,) * 3)] = value
    image = np.where(labels > 0, 40.0, -850.0).astype(np.float32)
    return ScalarVolume(image[None], affine, name="synthetic"), LabelMap(labels[None], affine, name="lesions")


@pytest.fixture
def synthetic_node(scene, synthetic_study, tmp_path):
    """The synthetic study's volume, written by the engine and loaded by Slicer."""
    path = write_volume(synthetic_study[0], tmp_path / "synthetic.nrrd")
    return load_volume_node(scene, path, "synthetic CT")
