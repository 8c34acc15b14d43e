"""``reinforcedvl report`` end to end on real files: report.md and report.json, Japanese wording, BraTS labels,
DICOM export from a DICOM series, and every refusal explained."""

from __future__ import annotations

import json

import pytest

from reinforcedvl.cli.main import main
from reinforcedvl.io import write_volume


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
