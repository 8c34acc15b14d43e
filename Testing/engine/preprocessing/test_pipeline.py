"""The way to the network's grid and back: canonical orientation, spacing, and exact inversion."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from monai.metrics import DiceMetric

from geometry_helpers import affine_from, ellipsoid_mask, rotation_z
from reinforcedvl.errors import UnsupportedVolumeError
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.preprocessing import Preprocessor
from reinforcedvl.vocabulary import Modality
from reinforcedvl.volume import ScalarVolume

ROUND_TRIP_CASES = [
    # spacing of the input, direction, model spacing
    ((1.0, 1.0, 1.0), np.diag([-1.0, -1.0, 1.0]), (1.0, 1.0, 1.0)),
    ((0.7, 0.7, 2.5), np.diag([-1.0, -1.0, 1.0]), (1.0, 1.0, 1.0)),
    ((1.2, 0.9, 1.5), np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=float), (1.0, 1.0, 1.0)),
    ((0.8, 0.8, 1.6), rotation_z(30), (1.0, 1.0, 1.0)),
]


def _volume(shape, spacing, direction):
    affine = affine_from(spacing, origin=(13.0, -7.0, 22.0), direction=direction)
    centre = ScalarVolume(np.zeros((1, *shape), np.float32), affine).voxel_to_ras([[s / 2 for s in shape]])[0]
    mask = ellipsoid_mask(shape, affine, centre, (7.0, 5.0, 6.0))
    image = np.where(mask, 60.0, -800.0).astype(np.float32)
    return ScalarVolume(image[None], affine, name="phantom"), mask


@pytest.mark.parametrize("spacing, direction, model_spacing", ROUND_TRIP_CASES)
def test_maps_come_back_on_the_input_grid_and_overlap_the_input(spacing, direction, model_spacing):
    volume, mask = _volume((40, 36, 18), spacing, direction)
    preprocessor = Preprocessor(spacing_mm=model_spacing, in_channels=2)
    prepared = preprocessor.prepare(volume, Modality.CT)
    model_grid = prepared.image
    assert model_grid.shape[0] == 2
    np.testing.assert_allclose(np.linalg.norm(model_grid.affine[:3, :3].numpy(), axis=0), model_spacing, atol=1e-6)
    assert ScalarVolume(np.zeros((1, 1, 1, 1), np.float32), model_grid.affine.numpy()).orientation == "RAS"
    # a "prediction" that is the phantom itself, seen on the model grid, must come back onto the phantom
    foreground = (model_grid[:1] > (0.06 - 0.8) / 2).float()  # half-way between ball and background
    back = preprocessor.to_input_grid(prepared, foreground)
    assert back.shape == (1, *volume.spatial_shape)
    dice = DiceMetric(reduction="mean")(
        torch.from_numpy(back[None] >= 0.5).float(), torch.from_numpy(mask[None, None]).float()
    )
    assert float(dice) > 0.93


def test_orientation_and_crop_round_trip_is_exact_voxel_for_voxel():
    volume, mask = _volume((60, 56, 30), (1.0, 1.0, 1.0), np.diag([-1.0, 1.0, -1.0]))
    preprocessor = Preprocessor(spacing_mm=(1.0, 1.0, 1.0), in_channels=1)
    prepared = preprocessor.prepare(volume, Modality.CT)
    assert prepared.image.shape[1] < volume.spatial_shape[0]  # cropped to the phantom and its margin
    on_model_grid = preprocessor.labels_to_model_grid(prepared, mask.astype(np.uint8))
    assert on_model_grid.shape[1:] == prepared.image.shape[1:]
    assert int(on_model_grid.sum()) == int(mask.sum())  # the crop keeps the whole phantom
    back = preprocessor.to_input_grid(prepared, on_model_grid)
    np.testing.assert_array_equal(back[0] >= 0.5, mask)


def test_the_crop_keeps_lungs_and_drops_air(shared_data):
    volume = read_image(shared_data / "totalsegmentator_examples" / "ct_dicom")
    prepared = Preprocessor(spacing_mm=(2.0, 2.0, 2.0), in_channels=1).prepare(volume)
    extent_mm = np.asarray(prepared.image.shape[1:]) * 2.0
    full_mm = np.asarray(volume.spatial_shape) * np.asarray(volume.spacing)
    assert np.prod(extent_mm) < 0.8 * np.prod(full_mm)  # air in front of and behind the body is gone
    assert extent_mm[2] >= full_mm[2] - 2.0  # every slice holds body
    assert float((prepared.image > -0.5).float().mean()) > 0.3  # what is left is mostly body


def test_canonical_orientation_is_ras(shared_data):
    volume = read_image(shared_data / "totalsegmentator_examples" / "ct_dicom")
    assert volume.orientation == "LPS"
    prepared = Preprocessor(spacing_mm=(2.0, 2.0, 2.0), in_channels=2).prepare(volume)
    direction = prepared.image.affine[:3, :3].numpy()
    np.testing.assert_allclose(direction, np.diag([2.0, 2.0, 2.0]), atol=1e-6)


def test_real_brats_labels_survive_the_round_trip(shared_data):
    case = shared_data / "brats2015" / "brats_2013_pat0002_1"
    study = read_image([case / "Flair_subtrMeanDivStd.nii.gz", case / "T1c_subtrMeanDivStd.nii.gz"])
    labels = read_label_map(case / "OTMultiClass.nii.gz").array[0] > 0
    preprocessor = Preprocessor(spacing_mm=(1.5, 1.5, 1.5), in_channels=2)
    prepared = preprocessor.prepare(study)
    assert prepared.modality.modality is Modality.MR
    on_model_grid = preprocessor.labels_to_model_grid(prepared, labels)
    back = preprocessor.to_input_grid(prepared, on_model_grid)
    dice = DiceMetric(reduction="mean")(
        torch.from_numpy(back[None] >= 0.5).float(), torch.from_numpy(labels[None, None]).float()
    )
    assert float(dice) > 0.95


def test_single_channel_is_repeated_for_a_two_channel_network(ct_with_sphere):
    volume, _ = ct_with_sphere
    prepared = Preprocessor(spacing_mm=(1.0, 1.0, 1.0), in_channels=2).prepare(volume)
    torch.testing.assert_close(prepared.image[0], prepared.image[1])


def test_more_channels_than_the_network_reads_is_an_error(ct_with_sphere):
    volume, _ = ct_with_sphere
    three = ScalarVolume(np.repeat(volume.array, 3, axis=0), volume.affine, name="three")
    with pytest.raises(UnsupportedVolumeError, match="reads at most 2"):
        Preprocessor(spacing_mm=(1.0, 1.0, 1.0), in_channels=2).prepare(three)


@pytest.mark.parametrize("spacing, direction, model_spacing", ROUND_TRIP_CASES)
def test_a_linear_map_comes_back_exactly_slab_by_slab(spacing, direction, model_spacing, monkeypatch):
    """Trilinear interpolation reproduces a linear function exactly: each input voxel inside the crop gets its own
    model-grid coordinate back, across slab boundaries (a few slices per slab here)."""
    from reinforcedvl.preprocessing import input_grid

    monkeypatch.setattr(input_grid, "_SLAB_VOXELS", 40 * 36 * 4)
    volume, _ = _volume((40, 36, 18), spacing, direction)
    preprocessor = Preprocessor(spacing_mm=model_spacing, in_channels=1)
    prepared = preprocessor.prepare(volume, Modality.CT)
    shape = prepared.image.shape[1:]
    ramps = torch.stack(torch.meshgrid(*(torch.arange(n, dtype=torch.float32) for n in shape), indexing="ij"))
    back = preprocessor.to_input_grid(prepared, ramps + 1.0)  # + 1: zero marks "outside the crop"
    ras = volume.voxel_to_ras(np.argwhere(np.ones(volume.spatial_shape, bool)))
    crop_voxel = ScalarVolume(np.zeros((1, *shape), np.float32), prepared.image.affine.numpy()).ras_to_voxel(ras)
    inside = np.all((crop_voxel >= 0) & (crop_voxel <= np.asarray(shape) - 1), axis=1)
    got = back.reshape(3, -1).T
    assert inside.mean() > 0.2
    np.testing.assert_allclose(got[inside], crop_voxel[inside] + 1.0, atol=2e-3)
    far = np.any((crop_voxel < -1.001) | (crop_voxel > np.asarray(shape) + 0.001), axis=1)
    assert np.all(got[far] == 0.0)  # a voxel away from the crop reads the zero around it


def test_maps_off_the_model_grid_are_refused():
    volume, _ = _volume((40, 36, 18), (1.0, 1.0, 1.0), np.eye(3))
    preprocessor = Preprocessor(spacing_mm=(1.0, 1.0, 1.0), in_channels=1)
    prepared = preprocessor.prepare(volume, Modality.CT)
    with pytest.raises(ValueError, match="do not lie on the model grid"):
        preprocessor.to_input_grid(prepared, torch.zeros((1, 5, 5, 5)))
