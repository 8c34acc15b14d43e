"""Lesions under the confidence threshold are dropped and the rest renumbered, largest first."""

from __future__ import annotations

import numpy as np
import pytest

from reinforcedvl.lesions import find_lesions
from reinforcedvl.lesions.confidence import keep_confident_lesions
from reinforcedvl.volume import ScalarVolume

# (threshold, confidences of the lesions kept, largest first)
CASES = [(0.0, [0.6, 0.95]), (0.7, [0.95]), (0.99, [])]


@pytest.mark.parametrize(("threshold", "kept"), CASES)
def test_only_confident_lesions_are_kept(threshold, kept):
    grid = np.indices((40, 40, 40)).astype(np.float32)
    big = np.linalg.norm(grid - np.array([10.0, 10, 10])[:, None, None, None], axis=0) < 6  # lesion 1, p 0.6
    small = np.linalg.norm(grid - np.array([30.0, 30, 30])[:, None, None, None], axis=0) < 3  # lesion 2, p 0.95
    probability = np.where(big, 0.6, np.where(small, 0.95, 0.0)).astype(np.float32)
    volume = ScalarVolume(probability[None], np.eye(4), name="p")
    lesion_map, lesions = find_lesions(probability, volume, threshold=0.5, min_volume_mm3=0.0)
    confident_map, confident = keep_confident_lesions(lesion_map, lesions, probability, threshold)
    assert [round(lesion.confidence, 2) for lesion in confident] == kept
    assert [lesion.lesion_id for lesion in confident] == list(range(1, len(kept) + 1))
    assert int(confident_map.array.max()) == len(kept)
    if kept == [0.95]:
        np.testing.assert_array_equal(confident_map.array[0] > 0, small)
