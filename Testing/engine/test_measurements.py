"""Measurements on analytic shapes whose true sizes are known, on several grids."""

from __future__ import annotations

import numpy as np
import pytest

from geometry_helpers import affine_from, ellipsoid_mask, rotation_z
from reinforcedvl.measurements import axial_axis, axial_diameters, centroid_ras, volume_ml
from reinforcedvl.volume import LabelMap

CASES = [
    # spacing, direction, radii (mm, along R, A, S), true long axis, true short axis
    ((0.5, 0.5, 0.5), np.eye(3), (10.0, 10.0, 10.0), 20.0, 20.0),
    ((0.5, 0.5, 2.0), np.eye(3), (12.0, 6.0, 6.0), 24.0, 12.0),
    ((0.6, 0.6, 1.0), rotation_z(35), (12.0, 6.0, 6.0), 24.0, 12.0),
    ((0.7, 0.5, 1.5), np.diag([-1.0, -1.0, 1.0]), (5.0, 9.0, 4.0), 18.0, 10.0),
]


def _grid(spacing, direction, shape=(90, 90, 40)):
    affine = affine_from(spacing, origin=(-20.0, 15.0, -10.0), direction=direction)
    grid = LabelMap(np.zeros((1, *shape), np.uint8), affine)
    centre = grid.voxel_to_ras([[(s - 1) / 2 for s in shape]])[0]
    return grid, centre


@pytest.mark.parametrize("spacing, direction, radii, long_axis, short_axis", CASES)
def test_recist_axes_of_ellipsoids(spacing, direction, radii, long_axis, short_axis):
    grid, centre = _grid(spacing, direction)
    mask = ellipsoid_mask(grid.spatial_shape, grid.affine, centre, radii)
    diameters = axial_diameters(mask, grid)
    in_plane_voxel = max(spacing[a] for a in range(3) if a != axial_axis(grid))
    assert diameters.long_axis_mm == pytest.approx(long_axis, abs=in_plane_voxel)
    assert diameters.short_axis_mm == pytest.approx(short_axis, abs=in_plane_voxel)
    assert diameters.short_axis_mm <= diameters.long_axis_mm


@pytest.mark.parametrize("spacing, direction, radii, long_axis, short_axis", CASES)
def test_volume_and_centroid_of_ellipsoids(spacing, direction, radii, long_axis, short_axis):
    grid, centre = _grid(spacing, direction)
    mask = ellipsoid_mask(grid.spatial_shape, grid.affine, centre, radii)
    true_ml = 4.0 / 3.0 * np.pi * np.prod(radii) / 1000.0
    assert volume_ml(mask, grid) == pytest.approx(true_ml, rel=0.05)
    np.testing.assert_allclose(centroid_ras(mask, grid), centre, atol=max(spacing) / 2)


def test_long_axis_is_taken_in_the_slice_of_greatest_extent():
    grid, centre = _grid((0.5, 0.5, 1.0), np.eye(3))
    mask = ellipsoid_mask(grid.spatial_shape, grid.affine, centre, (8.0, 8.0, 8.0))
    diameters = axial_diameters(mask, grid)
    assert grid.voxel_to_ras([[0, 0, diameters.slice_index]])[0, 2] == pytest.approx(centre[2], abs=1.0)


def test_a_single_voxel_measures_one_voxel():
    grid, _ = _grid((0.8, 0.8, 2.0), np.eye(3), shape=(5, 5, 3))
    mask = np.zeros(grid.spatial_shape, bool)
    mask[2, 2, 1] = True
    diameters = axial_diameters(mask, grid)
    assert 0.5 < diameters.long_axis_mm <= 0.8 * np.sqrt(2) + 1e-6
    assert volume_ml(mask, grid) == pytest.approx(0.8 * 0.8 * 2.0 / 1000)
