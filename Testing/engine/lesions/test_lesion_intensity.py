"""Intensities inside a lesion and in its shell, and the margin sharpness, on synthetic images of known values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from geometry_helpers import affine_from, ellipsoid_mask
from reinforcedvl.lesions.intensity import intensity_statistics, lesion_intensity, shell_mask
from reinforcedvl.volume import LabelMap


def _ball(spacing=(0.8, 0.8, 2.0), radius=6.0, shape=(48, 40, 16)):
    grid = LabelMap(np.zeros((1, *shape), np.uint8), affine_from(spacing, origin=(40.0, 30.0, -20.0)))
    centre = grid.voxel_to_ras([[(s - 1) / 2 for s in shape]])[0]
    return grid, ellipsoid_mask(shape, grid.affine, centre, (radius, radius, radius))


def test_statistics_of_known_values_ignore_non_finite():
    values = np.array([1.0, 2.0, 3.0, 4.0, np.nan, np.inf])
    statistics = intensity_statistics(values)
    assert statistics.voxels == 4
    assert statistics.mean == pytest.approx(2.5) and statistics.median == pytest.approx(2.5)
    assert statistics.minimum == 1.0 and statistics.maximum == 4.0
    assert statistics.std == pytest.approx(np.std([1, 2, 3, 4]))
    assert intensity_statistics(np.array([])).voxels == 0


@pytest.mark.parametrize("spacing, thickness", [((1.0, 1.0, 1.0), 3.0), ((0.8, 0.8, 2.0), 3.0), ((0.5, 0.5, 0.5), 1.5)])
def test_the_shell_lies_within_its_physical_thickness(spacing, thickness):
    grid, mask = _ball(spacing)
    shell = shell_mask(mask, grid, thickness)
    distance = ndimage.distance_transform_edt(~mask, sampling=spacing)
    assert not (shell & mask).any()
    assert distance[shell].max() <= thickness + 1e-9
    assert shell.sum() == ((distance > 0) & (distance <= thickness)).sum()


def test_other_lesions_are_left_out_of_the_shell():
    grid, mask = _ball()
    other = np.zeros_like(mask)
    other[:, :, : mask.shape[2] // 2] = ~mask[:, :, : mask.shape[2] // 2]
    assert not (shell_mask(mask, grid, 3.0, exclude=other) & other).any()


def test_ct_ball_is_hyperdense_with_the_true_contrast():
    grid, mask = _ball()
    image = np.where(mask, 40.0, -850.0)
    intensity = lesion_intensity(image, mask, grid)
    assert intensity.inside.mean == pytest.approx(40.0) and intensity.shell.mean == pytest.approx(-850.0)
    assert intensity.contrast == pytest.approx(890.0)
    assert intensity.shell.voxels > 0 and intensity.shell_mm == 3.0


def test_a_blurred_margin_is_less_sharp_than_a_step_edge():
    grid, mask = _ball(spacing=(0.5, 0.5, 0.5), radius=8.0, shape=(48, 48, 48))
    step = np.where(mask, 100.0, 0.0)
    blurred = ndimage.gaussian_filter(step, sigma=4.0)  # 2 mm blur
    sharp, soft = lesion_intensity(step, mask, grid), lesion_intensity(blurred, mask, grid)
    # a step seen by central differences over two 0.5 mm voxels: 1 / (2 x 0.5 mm) = 1 per mm across a face, up to
    # sqrt(3) per mm at a corner voxel that has outside neighbours along all three axes
    assert 1.0 <= sharp.margin_sharpness < np.sqrt(3)
    assert soft.margin_sharpness < 0.6 * sharp.margin_sharpness
    assert sharp.boundary_gradient == pytest.approx(sharp.margin_sharpness * abs(sharp.contrast))


def test_a_lesion_filling_the_grid_has_no_shell_and_no_contrast():
    grid, _ = _ball(shape=(6, 6, 3))
    mask = np.ones(grid.spatial_shape, bool)
    intensity = lesion_intensity(np.full(grid.spatial_shape, 5.0), mask, grid)
    assert intensity.shell.voxels == 0
    assert np.isnan(intensity.contrast) and np.isnan(intensity.margin_sharpness)
    assert intensity.to_dict()["contrast"] is None
