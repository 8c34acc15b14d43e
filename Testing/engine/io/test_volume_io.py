"""Reading and writing volumes: exact geometry on real files, LPS/RAS, DICOM series, errors."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import SimpleITK as sitk
from scipy import ndimage

from geometry_helpers import affine_from, rotation_z
from reinforcedvl.errors import GridMismatchError, InputFileError, UnsupportedVolumeError
from reinforcedvl.io import read_image, read_label_map, write_volume
from reinforcedvl.io.volume_io import LPS_TO_RAS, to_sitk_image
from reinforcedvl.volume import LabelMap, ScalarVolume

WRITE_FORMATS = [".nii.gz", ".nrrd", ".mha"]


@pytest.mark.parametrize("suffix", WRITE_FORMATS)
def test_write_then_read_keeps_array_and_geometry_exactly(tmp_path, suffix):
    affine = affine_from((0.7, 0.9, 2.5), origin=(12.5, -40.25, 7.0), direction=rotation_z(20) @ np.diag([1, -1, 1]))
    array = np.random.default_rng(1).integers(0, 5, size=(1, 7, 6, 5)).astype(np.uint8)
    path = write_volume(LabelMap(array, affine, name="labels"), tmp_path / f"labels{suffix}")
    back = read_label_map(path)
    np.testing.assert_array_equal(back.array, array)
    np.testing.assert_allclose(back.affine, affine, atol=1e-5)


def test_levels_round_a_scalar_map_in_its_file_only_and_pack_it_smaller(tmp_path):
    noise = ndimage.gaussian_filter(np.random.default_rng(0).random((40, 40, 12)), 2.0)
    smooth = (noise - noise.min()) / (noise.max() - noise.min())  # like an attention map: smooth, in [0, 1]
    volume = ScalarVolume(smooth[None].astype(np.float32), affine_from((1.0, 1.0, 2.0)), name="evidence")
    original = volume.array.copy()
    exact = write_volume(volume, tmp_path / "exact.nrrd")
    rounded = write_volume(volume, tmp_path / "rounded.nrrd", levels=255)
    np.testing.assert_array_equal(volume.array, original)  # the volume itself is left as it was
    back = read_image(rounded).array
    assert back.dtype == np.float32
    np.testing.assert_allclose(back * 255, np.round(back * 255), atol=1e-3)  # every value on a step of 1/255
    assert np.abs(back - original).max() <= 0.5 / 255 + 1e-6
    assert rounded.stat().st_size < exact.stat().st_size / 2


def test_ras_affine_is_the_lps_geometry_with_x_and_y_flipped(tmp_path):
    image = sitk.Image(4, 5, 6, sitk.sitkInt16)
    image.SetSpacing((0.5, 0.75, 2.0))
    image.SetOrigin((-100.0, 50.0, 10.0))  # LPS
    path = tmp_path / "lps.nrrd"
    sitk.WriteImage(image, str(path))
    volume = read_image(path)
    # voxel (1, 2, 3) in ITK's physical (LPS) frame, then into RAS by flipping x and y
    lps = np.array(image.TransformIndexToPhysicalPoint((1, 2, 3)))
    np.testing.assert_allclose(volume.voxel_to_ras([[1, 2, 3]])[0], lps * [-1, -1, 1])
    np.testing.assert_allclose(LPS_TO_RAS @ LPS_TO_RAS, np.eye(4))
    # and back: our image written through ITK has the same LPS geometry
    np.testing.assert_allclose(to_sitk_image(volume).GetOrigin(), image.GetOrigin())


def test_lidc_mask_centroids_land_on_the_radiologists_coordinates(shared_data):
    """Real geometry check: the centroid of each LIDC mask, mapped through our affine and converted to LPS, is the
    nodule centre recorded in the LIDC metadata (world LPS mm). A sign error in x or y would miss by 100+ mm."""
    import csv

    from reinforcedvl.lesions.sizes import centroid_ras

    folder = shared_data / "lidc_nodules"
    rows = list(csv.DictReader(open(folder / "metadata_by_nodule.csv", encoding="utf-8")))[:40]
    errors = []
    for row in rows:
        path = folder / "nodule_mask" / f"{row['patient_id']}_R_{row['nodule_id']}.nii.gz"
        if not path.exists():
            continue
        mask = read_label_map(path)
        ras = np.array(centroid_ras(mask.array[0] > 0, mask))
        recorded_lps = np.array([float(row["coordX"]), float(row["coordY"]), float(row["coordZ"])])
        errors.append(np.linalg.norm(ras * [-1, -1, 1] - recorded_lps))
    assert len(errors) >= 30
    assert np.median(errors) < 1.0
    assert max(errors) < 5.0


def test_lidc_crop_and_mask_share_one_grid(shared_data):
    name = "LIDC-IDRI-0003_R_4.nii.gz"
    image = read_image(shared_data / "lidc_nodules" / "image" / name)
    mask = read_label_map(shared_data / "lidc_nodules" / "nodule_mask" / name)
    assert image.same_grid(mask)
    assert image.spacing == pytest.approx((0.8203, 0.8203, 2.5), abs=1e-3)
    assert mask.labels.tolist() == [1]


def test_totalsegmentator_dicom_series_and_nifti_labels_agree_in_physical_space(shared_data):
    """The DICOM series and its NIfTI label map share physical space with a flipped y axis: our affines must
    map each label voxel to the DICOM voxel at the same place, which is the one mirrored along j."""
    folder = shared_data / "totalsegmentator_examples"
    ct = read_image(folder / "ct_dicom")
    labels = read_label_map(folder / "example_seg_dicom.nii.gz")
    assert ct.source.file_format == "dicom" and ct.source.modality == "CT"
    assert len(ct.source.paths) == 20
    assert ct.spatial_shape == labels.spatial_shape
    assert not ct.same_grid(labels)
    assert (ct.orientation, labels.orientation) == ("LPS", "LAS")
    # where does each label voxel fall on the CT grid?
    corners = np.array([[0, 0, 0], [511, 0, 0], [0, 511, 19], [100, 200, 5]])
    on_ct = ct.ras_to_voxel(labels.voxel_to_ras(corners))
    expected = corners.astype(float)
    expected[:, 1] = 511 - expected[:, 1]
    np.testing.assert_allclose(on_ct, expected, atol=1e-3)
    # so the label array, mirrored along j, lies on the CT grid voxel for voxel: check it labels the body
    mirrored = labels.array[0, :, ::-1, :]
    inside_body = ct.array[0][mirrored > 0] > -500
    assert inside_body.mean() > 0.95


def test_dcmqi_nrrd_label_maps_lie_on_the_dicom_grid(shared_data):
    folder = shared_data / "dcmqi_dicom_seg"
    ct = read_image(folder / "ct-3slice")
    for name in ("liver_seg.nrrd", "spine_seg.nrrd", "heart_seg.nrrd", "liver_spine_seg.nrrd"):
        labels = read_label_map(folder / name)
        assert ct.same_grid(labels), name
    assert read_label_map(folder / "liver_spine_seg.nrrd").labels.tolist() == [1, 2]


def test_one_file_of_a_series_reads_the_whole_series(shared_data):
    folder = shared_data / "totalsegmentator_examples" / "ct_dicom"
    first = sorted(folder.iterdir())[0]
    assert read_image(first).spatial_shape == (512, 512, 20)


def test_channels_of_one_study_are_stacked(shared_data):
    case = shared_data / "brats2015" / "brats_2013_pat0001_1"
    study = read_image([case / "Flair_subtrMeanDivStd.nii.gz", case / "T1c_subtrMeanDivStd.nii.gz"])
    assert study.num_channels == 2 and study.spatial_shape == (240, 240, 155)
    assert study.array.dtype == np.float32


def test_channels_on_different_grids_are_refused(shared_data, tmp_path):
    case = shared_data / "brats2015" / "brats_2013_pat0001_1"
    flair = read_image(case / "Flair_subtrMeanDivStd.nii.gz")
    shifted = ScalarVolume(flair.array, affine_from((1, 1, 1), origin=(5, 0, 0)), name="shifted")
    path = write_volume(shifted, tmp_path / "shifted.nii.gz")
    with pytest.raises(GridMismatchError, match="not on the same voxel grid"):
        read_image([case / "Flair_subtrMeanDivStd.nii.gz", path])


def test_missing_file_message_says_what_to_check(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        read_image(tmp_path / "nothing.nii.gz")


def test_unknown_format_lists_the_supported_ones(tmp_path):
    path = tmp_path / "scan.jpg"
    path.write_bytes(b"\xff\xd8\xff")
    with pytest.raises(InputFileError, match="NIfTI"):
        read_image(path)


def test_truncated_file_is_reported_as_corrupt(shared_data, tmp_path):
    source = shared_data / "lidc_nodules" / "image" / "LIDC-IDRI-0003_R_4.nii.gz"
    broken = tmp_path / "broken.nii.gz"
    broken.write_bytes(source.read_bytes()[:2000])
    with pytest.raises(InputFileError, match="truncated or corrupt"):
        read_image(broken)


def test_four_dimensional_series_is_refused_with_a_way_out(tmp_path):
    image = sitk.Image([5, 5, 5, 3], sitk.sitkFloat32)
    path = tmp_path / "dynamic.nii.gz"
    sitk.WriteImage(image, str(path))
    with pytest.raises(UnsupportedVolumeError, match="4D with 3 volumes"):
        read_image(path)


def test_four_dimensional_file_with_one_volume_is_read_as_3d(tmp_path):
    image = sitk.Image([5, 6, 7, 1], sitk.sitkFloat32)
    path = tmp_path / "one.nii.gz"
    sitk.WriteImage(image, str(path))
    assert read_image(path).spatial_shape == (5, 6, 7)


def test_a_2d_image_becomes_a_single_slice_volume(tmp_path):
    image = sitk.Image([8, 9], sitk.sitkInt16)
    image.SetSpacing((0.5, 0.5))
    path = tmp_path / "slice.nrrd"
    sitk.WriteImage(image, str(path))
    assert read_image(path).spatial_shape == (8, 9, 1)


def test_colour_image_is_refused(tmp_path):
    image = sitk.Image([4, 4, 4], sitk.sitkVectorUInt8, 3)
    path = tmp_path / "rgb.nrrd"
    sitk.WriteImage(image, str(path))
    with pytest.raises(UnsupportedVolumeError, match="values per voxel"):
        read_image(path)


def test_non_integer_mask_is_not_a_label_map(tmp_path):
    volume = ScalarVolume(np.full((1, 3, 3, 3), 0.5, np.float32), np.eye(4))
    path = write_volume(volume, tmp_path / "soft.nii.gz")
    with pytest.raises(InputFileError, match="not a label map"):
        read_label_map(path)


def test_folder_with_several_series_asks_which(shared_data, tmp_path):
    for source in (
        shared_data / "totalsegmentator_examples" / "ct_dicom",
        shared_data / "dcmqi_dicom_seg" / "ct-3slice",
    ):
        for file in sorted(source.iterdir())[:3]:
            shutil.copy(file, tmp_path / f"{source.name}-{file.name}")
    with pytest.raises(InputFileError, match="holds 2 DICOM series"):
        read_image(tmp_path)
