"""TotalSegmentator class names, and organ look-up through physical space across different grids."""

from __future__ import annotations

import numpy as np
import pytest
import SimpleITK as sitk

from reinforcedvl.description.anatomy import anatomy_labels_at, anatomy_table, organ_overlap
from reinforcedvl.io import read_image, read_label_map

NAMES = [
    # task, label, TotalSegmentator name, English words, side
    ("total", 1, "spleen", "spleen", None),
    ("total", 2, "kidney_right", "right kidney", "right"),
    ("total", 5, "liver", "liver", None),
    ("total", 10, "lung_upper_lobe_left", "left upper lobe of the lung", "left"),
    ("total", 52, "aorta", "aorta", None),
    ("total", 110, "rib_right_7", "right 7th rib", "right"),
    ("total_mr", 11, "lung_right", "right lung", "right"),
    ("total_mr", 5, "liver", "liver", None),
]


@pytest.mark.parametrize("task, label, name, english, side", NAMES)
def test_class_names_follow_totalsegmentator_numbering(task, label, name, english, side):
    entry = anatomy_table(task).lookup(label)
    assert (entry.name, entry.en, entry.side) == (name, english, side)
    assert entry.words("ja") and entry.words("ja") != english


def test_an_unknown_label_is_named_by_its_number():
    assert anatomy_table("total").lookup(200).en == "anatomy label 200"
    with pytest.raises(ValueError, match="total_mr"):
        anatomy_table("brain")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "file_name, task",
    [("example_seg.nii.gz", "total"), ("example_seg_dicom.nii.gz", "total"), ("example_seg_mr.nii.gz", "total_mr")],
)
def test_every_class_in_the_shared_examples_is_named(shared_data, file_name, task):
    labels = read_label_map(shared_data / "totalsegmentator_examples" / file_name).labels
    table = anatomy_table(task)
    assert [int(label) for label in labels if int(label) not in table.classes] == []


def test_lookup_through_physical_space_matches_itk_on_a_flipped_grid(shared_data):
    folder = shared_data / "totalsegmentator_examples"
    anatomy = read_label_map(folder / "example_seg_dicom.nii.gz")  # y flipped against the DICOM series
    image = read_image(folder / "ct_dicom")
    rng = np.random.default_rng(1)
    ijk = rng.integers(0, image.spatial_shape, size=(400, 3))
    points = image.voxel_to_ras(ijk)
    ours = anatomy_labels_at(points, anatomy)
    itk = sitk.ReadImage(str(folder / "example_seg_dicom.nii.gz"))
    expected = []
    for x, y, z in points:
        index = itk.TransformPhysicalPointToIndex((-float(x), -float(y), float(z)))  # RAS -> LPS
        inside = all(0 <= i < n for i, n in zip(index, itk.GetSize(), strict=True))
        expected.append(int(itk.GetPixel(index)) if inside else 0)
    np.testing.assert_array_equal(ours, expected)
    assert (ours > 0).sum() > 50


def test_a_region_in_the_liver_is_placed_in_the_liver(shared_data):
    folder = shared_data / "totalsegmentator_examples"
    anatomy = read_label_map(folder / "example_seg_dicom.nii.gz")
    image = read_image(folder / "ct_dicom")
    liver_points = anatomy.voxel_to_ras(np.argwhere(anatomy.array[0] == 5))
    centre = np.rint(image.ras_to_voxel(np.median(liver_points, axis=0))).astype(int)[0]
    mask = np.zeros(image.spatial_shape, bool)
    mask[centre[0] - 4 : centre[0] + 4, centre[1] - 4 : centre[1] + 4, centre[2] - 1 : centre[2] + 2] = True
    overlap = organ_overlap(mask, image, anatomy, anatomy_table("total"))
    assert overlap.organ is not None and overlap.organ.name == "liver"
    assert overlap.share > 0.9 and overlap.outside_share < 0.1
