from __future__ import annotations

import numpy as np
import pytest

from geometry_helpers import affine_from
from reinforcedvl.lesions import find_lesions, measure_lesions
from reinforcedvl.volume import LabelMap


def _probability():
    probability = np.zeros((40, 40, 20), np.float32)
    probability[5:15, 5:15, 5:15] = 0.9  # 1000 voxels: lesion 1
    probability[25:30, 25:30, 8:12] = 0.7  # 100 voxels: lesion 2
    probability[35, 35, 18] = 0.95  # one voxel: noise under 3 mm3
    probability[20, 5:8, 2] = 0.4  # below threshold
    return probability


def test_lesions_are_numbered_by_size_coloured_and_measured():
    grid = LabelMap(np.zeros((1, 40, 40, 20), np.uint8), affine_from((1.0, 1.0, 1.0)))
    label_map, lesions = find_lesions(_probability(), grid, threshold=0.5, min_volume_mm3=3.0)
    assert [lesion.lesion_id for lesion in lesions] == [1, 2]
    assert [lesion.voxels for lesion in lesions] == [1000, 100]
    assert [lesion.color.name for lesion in lesions] == ["yellow", "cyan"]
    assert lesions[0].volume_ml == pytest.approx(1.0)
    assert lesions[0].confidence == pytest.approx(0.9)
    assert lesions[1].confidence == pytest.approx(0.7)
    assert lesions[0].centroid_ras == pytest.approx((9.5, 9.5, 9.5))
    assert lesions[0].long_axis_mm == pytest.approx(np.hypot(10, 10), abs=1.0)
    assert label_map.labels.tolist() == [1, 2]
    assert label_map.same_grid(grid)
    assert (label_map.array[0] == 1).sum() == 1000


def test_result_json_keys():
    grid = LabelMap(np.zeros((1, 40, 40, 20), np.uint8), affine_from((0.5, 0.5, 2.0)))
    _, lesions = find_lesions(_probability(), grid, threshold=0.5, min_volume_mm3=3.0)
    entry = lesions[0].to_dict()
    assert set(entry) == {
        "id",
        "color_name",
        "voxels",
        "volume_ml",
        "long_axis_mm",
        "short_axis_mm",
        "centroid_ras",
        "confidence",
    }
    assert entry["volume_ml"] == pytest.approx(0.5)


def test_nothing_above_threshold_gives_no_lesion():
    grid = LabelMap(np.zeros((1, 10, 10, 10), np.uint8), np.eye(4))
    label_map, lesions = find_lesions(np.full((10, 10, 10), 0.2, np.float32), grid, threshold=0.5, min_volume_mm3=1.0)
    assert lesions == [] and not label_map.array.any()


def test_a_user_label_map_is_measured_with_full_confidence():
    array = np.zeros((1, 12, 12, 6), np.uint16)
    array[0, 2:6, 2:6, 1:4] = 1
    lesions = measure_lesions(LabelMap(array, affine_from((0.7, 0.7, 2.5))))
    assert lesions[0].confidence == 1.0 and lesions[0].voxels == 48
