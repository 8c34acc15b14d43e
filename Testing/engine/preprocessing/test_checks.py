"""Unusual inputs get a defined behaviour: an error that says what to do, or a warning."""

from __future__ import annotations

import numpy as np
import pytest

from geometry_helpers import affine_from
from reinforcedvl.errors import InputWarning, UnsupportedVolumeError
from reinforcedvl.preprocessing.checks import MAX_MODEL_VOXELS, check_volume, model_grid_voxels
from reinforcedvl.volume import ScalarVolume

ONE_MM = (1.0, 1.0, 1.0)


def _volume(shape, spacing=ONE_MM, fill=None):
    array = np.random.default_rng(0).normal(size=(1, *shape)).astype(np.float32) if fill is None else fill
    return ScalarVolume(array, affine_from(spacing), name="input.nii.gz")


def test_nan_voxels_are_refused_with_their_count_and_a_fix():
    volume = _volume((6, 6, 6))
    volume.array[0, 1, 2, 3] = np.nan
    volume.array[0, 2, 2, 3] = np.inf
    with pytest.raises(UnsupportedVolumeError, match="2 NaN or infinite voxels.*nan_to_num"):
        check_volume(volume, ONE_MM)


def test_blank_image_is_refused():
    with pytest.raises(UnsupportedVolumeError, match="same value"):
        check_volume(_volume((5, 5, 5), fill=np.zeros((1, 5, 5, 5), np.float32)), ONE_MM)


def test_single_slice_warns_and_goes_on():
    with pytest.warns(InputWarning, match="single slice"):
        check_volume(_volume((32, 32, 1)), ONE_MM)


def test_strong_anisotropy_warns():
    with pytest.warns(InputWarning, match="coarsest axis is 8.0 times the finest"):
        check_volume(_volume((32, 32, 8), spacing=(0.6, 0.6, 4.8)), ONE_MM)


def test_ordinary_volume_passes_silently(recwarn):
    check_volume(_volume((16, 16, 8), spacing=(0.8, 0.8, 2.0)), ONE_MM)
    assert not [w for w in recwarn if issubclass(w.category, InputWarning)]


def test_size_is_counted_at_the_model_spacing():
    assert model_grid_voxels(_volume((4, 4, 4), spacing=(0.5, 0.5, 2.0)), ONE_MM) == 2 * 2 * 8


def test_huge_volume_is_refused_before_any_work():
    # two voxels of 700 mm a side cover 1.4 m in every direction: 2.7 billion voxels at 1 mm
    big = ScalarVolume(np.ones((1, 2, 2, 2), np.float32), affine_from((700.0, 700.0, 700.0)), name="big")
    big.array[0, 0, 0, 0] = 0
    assert model_grid_voxels(big, ONE_MM) > MAX_MODEL_VOXELS
    with pytest.raises(UnsupportedVolumeError, match="Crop it"):
        check_volume(big, ONE_MM)


SPACINGS = [
    # voxel spacing (mm), the model's, words of the warning (None: no warning)
    ((0.4, 0.4, 0.1), ONE_MM, "far finer than the model's"),
    ((0.2, 0.2, 0.2), ONE_MM, "far finer than the model's"),
    ((0.4, 0.4, 0.5), ONE_MM, None),
    ((5.0, 5.0, 5.0), ONE_MM, "far coarser than the model's"),
    ((1.5, 1.5, 1.5), (1.5, 1.5, 1.5), None),
    ((0.3, 0.3, 0.3), (1.5, 1.5, 1.5), "far finer than the model's 1.5 x 1.5 x 1.5 mm"),
]


@pytest.mark.parametrize("spacing, model, words", SPACINGS)
def test_voxels_far_from_the_model_spacing_warn(recwarn, spacing, model, words):
    check_volume(_volume((16, 16, 16), spacing=spacing), model)
    messages = [str(w.message) for w in recwarn if issubclass(w.category, InputWarning)]
    far = [m for m in messages if "far " in m]
    assert (far == []) if words is None else any(words in m for m in far), messages
