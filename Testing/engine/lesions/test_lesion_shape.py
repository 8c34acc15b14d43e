"""Shape descriptors on analytic shapes whose true values are known, on isotropic, anisotropic and oblique grids."""

from __future__ import annotations

import numpy as np
import pytest

from geometry_helpers import affine_from, ellipsoid_mask, rotation_z
from reinforcedvl.lesions.shape import principal_diameters_mm, shape_descriptors
from reinforcedvl.volume import LabelMap

GRIDS = [
    # spacing, direction
    ((0.5, 0.5, 0.5), np.eye(3)),
    ((0.6, 0.6, 1.0), rotation_z(35)),
    ((0.5, 0.5, 2.0), np.diag([-1.0, -1.0, 1.0])),
]


def _grid(spacing, direction, shape=(90, 90, 40)):
    affine = affine_from(spacing, origin=(-20.0, 15.0, -10.0), direction=direction)
    grid = LabelMap(np.zeros((1, *shape), np.uint8), affine)
    return grid, grid.voxel_to_ras([[(s - 1) / 2 for s in shape]])[0]


@pytest.mark.parametrize("spacing, direction", GRIDS)
def test_a_sphere_is_round_solid_and_not_elongated(spacing, direction):
    grid, centre = _grid(spacing, direction)
    shape = shape_descriptors(ellipsoid_mask(grid.spatial_shape, grid.affine, centre, (10.0, 10.0, 10.0)), grid)
    # True values: sphericity 1, solidity 1, elongation 1, flatness 1, area 4 pi r^2 = 1257 mm^2; voxel facets
    # inflate the area (hence lower sphericity) by up to a quarter on 2 mm slices.
    assert 0.75 < shape.sphericity <= 1.0
    assert shape.solidity > 0.85 and shape.axial_solidity > 0.97 and shape.axial_convexity > 0.95
    assert shape.elongation == pytest.approx(1.0, abs=0.05)
    assert shape.flatness == pytest.approx(1.0, abs=0.07)
    assert shape.mesh_volume_ml == pytest.approx(4 / 3 * np.pi * 1000 / 1000, rel=0.05)
    assert shape.surface_area_mm2 == pytest.approx(4 * np.pi * 100, rel=0.3)


@pytest.mark.parametrize("spacing, direction", GRIDS)
def test_principal_diameters_of_an_oblique_ellipsoid(spacing, direction):
    grid, centre = _grid(spacing, direction)
    axes = rotation_z(50)  # the ellipsoid's long axis points 50 degrees from R towards A
    mask = ellipsoid_mask(grid.spatial_shape, grid.affine, centre, (14.0, 7.0, 5.0), axes)
    diameters = principal_diameters_mm(mask, grid)
    np.testing.assert_allclose(diameters, (28.0, 14.0, 10.0), atol=max(spacing))
    shape = shape_descriptors(mask, grid)
    assert shape.elongation == pytest.approx(2.0, rel=0.06)
    assert shape.flatness == pytest.approx(10.0 / 28.0, rel=0.08)


def test_a_single_voxel_has_the_moments_of_a_box():
    grid, _ = _grid((0.8, 0.8, 2.0), np.eye(3), shape=(5, 5, 3))
    mask = np.zeros(grid.spatial_shape, bool)
    mask[2, 2, 1] = True
    # a uniform box of sides s has variance s^2/12: diameter 2 sqrt(5 s^2 / 12)
    expected = sorted((2 * np.sqrt(5 * s**2 / 12) for s in (0.8, 0.8, 2.0)), reverse=True)
    np.testing.assert_allclose(principal_diameters_mm(mask, grid), expected)


def test_a_notched_disc_is_less_solid_and_less_convex_than_a_disc():
    grid, _ = _grid((0.5, 0.5, 2.0), np.eye(3), shape=(80, 80, 5))
    i, j = np.indices((80, 80))
    disc = (i - 40) ** 2 + (j - 40) ** 2 <= 30**2
    star = disc & ~((np.abs(np.sin(4 * np.arctan2(j - 40, i - 40))) > 0.7) & ((i - 40) ** 2 + (j - 40) ** 2 > 12**2))
    round_mask = np.repeat(disc[..., None], 5, axis=2)
    notched_mask = np.repeat(star[..., None], 5, axis=2)
    smooth, notched = shape_descriptors(round_mask, grid), shape_descriptors(notched_mask, grid)
    assert smooth.axial_solidity > 0.97 and smooth.axial_circularity > 0.85
    assert notched.axial_solidity < 0.8
    assert notched.axial_convexity < smooth.axial_convexity - 0.1
    assert notched.axial_circularity < 0.5


def test_to_dict_keys_and_rounding():
    grid, centre = _grid((0.5, 0.5, 0.5), np.eye(3))
    values = shape_descriptors(ellipsoid_mask(grid.spatial_shape, grid.affine, centre, (6.0, 6.0, 6.0)), grid).to_dict()
    assert set(values) == {
        "surface_area_mm2",
        "sphericity",
        "solidity",
        "elongation",
        "flatness",
        "principal_diameters_mm",
        "axial_solidity",
        "axial_circularity",
        "axial_convexity",
    }
    assert values["elongation"] == pytest.approx(1.0, abs=0.05)
