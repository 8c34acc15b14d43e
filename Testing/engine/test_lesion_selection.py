"""Which lesions points keep: two balls of known size on a real grid (the bundled LIDC sample's), probabilities
worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geometry_helpers import ellipsoid_mask
from reinforcedvl.io import read_image
from reinforcedvl.spatial.lesion_selection import select_by_points, spans_point, touched_component
from reinforcedvl.spatial.prompts import NEAR_POINT_MM, PromptPoint

SAMPLE = Path(__file__).resolve().parents[2] / "Resources" / "Samples" / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"


@pytest.fixture(scope="module")
def two_balls():
    """Probability 0.9 in two balls (radius 5 mm, centres 25 mm apart along R) on the sample's grid, 0 elsewhere."""
    grid = read_image(SAMPLE)
    centre = grid.voxel_to_ras((np.asarray(grid.spatial_shape) - 1) / 2)[0]
    first, second = centre - [12.5, 0, 0], centre + [12.5, 0, 0]
    balls = ellipsoid_mask(grid.spatial_shape, grid.affine, first, (5, 5, 5)) | ellipsoid_mask(
        grid.spatial_shape, grid.affine, second, (5, 5, 5)
    )
    return grid, np.where(balls, 0.9, 0.0).astype(np.float32), first, second


def _kept_near(probability, grid, ras) -> bool:
    ijk = np.rint(grid.ras_to_voxel(ras)[0]).astype(int)
    return bool(probability[tuple(ijk)] > 0)


CASES = [
    # (points as (offset from ball 1 in mm, ball index 0/1, positive), balls kept)
    ([], (True, True)),
    ([((0, 0, 0), 0, True)], (True, False)),
    ([((0, 0, 0), 1, True)], (False, True)),
    ([((0, 0, 0), 0, True), ((0, 0, 0), 1, True)], (True, True)),
    ([((8.0, 0, 0), 0, True)], (True, False)),  # 3 mm beyond the surface: within NEAR_POINT_MM
    ([((0, 0, 0), 1, False)], (True, False)),  # a negative point alone removes what it touches
    ([((0, 12.0, 0), 0, True)], (False, False)),  # 7 mm beyond the surface: nothing there
]


@pytest.mark.parametrize(("points", "kept"), CASES)
def test_points_keep_the_lesions_they_mark(two_balls, points, kept):
    grid, probability, *centres = two_balls
    prompts = [PromptPoint(tuple(centres[ball] + np.asarray(offset)), positive) for offset, ball, positive in points]
    chosen = select_by_points(probability, grid, prompts, threshold=0.5)
    assert (_kept_near(chosen, grid, centres[0] - [3.0, 0, 0]), _kept_near(chosen, grid, centres[1])) == kept
    assert set(np.unique(chosen)) <= {0.0, np.float32(0.9)}


def test_a_negative_point_on_a_marked_lesion_cuts_off_its_side(two_balls):
    grid, probability, first, _ = two_balls
    positive, negative = first - [3.0, 0, 0], first + [3.0, 0, 0]
    chosen = select_by_points(
        probability, grid, [PromptPoint(tuple(positive)), PromptPoint(tuple(negative), False)], threshold=0.5
    )
    voxels = grid.voxel_to_ras(np.argwhere(chosen > 0))
    assert len(voxels) > 0
    assert np.all(np.linalg.norm(voxels - positive, axis=1) <= np.linalg.norm(voxels - negative, axis=1))
    ball = np.count_nonzero(probability[..., :] > 0) / 2
    assert 0.3 * ball < len(voxels) < 0.7 * ball  # about half of the ball is left


def test_the_reach_of_a_point_is_near_point_mm(two_balls):
    grid, probability, first, _ = two_balls
    labels = (probability > 0).astype(np.int32)
    spacing = min(grid.spacing)
    inside = touched_component(labels, grid, first + [5.0 + NEAR_POINT_MM - 2 * spacing, 0, 0])
    outside = touched_component(labels, grid, first + [0, 0, 5.0 + NEAR_POINT_MM + 3 * max(grid.spacing)])
    assert (inside, outside) == (1, 0)


@pytest.fixture(scope="module")
def shell():
    """A hollow ball (radius 9 mm, hollow of radius 6 mm) on the sample's grid, labelled 1: a ring-enhancing lesion
    as a prediction draws it, or a rim drawn beside the tissue clicked; and its centre."""
    grid = read_image(SAMPLE)
    centre = grid.voxel_to_ras((np.asarray(grid.spatial_shape) - 1) / 2)[0]
    outer = ellipsoid_mask(grid.spatial_shape, grid.affine, centre, (9, 9, 9))
    inner = ellipsoid_mask(grid.spatial_shape, grid.affine, centre, (6, 6, 6))
    return grid, (outer & ~inner).astype(np.int32), centre


def test_a_point_in_the_hollow_of_a_ring_marks_the_ring(shell):
    grid, labels, centre = shell
    assert 6.0 > NEAR_POINT_MM  # the hollow's centre lies beyond the reach by distance alone
    assert touched_component(labels, grid, centre) == 1
    assert touched_component(labels, grid, centre + [0, 0, 2.0]) == 1


def test_a_point_beside_a_ring_but_outside_its_hull_marks_nothing(shell):
    grid, labels, centre = shell
    assert touched_component(labels, grid, centre + [9.0 + NEAR_POINT_MM + 2.0, 0, 0]) == 0


def test_a_lesion_within_reach_wins_over_a_ring_around_the_point(shell):
    grid, labels, centre = shell
    labels = labels.copy()
    ball = ellipsoid_mask(grid.spatial_shape, grid.affine, centre, (2.0, 2.0, 3.0))
    labels[ball] = 2
    assert touched_component(labels, grid, centre + [3.5, 0, 0]) == 2  # 1.5 mm from the ball, 2.5 from the ring


def test_a_flat_or_tiny_component_spans_nothing():
    assert not spans_point(np.array([[0, 0, 0], [2, 0, 0], [0, 2, 0], [2, 2, 0]]), (1.0, 1.0, 0.0))
    assert not spans_point(np.array([[0, 0, 0], [2, 2, 2]]), (1.0, 1.0, 1.0))
    assert spans_point(np.array([[0, 0, 0], [4, 0, 0], [0, 4, 0], [0, 0, 4]]), (1.0, 1.0, 1.0))
