"""``reinforcedvl report`` end to end on real files: report.md and report.json, Japanese wording, BraTS labels,
DICOM export from a DICOM series, and every refusal explained."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reinforcedvl.cli.main import main
from reinforcedvl.io import read_image, write_volume


def _run(capsys, *arguments) -> tuple[int, str, str]:
    code = main([str(a) for a in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_lidc_nodule_report_in_english_and_japanese(shared_data, tmp_path, capsys):
    name = "LIDC-IDRI-0001_R_1.nii.gz"
    image = shared_data / "lidc_nodules" / "image" / name
    mask = shared_data / "lidc_nodules" / "nodule_mask" / name
    documents = {}
    for language in ("en", "ja"):
        out = tmp_path / language
        code, stdout, stderr = _run(
            capsys, "report", image, "--mask", mask, "--prompt", "solid lung nodule", "--out", out, "--lang", language
        )
        assert code == 0, stderr
        assert "solid lung nodule: 1 lesion(s)" in stdout and "report.md" in stdout
        documents[language] = json.loads((out / "report.json").read_text(encoding="utf-8"))
        markdown = (out / "report.md").read_text(encoding="utf-8")
        assert documents[language]["sentences"][0]["text"] in markdown
    english, japanese = documents["en"], documents["ja"]
    assert english["sentences"][0]["text"].startswith("Lesion 1 (yellow): solid lung nodule, ")
    assert japanese["sentences"][0]["text"].startswith("病変1（黄）：充実性肺結節、")
    assert english["findings"][0]["lesions"][0]["long_axis_mm"] == japanese["findings"][0]["lesions"][0]["long_axis_mm"]
    # metadata of this nodule: diameter_mm 23.35; the mask's equivalent diameter is close to it
    assert english["findings"][0]["lesions"][0]["equivalent_diameter_mm"] == pytest.approx(23.35, abs=2.0)
    assert english["sentences"][0]["links"]["segment_id"] == "lesion_1"


def test_brats_labels_as_two_findings(shared_data, tmp_path, capsys):
    case = shared_data / "brats2015" / "brats_2013_pat0004_1"
    code, stdout, stderr = _run(
        capsys,
        "report",
        case / "Flair_subtrMeanDivStd.nii.gz",
        case / "T1c_subtrMeanDivStd.nii.gz",
        "--mask",
        case / "OTMultiClass.nii.gz",
        "--prompt",
        "enhancing tumour",
        "--label",
        "4",
        "--prompt",
        "whole brain tumour",
        "--label",
        "1,2,3,4",
        "--out",
        tmp_path,
    )
    assert code == 0, stderr
    document = json.loads((tmp_path / "report.json").read_text())
    assert document["modality"] == "MR"
    enhancing, whole = document["findings"]
    assert whole["lesions"][0]["volume_ml"] > enhancing["lesions"][0]["volume_ml"]
    assert "on T1c_subtrMeanDivStd.nii.gz" in enhancing["lesions"][0]["text"]


def test_dicom_series_report_with_seg_and_sr(shared_data, tmp_path, capsys):
    folder = shared_data / "dcmqi_dicom_seg"
    code, stdout, stderr = _run(
        capsys,
        "report",
        folder / "ct-3slice",
        "--mask",
        folder / "liver_seg.nrrd",
        "--prompt",
        "liver",
        "--out",
        tmp_path,
        "--dicom",
    )
    assert code == 0, stderr
    assert sorted(p.name for p in (tmp_path / "dicom").iterdir()) == ["seg_01.dcm", "sr.dcm"]
    assert "seg_01.dcm" in stdout and "sr.dcm" in stdout


def test_dicom_export_of_a_nifti_says_why_before_writing(ct_with_sphere, tmp_path, capsys):
    image = write_volume(ct_with_sphere[0], tmp_path / "ct.nii.gz")
    mask = write_volume(ct_with_sphere[1], tmp_path / "mask.nii.gz")
    out = tmp_path / "out"
    code, _, stderr = _run(capsys, "report", image, "--mask", mask, "--prompt", "nodule", "--out", out, "--dicom")
    assert code == 2
    assert "nifti file, which carries no DICOM study" in stderr and "leave out --dicom" in stderr
    assert not out.exists()


def test_existing_reports_are_kept_unless_overwrite(ct_with_sphere, tmp_path, capsys):
    image = write_volume(ct_with_sphere[0], tmp_path / "ct.nrrd")
    mask = write_volume(ct_with_sphere[1], tmp_path / "mask.nrrd")
    arguments = ["report", image, "--mask", mask, "--prompt", "nodule", "--out", tmp_path / "out"]
    assert _run(capsys, *arguments)[0] == 0
    code, _, stderr = _run(capsys, *arguments)
    assert code == 2 and "--overwrite" in stderr
    assert _run(capsys, *arguments, "--overwrite")[0] == 0


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--prompt", "second"], "several --prompt need one --label each"),
        (["--label", "1", "--label", "2"], "1 --prompt but 2 --label"),
        (["--label", "0"], "label values are whole numbers above 0"),
        (["--label", "x"], "is not a list of label values"),
        (["--lang", "de"], "invalid choice"),
    ],
)
def test_argument_mistakes_are_explained(ct_with_sphere, tmp_path, capsys, extra, message):
    image = write_volume(ct_with_sphere[0], tmp_path / "ct.nrrd")
    mask = write_volume(ct_with_sphere[1], tmp_path / "mask.nrrd")
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in ["report", image, "--mask", mask, "--prompt", "nodule", "--out", tmp_path, *extra]])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_mask_on_another_grid_is_refused_with_the_fix(shared_data, tmp_path, capsys):
    folder = shared_data / "totalsegmentator_examples"
    code, _, stderr = _run(
        capsys,
        "report",
        folder / "ct_dicom",
        "--mask",
        folder / "example_seg_dicom.nii.gz",
        "--prompt",
        "liver",
        "--label",
        "5",
        "--out",
        tmp_path,
    )
    assert code == 2 and "not on the same voxel grid" in stderr and "Resample" in stderr


# --- hostile inputs: every one refused in one line with exit 2, and nothing left behind ---

TYPE2_PATIENT_AND_STUDY = ("PatientSex", "PatientBirthDate", "PatientName", "PatientID", "StudyDate", "StudyTime",
                           "ReferringPhysicianName", "StudyID", "AccessionNumber")  # fmt: skip


@pytest.fixture
def series_without_patient_attributes(shared_data, tmp_path):
    """The dcmqi 3-slice CT with the Type 2 Patient and Study attributes removed (as some de-identifiers do)."""
    import pydicom

    folder = tmp_path / "series"
    folder.mkdir()
    for path in sorted((shared_data / "dcmqi_dicom_seg" / "ct-3slice").iterdir()):
        dataset = pydicom.dcmread(path)
        for keyword in TYPE2_PATIENT_AND_STUDY:
            if keyword in dataset:
                delattr(dataset, keyword)
        dataset.save_as(folder / path.name)
    return folder


def test_dicom_export_of_a_series_without_patient_sex_is_valid(
    series_without_patient_attributes, shared_data, tmp_path, capsys
):
    import shutil
    import subprocess

    out = tmp_path / "out"
    mask = shared_data / "dcmqi_dicom_seg" / "liver_seg.nrrd"
    code, _, stderr = _run(
        capsys,
        "report",
        series_without_patient_attributes,
        "--mask",
        mask,
        "--prompt",
        "liver",
        "--out",
        out,
        "--dicom",
    )
    assert code == 0, stderr
    written = sorted(p.name for p in (out / "dicom").iterdir())
    assert written == ["seg_01.dcm", "sr.dcm"]
    import pydicom

    segmentation = pydicom.dcmread(out / "dicom" / "seg_01.dcm")
    assert "PatientSex" in segmentation and segmentation.PatientSex in ("", None)
    dciodvfy = shutil.which("dciodvfy")
    if dciodvfy:
        for name in written:
            completed = subprocess.run([dciodvfy, str(out / "dicom" / name)], capture_output=True, text=True)
            output = completed.stdout + completed.stderr
            assert [line for line in output.splitlines() if line.startswith("Error")] == [], output


def test_a_failed_dicom_export_leaves_no_report_behind(shared_data, tmp_path, capsys, monkeypatch):
    """Whatever fails after the report is built, the output folder is left as it was: no report, no empty dicom/."""
    from reinforcedvl.errors import ReinforcedVLError
    from reinforcedvl.study import report_job as report_study_module

    def failing_export(*args, **kwargs):
        raise ReinforcedVLError("the export failed")

    monkeypatch.setattr(report_study_module, "export_dicom", failing_export)
    folder = shared_data / "dcmqi_dicom_seg"
    out = tmp_path / "out"
    arguments = ["report", folder / "ct-3slice", "--mask", folder / "liver_seg.nrrd", "--prompt", "liver", "--out", out]
    code, _, stderr = _run(capsys, *arguments, "--dicom")
    assert code == 2 and "the export failed" in stderr
    assert not out.exists()


@pytest.mark.parametrize("make_out", [lambda tmp: tmp / "notes.txt", lambda tmp: tmp / "notes.txt" / "results"])
def test_an_unwritable_out_is_refused_before_reading(ct_with_sphere, tmp_path, capsys, make_out):
    (tmp_path / "notes.txt").write_text("keep me\n")
    image = write_volume(ct_with_sphere[0], tmp_path / "ct.nrrd")
    mask = write_volume(ct_with_sphere[1], tmp_path / "mask.nrrd")
    out = make_out(tmp_path)
    code, _, stderr = _run(capsys, "report", image, "--mask", mask, "--prompt", "nodule", "--out", out)
    assert code == 2 and "is a file" in stderr and "Traceback" not in stderr
    assert (tmp_path / "notes.txt").read_text() == "keep me\n"


def _with_values(volume, change):
    from reinforcedvl.volume import ScalarVolume

    array = volume.array.copy()
    change(array)
    return ScalarVolume(array, volume.affine, name=volume.name)


BAD_IMAGES = [
    # a change to the CT, words of the message (the same check as segment's)
    (lambda a: a.__setitem__((0, 3, 3, 3), np.nan), "1 NaN or infinite voxels"),
    (lambda a: a.__setitem__((0, slice(2, 4), 3, 3), np.inf), "2 NaN or infinite voxels"),
    (lambda a: a.fill(0.0), "same value (0.0) in every voxel"),
]


@pytest.mark.parametrize("change, message", BAD_IMAGES)
def test_report_refuses_the_images_segment_refuses(ct_with_sphere, tmp_path, capsys, change, message):
    image = write_volume(_with_values(ct_with_sphere[0], change), tmp_path / "ct.nrrd")
    mask = write_volume(ct_with_sphere[1], tmp_path / "mask.nrrd")
    out = tmp_path / "out"
    code, _, stderr = _run(capsys, "report", image, "--mask", mask, "--prompt", "nodule", "--out", out)
    assert code == 2 and message in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_a_label_the_mask_does_not_hold_is_an_error_not_an_absent_finding(ct_with_sphere, tmp_path, capsys):
    image = write_volume(ct_with_sphere[0], tmp_path / "ct.nrrd")
    mask = write_volume(ct_with_sphere[1], tmp_path / "mask.nrrd")  # label 1 only
    out = tmp_path / "out"
    code, stdout, stderr = _run(capsys, "report", image, "--mask", mask, "--prompt", "nodule", "--label", "3",
                                "--out", out)  # fmt: skip
    assert code == 2 and "has no voxel with label 3 (it holds 1)" in stderr and "No nodule" not in stdout
    assert not out.exists()
    code, stdout, stderr = _run(capsys, "report", image, "--mask", mask, "--prompt", "nodule", "--label", "1,3",
                                "--out", out)  # fmt: skip
    assert code == 0 and "warning:" in stderr and "label 3" in stderr and "nodule: 1 lesion(s)" in stdout


def _shifted_to_unsigned(path, tmp_path):
    """An integer image with no negative value: the CT shifted up by 1100, stored as uint16."""
    import SimpleITK as sitk

    image = sitk.ReadImage(str(path))
    shifted = sitk.Cast(sitk.Clamp(image, lowerBound=-1100) + 1100, sitk.sitkUInt16)
    target = tmp_path / "shifted.nrrd"
    sitk.WriteImage(shifted, str(target))
    return target


NOT_LABEL_MAPS = [
    # how to make the "mask" from the shared CT (int16 HU), words of the message
    (lambda ct, tmp: ct, "holds negative values"),
    (_shifted_to_unsigned, "it looks like an image"),
    (
        lambda ct, tmp: write_volume(_with_values(read_image(ct), lambda a: a.__imul__(0.37)), tmp / "f.nrrd"),
        "non-integer",
    ),
]


@pytest.mark.parametrize("make_mask, message", NOT_LABEL_MAPS)
def test_an_image_given_as_the_mask_is_refused(shared_data, tmp_path, capsys, make_mask, message):
    ct = shared_data / "totalsegmentator_examples" / "example_ct_sm.nii.gz"
    mask = make_mask(ct, tmp_path)
    out = tmp_path / "out"
    code, stdout, stderr = _run(capsys, "report", ct, "--mask", mask, "--prompt", "liver lesion", "--out", out)
    assert code == 2 and message in stderr and ("not a label map" in stderr or "not a mask" in stderr)
    assert "Traceback" not in stderr and "lesion(s)" not in stdout
    assert not out.exists()


def test_a_real_multi_class_label_map_is_still_read(shared_data, tmp_path, capsys):
    """The 117-class TotalSegmentator map passes the label-map rules (liver is label 5)."""
    folder = shared_data / "totalsegmentator_examples"
    code, stdout, stderr = _run(
        capsys, "report", folder / "example_ct_sm.nii.gz", "--mask", folder / "example_seg.nii.gz", "--prompt",
        "liver", "--label", "5", "--out", tmp_path / "out",
    )  # fmt: skip
    assert code == 0, stderr
    assert "liver: 1 lesion(s)" in stdout


SOURCE_DAMAGE = [
    # a change to every file of the series, whether the export is written, words of the message when it is not
    (lambda dataset: delattr(dataset, "SliceThickness"), True, None),
    (lambda dataset: setattr(dataset, "SliceThickness", None), True, None),
    (lambda dataset: setattr(dataset, "PatientSex", "Q"), False, "could not be built"),
    (lambda dataset: setattr(dataset, "PatientBirthDate", "notadate"), False, "could not be built"),
    (lambda dataset: setattr(dataset, "StudyTime", "99:99"), False, "could not be built"),
]


@pytest.mark.parametrize("change, written, message", SOURCE_DAMAGE)
def test_a_series_dicom_export_cannot_use_is_explained(shared_data, tmp_path, capsys, change, written, message):
    import pydicom

    series = tmp_path / "series"
    series.mkdir()
    for path in sorted((shared_data / "dcmqi_dicom_seg" / "ct-3slice").iterdir()):
        dataset = pydicom.dcmread(path)
        change(dataset)
        dataset.save_as(series / path.name)
    mask = shared_data / "dcmqi_dicom_seg" / "liver_seg.nrrd"
    out = tmp_path / "out"
    code, _, stderr = _run(capsys, "report", series, "--mask", mask, "--prompt", "liver", "--out", out, "--dicom")
    assert "Traceback" not in stderr
    if written:
        assert code == 0, stderr
        assert sorted(p.name for p in (out / "dicom").iterdir()) == ["seg_01.dcm", "sr.dcm"]
    else:
        assert code == 2 and message in stderr and "leave out --dicom" in stderr
        assert not out.exists()
