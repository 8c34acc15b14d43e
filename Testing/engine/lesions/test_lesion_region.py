"""All measurements of a region at once, on real masks (LIDC, BraTS, TotalSegmentator) and at the grid's border."""

from __future__ import annotations

import numpy as np
import pytest

from reinforcedvl.errors import GridMismatchError
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.lesions import measure_lesions
from reinforcedvl.lesions.region import measure_region, measure_regions
from reinforcedvl.lesions.sizes import AxialDiameters, equivalent_sphere_diameter_mm
from reinforcedvl.volume import LabelMap, ScalarVolume

# BraTS pat0001 label volumes in cm3 as listed in the data's SOURCE.md
BRATS_VOLUMES_ML = [(1, 26.4), (2, 53.1), (3, 0.8), (4, 31.5)]


def test_lidc_nodule_measurements_on_its_ct(shared_data):
    name = "LIDC-IDRI-0001_R_1.nii.gz"
    image = read_image(shared_data / "lidc_nodules" / "image" / name)
    mask_map = read_label_map(shared_data / "lidc_nodules" / "nodule_mask" / name)
    measurements = measure_region(mask_map.array[0] > 0, mask_map, image=image)
    # the metadata row of this nodule: diameter_mm 23.35, world centre (LPS) 56.2, 86.3, -115.9
    assert measurements.equivalent_diameter_mm == pytest.approx(23.35, abs=2.0)
    np.testing.assert_allclose(measurements.centroid_ras, (-56.2, -86.3, -115.9), atol=1.5)
    assert measurements.maximum_diameter_mm >= measurements.long_axis_mm >= measurements.short_axis_mm > 0
    assert measurements.components == 1 and not measurements.touches_border
    ct = measurements.intensity[0]
    assert -400 < ct.inside.mean < 100 and ct.shell.mean < -500  # soft tissue nodule in aerated lung
    assert ct.contrast > 300
    box = measurements.bounding_box
    assert all(low <= high for low, high in zip(box.ijk_min, box.ijk_max, strict=True))
    assert box.ijk_min[2] <= measurements.axial_slice_index <= box.ijk_max[2]


@pytest.mark.parametrize("label, volume_ml", BRATS_VOLUMES_ML)
def test_brats_labels_volumes_and_two_channel_intensity(shared_data, label, volume_ml):
    case = shared_data / "brats2015" / "brats_2013_pat0001_1"
    image = read_image([case / "Flair_subtrMeanDivStd.nii.gz", case / "T1c_subtrMeanDivStd.nii.gz"])
    labels = read_label_map(case / "OTMultiClass.nii.gz")
    mask = labels.array[0] == label
    measurements = measure_region(mask, labels, image=image, exclude=(labels.array[0] > 0) & ~mask)
    assert measurements.volume_ml == pytest.approx(volume_ml, abs=0.06)
    assert len(measurements.intensity) == 2
    assert measurements.equivalent_diameter_mm == pytest.approx(equivalent_sphere_diameter_mm(volume_ml), rel=0.01)
    if label == 4:  # enhancing tumour: bright on post-contrast T1 against its surroundings
        assert measurements.intensity[1].contrast > 1.0


def test_brats_oedema_is_bright_on_flair(shared_data):
    case = shared_data / "brats2015" / "brats_2013_pat0002_1"
    image = read_image(case / "Flair_subtrMeanDivStd.nii.gz")
    labels = read_label_map(case / "OTMultiClass.nii.gz")
    mask = labels.array[0] == 2
    measurements = measure_region(mask, labels, image=image, exclude=(labels.array[0] > 0) & ~mask)
    assert measurements.intensity[0].contrast > 0.5
    assert measurements.components >= 1


def test_totalsegmentator_liver_on_ct(shared_data):
    folder = shared_data / "totalsegmentator_examples"
    image = read_image(folder / "example_ct_sm.nii.gz")
    anatomy = read_label_map(folder / "example_seg.nii.gz")
    liver = anatomy.array[0] == 5
    measurements = measure_region(liver, anatomy, image=image)
    assert measurements.volume_ml == pytest.approx(liver.sum() * 27 / 1000)
    assert 20 < measurements.intensity[0].inside.median < 200  # liver parenchyma in HU
    assert measurements.centroid_ras[0] > 0  # the liver lies on the patient's right (RAS x > 0 there)


def test_a_region_touching_the_border_says_so():
    affine = np.diag([0.8, 0.8, 2.0, 1.0])
    grid = LabelMap(np.zeros((1, 20, 20, 6), np.uint8), affine)
    mask = np.zeros(grid.spatial_shape, bool)
    mask[0:5, 8:12, 2:4] = True
    image = ScalarVolume(np.where(mask, 50.0, -800.0)[None].astype(np.float32), affine)
    measurements = measure_region(mask, grid, image=image)
    assert measurements.touches_border
    assert measurements.bounding_box.ijk_min == (0, 8, 2)
    # a 5 x 4 pixel rectangle of 0.8 mm pixels: 4.0 x 3.2 mm; its outline's corners are cut, so the long axis lies
    # between the longer side and the diagonal (5.12 mm)
    assert 4.0 < measurements.long_axis_mm < np.hypot(4.0, 3.2)
    assert measurements.intensity[0].contrast == pytest.approx(850.0)
    assert measurements.to_dict()["touches_border"] is True


def test_bad_inputs_are_refused_with_the_fix():
    grid = LabelMap(np.zeros((1, 10, 10, 4), np.uint8), np.eye(4))
    with pytest.raises(ValueError, match="non-empty mask"):
        measure_region(np.zeros(grid.spatial_shape, bool), grid)
    other = ScalarVolume(np.zeros((1, 10, 10, 4), np.float32), np.diag([2.0, 2.0, 2.0, 1.0]))
    mask = np.zeros(grid.spatial_shape, bool)
    mask[2:4, 2:4, 1] = True
    with pytest.raises(GridMismatchError, match="Resample"):
        measure_region(mask, grid, image=other)


def test_measuring_all_regions_in_their_boxes_equals_measuring_each_on_the_full_grid(shared_data):
    case = shared_data / "brats2015" / "brats_2013_pat0001_1"
    image = read_image([case / "Flair_subtrMeanDivStd.nii.gz", case / "T1c_subtrMeanDivStd.nii.gz"])
    labels = read_label_map(case / "OTMultiClass.nii.gz").array[0].copy()  # 4 touching sub-regions
    labels[0:3, 100:110, 70:75] = 7  # and one on the grid's border, with a gap in the label values
    label_map = LabelMap.on_grid(labels, image, "regions")
    boxed = measure_regions(label_map, image=image)
    assert sorted(boxed) == [1, 2, 3, 4, 7]
    for value, measurements in boxed.items():
        mask = labels == value
        full_grid = measure_region(mask, label_map, image=image, exclude=(labels > 0) & ~mask)
        assert repr(measurements) == repr(full_grid)  # every figure the same (repr: NaN equals NaN)
    assert boxed[7].touches_border and boxed[7].bounding_box.ijk_min == (0, 100, 70)


def test_axes_already_measured_by_the_lesion_step_give_the_same_measurements(shared_data):
    case = shared_data / "brats2015" / "brats_2013_pat0001_1"
    image = read_image([case / "Flair_subtrMeanDivStd.nii.gz", case / "T1c_subtrMeanDivStd.nii.gz"])
    label_map = LabelMap.on_grid(read_label_map(case / "OTMultiClass.nii.gz").array[0], image, "regions")
    lesion_axes = {
        lesion.lesion_id: AxialDiameters(lesion.long_axis_mm, lesion.short_axis_mm, lesion.axial_slice_index)
        for lesion in measure_lesions(label_map)
    }
    reused = measure_regions(label_map, image=image, known_axes=lesion_axes)
    assert repr(reused) == repr(measure_regions(label_map, image=image))  # slice indices on the full grid too

    given = AxialDiameters(99.0, 1.0, 80)
    assert measure_regions(label_map, known_axes={3: given})[3].long_axis_mm == 99.0  # used, not measured again
    assert measure_regions(label_map, known_axes={3: given})[3].axial_slice_index == 80
