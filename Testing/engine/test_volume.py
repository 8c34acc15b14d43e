from __future__ import annotations

import numpy as np
import pytest

from geometry_helpers import affine_from, rotation_z
from reinforcedvl.errors import GridMismatchError
from reinforcedvl.volume import LabelMap, ScalarVolume, check_same_grid

GEOMETRY_CASES = [
    # spacing, direction, expected orientation code
    ((0.5, 0.5, 2.0), np.eye(3), "RAS"),
    ((1.0, 1.0, 1.0), np.diag([-1.0, -1.0, 1.0]), "LPS"),
    ((0.7, 0.9, 3.0), rotation_z(30), "RAS"),
    ((1.0, 2.0, 3.0), np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=float), "ASR"),
]


@pytest.mark.parametrize("spacing, direction, orientation", GEOMETRY_CASES)
def test_geometry_is_derived_from_the_affine(spacing, direction, orientation):
    affine = affine_from(spacing, origin=(10.0, -5.0, 3.0), direction=direction)
    volume = ScalarVolume(np.zeros((1, 4, 5, 6), np.float32), affine)
    assert volume.spacing == pytest.approx(spacing)
    assert volume.origin_ras == pytest.approx((10.0, -5.0, 3.0))
    np.testing.assert_allclose(volume.direction_ras, direction, atol=1e-12)
    assert volume.orientation == orientation
    assert volume.spatial_shape == (4, 5, 6)


def test_voxel_and_ras_coordinates_are_inverse():
    affine = affine_from((0.7, 0.9, 3.0), origin=(1.0, 2.0, 3.0), direction=rotation_z(25))
    volume = ScalarVolume(np.zeros((1, 3, 3, 3), np.float32), affine)
    ijk = np.array([[0, 0, 0], [2, 1, 0.5], [10, -3, 7]])
    np.testing.assert_allclose(volume.ras_to_voxel(volume.voxel_to_ras(ijk)), ijk, atol=1e-9)
    # one step along k moves 3 mm along the third direction column
    step = volume.voxel_to_ras([[0, 0, 1]]) - volume.voxel_to_ras([[0, 0, 0]])
    assert np.linalg.norm(step) == pytest.approx(3.0)


def test_crop_keeps_voxels_in_place():
    affine = affine_from((0.5, 1.0, 2.0), origin=(-3.0, 4.0, 5.0), direction=rotation_z(40))
    array = np.arange(4 * 5 * 6, dtype=np.float32).reshape(1, 4, 5, 6)
    volume = ScalarVolume(array, affine)
    cropped = volume.crop((slice(1, 3), slice(2, 5), slice(3, 6)))
    assert cropped.spatial_shape == (2, 3, 3)
    np.testing.assert_allclose(cropped.voxel_to_ras([[0, 0, 0]]), volume.voxel_to_ras([[1, 2, 3]]))
    assert cropped.array[0, 0, 0, 0] == volume.array[0, 1, 2, 3]


def test_grid_mismatch_names_both_volumes_and_the_fix():
    first = ScalarVolume(np.zeros((1, 4, 4, 4), np.float32), affine_from((1, 1, 1)), name="flair.nii.gz")
    second = ScalarVolume(np.zeros((1, 4, 4, 4), np.float32), affine_from((1, 1, 1.2)), name="t1c.nii.gz")
    check_same_grid([first, first])
    with pytest.raises(GridMismatchError, match=r"(?s)flair\.nii\.gz.*t1c\.nii\.gz.*Resample"):
        check_same_grid([first, second], "channels of one study")


def test_label_map_lists_its_labels():
    array = np.zeros((1, 3, 3, 3), np.uint8)
    array[0, 0, 0, 0], array[0, 2, 2, 2] = 4, 1
    assert LabelMap(array, np.eye(4)).labels.tolist() == [1, 4]
