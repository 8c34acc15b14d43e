"""Axial slabs of a brain: every step from the lowest brain slice, the axial axis found from the grid's direction."""

from __future__ import annotations

import numpy as np

from geometry_helpers import affine_from
from reinforcedvl.evaluation.partial_studies import axial_slabs
from reinforcedvl.volume import ScalarVolume


def test_slabs_start_at_the_brain_and_stop_before_one_would_be_mostly_outside_it():
    volume = ScalarVolume(np.zeros((1, 10, 10, 60), np.float32), affine_from((1.0, 1.0, 2.0)))  # axial: axis 2, 2 mm
    brain = np.zeros((10, 10, 60), bool)
    brain[2:8, 2:8, 5:45] = True  # slices 5-44: 80 mm of brain
    slabs = axial_slabs(volume, brain, thickness_mm=20, step_mm=10)
    assert [start for start, _ in slabs] == [5, 10, 15, 20, 25, 30, 35]  # 10-slice slabs; the last holds 5 of brain
    assert slabs[0][1] == (slice(None), slice(None), slice(5, 15))


def test_the_axial_axis_follows_the_grid_direction():
    # voxel axis 0 runs head to foot
    direction = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    volume = ScalarVolume(np.zeros((1, 30, 8, 8), np.float32), affine_from(direction=direction))
    brain = np.ones((30, 8, 8), bool)
    slabs = axial_slabs(volume, brain, thickness_mm=10, step_mm=10)
    assert [box for _, box in slabs] == [(slice(s, s + 10), slice(None), slice(None)) for s in (0, 10, 20)]
