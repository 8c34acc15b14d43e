"""Side and part of the body from RAS coordinates; the midline from anatomy, body outline or scanner origin."""

from __future__ import annotations

import numpy as np
import pytest

from geometry_helpers import affine_from, ellipsoid_mask
from reinforcedvl.description.anatomy import anatomy_table
from reinforcedvl.description.location import Midline, estimate_midline, locate_region
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.volume import LabelMap, ScalarVolume

LPS_LIKE = np.diag([-1.0, -1.0, 1.0])  # voxel i grows towards the patient's left, as in DICOM

SIDES = [
    # lesion centre RAS x (mm), radius (mm), expected laterality
    (60.0, 8.0, "right"),
    (-45.0, 8.0, "left"),
    (2.0, 1.5, "midline"),
    (0.0, 12.0, "bilateral"),
]


def _scene(centre_x: float, radius: float):
    """A 240 mm wide CT-like body (ellipse of soft tissue in air) centred on x = 0 with a ball lesion."""
    affine = affine_from((2.0, 2.0, 4.0), origin=(120.0, 100.0, -40.0), direction=LPS_LIKE)
    shape = (120, 100, 20)
    grid = LabelMap(np.zeros((1, *shape), np.uint8), affine)
    body = ellipsoid_mask(shape, affine, (0.0, 0.0, 0.0), (100.0, 80.0, 1000.0))
    image = ScalarVolume(np.where(body, 40.0, -1000.0)[None].astype(np.float32), affine)
    lesion = ellipsoid_mask(shape, affine, (centre_x, 20.0, 0.0), (radius, radius, radius * 2))
    return image, grid, lesion


@pytest.mark.parametrize("centre_x, radius, laterality", SIDES)
def test_laterality_from_the_body_midline(centre_x, radius, laterality):
    image, grid, lesion = _scene(centre_x, radius)
    midline = estimate_midline(image, is_ct=True)
    assert midline.source == "body outline" and midline.x_ras == pytest.approx(0.0, abs=2.5)
    location = locate_region(lesion, grid, midline)
    assert location.laterality == laterality
    assert location.offset_mm == pytest.approx(centre_x, abs=2.5)
    assert location.depth == "anterior" and location.vertical == "middle"


def test_a_shifted_patient_moves_the_midline():
    image, grid, lesion = _scene(10.0, 4.0)
    shifted_affine = image.affine.copy()
    shifted_affine[0, 3] += 30.0  # the whole scan 30 mm further to the right
    image = ScalarVolume(image.array, shifted_affine)
    grid = LabelMap(grid.array, shifted_affine)
    midline = estimate_midline(image, is_ct=True)
    assert midline.x_ras == pytest.approx(30.0, abs=2.5)
    assert locate_region(lesion, grid, midline).laterality == "right"


def test_a_small_crop_uses_the_scanner_origin():
    affine = affine_from((0.7, 0.7, 2.5), origin=(-39.0, -63.0, -127.0), direction=LPS_LIKE)
    image = ScalarVolume(np.full((1, 44, 44, 6), -800.0, np.float32), affine)
    midline = estimate_midline(image, is_ct=True)
    assert (midline.x_ras, midline.source, midline.body_range_ras) == (0.0, "scanner origin", None)
    mask = np.zeros(image.spatial_shape, bool)
    mask[20:24, 20:24, 2:4] = True
    location = locate_region(mask, image, midline)
    assert location.laterality == "left" and location.vertical is None  # RAS x about -54 mm


def test_brats_tumour_side_from_the_head_outline(shared_data):
    case = shared_data / "brats2015" / "brats_2013_pat0001_1"
    image = read_image(case / "Flair_subtrMeanDivStd.nii.gz")
    labels = read_label_map(case / "OTMultiClass.nii.gz")
    midline = estimate_midline(image, is_ct=False)
    assert midline.source == "body outline"
    assert -140 < midline.x_ras < -100  # this grid's x runs from -239 to 0 mm: the head is near its middle
    location = locate_region(labels.array[0] > 0, labels, midline)
    assert location.laterality == "right" and location.offset_mm > 20


def test_anatomy_midline_and_paired_organ_side(shared_data):
    folder = shared_data / "totalsegmentator_examples"
    image = read_image(folder / "example_ct_sm.nii.gz")
    anatomy = read_label_map(folder / "example_seg.nii.gz")
    table = anatomy_table("total")
    from_anatomy = estimate_midline(image, is_ct=True, anatomy=anatomy, table=table)
    from_body = estimate_midline(image, is_ct=True)
    assert from_anatomy.source == "anatomy map"
    assert from_anatomy.x_ras == pytest.approx(from_body.x_ras, abs=20.0)
    kidney = anatomy.array[0] == 3  # left kidney
    location = locate_region(kidney, anatomy, from_anatomy, anatomy=anatomy, table=table)
    assert location.laterality == "left" and location.organ.organ.name == "kidney_left"
    assert location.to_dict()["organ"]["share"] == 1.0


def test_to_dict_has_the_numbers_behind_the_words():
    image, grid, lesion = _scene(60.0, 8.0)
    values = locate_region(lesion, grid, estimate_midline(image, is_ct=True)).to_dict()
    assert values["laterality"] == "right" and values["midline_source"] == "body outline"
    assert values["offset_from_midline_mm"] == pytest.approx(60.0, abs=2.5)
    assert values["right_share"] == 1.0 and values["organ"] is None


def test_midline_dataclass_defaults():
    assert Midline(0.0, "scanner origin").body_range_ras is None


def _midline_from_every_body_voxel(image: ScalarVolume, body: np.ndarray) -> tuple[float, tuple, tuple]:
    """The body outline's figures computed the direct way: every body voxel mapped to RAS."""
    points = image.voxel_to_ras(np.argwhere(body))
    y_range = (np.percentile(points[:, 1], 1), np.percentile(points[:, 1], 99))
    return float(np.median(points[:, 0])), y_range, (points[:, 2].min(), points[:, 2].max())


@pytest.mark.parametrize("oblique", [False, True])
def test_body_outline_midline_equals_mapping_every_body_voxel(shared_data, oblique):
    image = read_image(shared_data / "totalsegmentator_examples" / "example_ct_sm.nii.gz")
    if oblique:  # the same voxels on a grid turned 20 degrees about z: no voxel axis runs along RAS x
        angle = np.deg2rad(20.0)
        turn = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
        affine = image.affine.copy()
        affine[:3, :3] = turn @ affine[:3, :3]
        image = ScalarVolume(image.array, affine)
    midline = estimate_midline(image, is_ct=True)
    x, y_range, z_range = _midline_from_every_body_voxel(image, image.array[0] > -500.0)
    assert midline.source == "body outline"
    assert midline.x_ras == pytest.approx(x, abs=1e-6)
    np.testing.assert_allclose(midline.body_range_ras, (y_range, z_range), atol=1e-6)
