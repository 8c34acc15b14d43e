"""Colour region descriptions on analytic shapes and real masks: words, their evidence, and the same numbers in
English and Japanese."""

from __future__ import annotations

import re

import numpy as np
import pytest

from geometry_helpers import affine_from, ellipsoid_mask, rotation_z
from reinforcedvl.description import describe_regions
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.vocabulary import Modality
from reinforcedvl.volume import LabelMap, ScalarVolume

SHAPES = [
    # spacing, grid direction, radii (mm), ellipsoid axes, expected shape word
    ((0.6, 0.6, 0.6), np.eye(3), (8.0, 8.0, 8.0), None, "round"),
    ((0.7, 0.7, 2.5), np.diag([-1.0, -1.0, 1.0]), (8.0, 8.0, 8.0), None, "round"),
    ((0.6, 0.6, 1.0), rotation_z(35), (14.0, 7.0, 7.0), rotation_z(70), "ovoid"),
]


def _numbers(text: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?", text)


def _ct(spacing, direction, radii, axes, shape=(80, 80, 40)):
    affine = affine_from(spacing, origin=(-60.0, 40.0, -30.0), direction=direction)
    grid = LabelMap(np.zeros((1, *shape), np.uint8), affine)
    centre = grid.voxel_to_ras([[(s - 1) / 2 for s in shape]])[0]
    mask = ellipsoid_mask(shape, affine, centre, radii, axes)
    image = ScalarVolume(np.where(mask, 30.0, -850.0)[None].astype(np.float32), affine, name="ct")
    return image, LabelMap(mask[None].astype(np.uint8), affine, name="mask")


@pytest.mark.parametrize("spacing, direction, radii, axes, expected", SHAPES)
def test_analytic_shapes_get_their_words(spacing, direction, radii, axes, expected):
    image, mask = _ct(spacing, direction, radii, axes)
    (description,) = describe_regions(image, mask, modality=Modality.CT)
    assert description.shape.word == expected
    assert description.margin.word == "well-defined"
    assert description.appearance[0].word == "hyperdense"
    assert description.color.name == "yellow" and description.segment_id == "lesion_1" and description.count == 1


def test_english_and_japanese_quote_the_same_numbers():
    image, mask = _ct((0.7, 0.7, 2.5), np.eye(3), (9.0, 6.0, 6.0), None)
    (description,) = describe_regions(image, mask)
    english, japanese = description.text("en"), description.text("ja")
    assert english.startswith("Lesion 1 (yellow): ") and japanese.startswith("病変1（黄）：")
    assert _numbers(english) == _numbers(japanese)
    long_axis = f"{description.measurements.long_axis_mm:.1f}"
    assert long_axis in english and f"{description.measurements.volume_ml:.2f}"[:3] in english
    assert description.text("en", "attributes") == "ovoid, well-defined, hyperdense"
    assert description.text("ja", "attributes") == "楕円形、境界明瞭、高吸収"


def test_many_regions_are_numbered_and_coloured_in_order():
    affine = affine_from((1.0, 1.0, 1.0))
    labels = np.zeros((60, 30, 20), np.uint8)
    for n in range(1, 4):
        labels[n * 15 - 10 : n * 15 - 4, 10:16, 5:11] = n
    descriptions = describe_regions(None, LabelMap(labels[None], affine))
    assert [d.region_id for d in descriptions] == [1, 2, 3]
    assert [d.color.name for d in descriptions] == ["yellow", "cyan", "magenta"]
    assert {d.count for d in descriptions} == {3}
    assert all(d.appearance == () for d in descriptions)  # no image: no appearance words
    assert descriptions[0].measurements.volume_ml == pytest.approx(0.216)


def test_lidc_nodule_description(shared_data):
    name = "LIDC-IDRI-0001_R_1.nii.gz"
    image = read_image(shared_data / "lidc_nodules" / "image" / name)
    mask = read_label_map(shared_data / "lidc_nodules" / "nodule_mask" / name)
    (description,) = describe_regions(image, mask)
    # rated by the LIDC radiologists: marked spiculation, medium lobulation, near-sharp margin, left lung (LPS x 56)
    assert description.margin.word == "spiculated" and description.shape.word in ("lobulated", "irregular")
    assert description.appearance[0].word == "hyperdense"
    assert description.location.laterality == "left"
    assert description.location.midline.source == "scanner origin"
    values = description.to_dict()
    assert values["margin"]["values"]["axial_convexity"] < 0.9
    assert values["appearance"][0]["values"]["contrast"] > 300


@pytest.fixture(scope="module")
def brats_descriptions(shared_data):
    case = shared_data / "brats2015" / "brats_2013_pat0001_1"
    image = read_image([case / "Flair_subtrMeanDivStd.nii.gz", case / "T1c_subtrMeanDivStd.nii.gz"])
    labels = read_label_map(case / "OTMultiClass.nii.gz")
    return {d.region_id: d for d in describe_regions(image, labels, channel_names=["FLAIR", "T1c"])}


@pytest.mark.parametrize(
    "label, channel, words",
    [(2, 0, ("hyperintense",)), (4, 1, ("hyperintense",)), (1, 1, ("isointense", "hypointense"))],
)
def test_brats_labels_on_flair_and_t1c(brats_descriptions, label, channel, words):
    # oedema is bright on FLAIR, enhancing tumour bright on post-contrast T1; necrosis does not enhance
    assert sorted(brats_descriptions) == [1, 2, 3, 4]
    description = brats_descriptions[label]
    assert not description.is_ct
    word = description.appearance[channel].word
    assert word in words
    assert description.location.laterality == "right"
    assert f"{word} on {('FLAIR', 'T1c')[channel]}" in description.text("en")


def test_a_lesion_in_the_liver_of_a_dicom_ct_with_a_totalsegmentator_map(shared_data):
    folder = shared_data / "totalsegmentator_examples"
    image = read_image(folder / "ct_dicom")
    anatomy = read_label_map(folder / "example_seg_dicom.nii.gz")
    centre = np.median(anatomy.voxel_to_ras(np.argwhere(anatomy.array[0] == 5)), axis=0)
    i, j, k = np.rint(image.ras_to_voxel(centre)).astype(int)[0]
    labels = np.zeros(image.spatial_shape, np.uint8)
    labels[i - 6 : i + 6, j - 6 : j + 6, k - 2 : k + 2] = 1
    (description,) = describe_regions(image, LabelMap.on_grid(labels, image, "lesion"), anatomy=anatomy)
    assert description.is_ct  # from the DICOM Modality tag
    assert description.location.organ.organ.name == "liver"
    assert description.location.midline.source == "anatomy map"
    assert "in the liver, on the right" in description.text("en")
    assert "肝臓（右）" in description.text("ja")
