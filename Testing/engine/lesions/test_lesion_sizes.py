"""Measurements on analytic shapes whose true sizes are known, on several grids."""

from __future__ import annotations

import numpy as np
import pytest

from geometry_helpers import affine_from, ellipsoid_mask, rotation_z
from reinforcedvl.lesions.sizes import (
    axial_axis,
    axial_diameters,
    bounding_box,
    centroid_ras,
    component_count,
    equivalent_sphere_diameter_mm,
    maximum_area_slice,
    maximum_diameter_mm,
    volume_ml,
)
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


def _rotation_x(degrees: float) -> np.ndarray:
    angle = np.deg2rad(degrees)
    return np.array([[1, 0, 0], [0, np.cos(angle), -np.sin(angle)], [0, np.sin(angle), np.cos(angle)]])


DIAMETER_CASES = [
    # spacing, grid direction, radii (mm, along the ellipsoid's axes), ellipsoid axes (columns, RAS), true 3D diameter
    ((0.5, 0.5, 0.5), np.eye(3), (10.0, 10.0, 10.0), None, 20.0),
    ((0.6, 0.6, 1.0), rotation_z(35), (12.0, 6.0, 6.0), None, 24.0),
    ((0.7, 0.7, 2.5), np.eye(3), (4.0, 4.0, 4.0), None, 8.0),
    ((0.5, 0.5, 1.0), np.eye(3), (14.0, 5.0, 4.0), rotation_z(30) @ _rotation_x(40), 28.0),
    ((0.8, 0.6, 1.2), rotation_z(-20), (9.0, 6.0, 3.0), _rotation_x(60), 18.0),
]


@pytest.mark.parametrize("spacing, direction, radii, axes, diameter", DIAMETER_CASES)
def test_maximum_diameter_of_ellipsoids_in_any_direction(spacing, direction, radii, axes, diameter):
    grid, centre = _grid(spacing, direction)
    mask = ellipsoid_mask(grid.spatial_shape, grid.affine, centre, radii, axes)
    assert maximum_diameter_mm(mask, grid) == pytest.approx(diameter, abs=max(spacing))
    assert maximum_diameter_mm(mask, grid) >= axial_diameters(mask, grid).long_axis_mm - 1e-6


@pytest.mark.parametrize("spacing, direction, radii, axes, diameter", DIAMETER_CASES)
def test_equivalent_sphere_diameter_follows_the_volume(spacing, direction, radii, axes, diameter):
    grid, centre = _grid(spacing, direction)
    mask = ellipsoid_mask(grid.spatial_shape, grid.affine, centre, radii, axes)
    true_diameter = 2.0 * float(np.prod(radii)) ** (1 / 3)
    assert equivalent_sphere_diameter_mm(volume_ml(mask, grid)) == pytest.approx(true_diameter, rel=0.03)


def test_equivalent_sphere_diameter_of_one_millilitre():
    assert equivalent_sphere_diameter_mm(4 / 3 * np.pi * 5.0**3 / 1000) == pytest.approx(10.0)


def test_bounding_box_and_border_contact():
    grid, _ = _grid((0.5, 0.8, 2.0), np.eye(3), shape=(20, 30, 10))
    mask = np.zeros(grid.spatial_shape, bool)
    mask[3:7, 10:21, 2:5] = True
    box = bounding_box(mask, grid)
    assert box.ijk_min == (3, 10, 2) and box.ijk_max == (6, 20, 4)
    assert box.extent_mm == pytest.approx((4 * 0.5, 11 * 0.8, 3 * 2.0))
    assert not box.touches_border(grid.spatial_shape)
    mask[3:7, 10:21, 0] = True
    assert bounding_box(mask, grid).touches_border(grid.spatial_shape)
    assert mask[bounding_box(mask, grid).slices].sum() == mask.sum()


def test_slice_of_maximum_area_on_an_oblique_lps_grid():
    direction = np.diag([-1.0, -1.0, 1.0]) @ rotation_z(20)
    grid, _ = _grid((0.7, 0.7, 2.5), direction, shape=(30, 30, 8))
    mask = np.zeros(grid.spatial_shape, bool)
    mask[5:10, 5:10, 2] = True  # 25 pixels
    mask[5:15, 5:15, 5] = True  # 100 pixels: the largest
    largest = maximum_area_slice(mask, grid)
    assert largest.slice_index == 5
    assert largest.area_mm2 == pytest.approx(100 * 0.7 * 0.7)


def test_axial_slices_follow_the_patient_axis_not_the_last_array_axis():
    grid, _ = _grid((2.5, 0.7, 0.7), np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], float), shape=(8, 30, 30))
    assert axial_axis(grid) == 0
    mask = np.zeros(grid.spatial_shape, bool)
    mask[3, 2:12, 2:12] = True
    assert maximum_area_slice(mask, grid).slice_index == 3


@pytest.mark.parametrize(
    "offsets, count",
    [([(0, 0, 0)], 1), ([(0, 0, 0), (10, 0, 0)], 2), ([(0, 0, 0), (4, 4, 4)], 1), ([(0, 0, 0), (5, 0, 0)], 2)],
)
def test_component_count_joins_voxels_touching_at_a_corner(offsets, count):
    mask = np.zeros((20, 20, 20), bool)
    for i, j, k in offsets:
        mask[2 + i : 6 + i, 2 + j : 6 + j, 2 + k : 6 + k] = True
    assert component_count(mask) == count
