"""``reinforcedvl segment --point/--negative-point/--box`` on the bundled LIDC sample with the starter model: the
answer at the point, the points in result.json and the report, and every bad coordinate explained (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from reinforcedvl.cli.main import main
from reinforcedvl.io import read_image, read_label_map

SAMPLES = Path(__file__).resolve().parents[3] / "Resources" / "Samples"
SAMPLE = SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"
SAMPLE_MASK = SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4_mask.nii.gz"


@pytest.fixture(scope="module")
def centre() -> str:
    mask = read_label_map(SAMPLE_MASK)
    ras = mask.voxel_to_ras(np.asarray(ndimage.center_of_mass(mask.array[0] > 0)))[0]
    return ",".join(f"{x:.2f}" for x in ras)


def _run(capsys, *arguments) -> tuple[int, str, str]:
    code = main([str(a) for a in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_point_answers_the_nodule_there_and_is_recorded(tmp_path, capsys, centre):
    out = tmp_path / "out"
    away = "36.0,16.0,-160.0"  # a corner of the crop's lung, far from the nodule
    code, stdout, stderr = _run(
        capsys,
        "segment",
        SAMPLE,
        "--prompt",
        "solid lung nodule",
        "--point",
        centre,
        "--negative-point",
        away,
        "--box",
        "25,10,-180,65,50,-155",
        "--out",
        out,
        "--device",
        "cpu",
        "--report",
        "en",
    )
    assert code == 0, stderr
    assert "lesions 1 (yellow)" in stdout and "at point 1" in stdout
    entry = json.loads((out / "result.json").read_text())["prompts"][0]
    assert entry["points"] == [
        {"ras": [float(x) for x in centre.split(",")], "positive": True},
        {"ras": [36.0, 16.0, -160.0], "positive": False},
    ]
    assert entry["box"] == {"corner_a_ras": [25.0, 10.0, -180.0], "corner_b_ras": [65.0, 50.0, -155.0]}
    assert [lesion["marked_points"] for lesion in entry["lesions"]] == [[1]]
    labels = read_label_map(out / entry["labelmap"]).array[0]
    assert labels.shape == read_image(SAMPLE).spatial_shape
    assert (labels > 0)[read_label_map(SAMPLE_MASK).array[0] > 0].mean() > 0.7
    report = json.loads((out / "report.json").read_text())
    assert report["sentences"][0]["text"].startswith("Lesion 1 (yellow), at the marked point: solid lung nodule")
    assert report["findings"][0]["lesions"][0]["marked_points"] == [1]


def test_the_report_in_japanese_names_the_marked_point(tmp_path, capsys, centre):
    code, _, stderr = _run(
        capsys,
        "segment",
        SAMPLE,
        "--prompt",
        "solid lung nodule",
        "--point",
        centre,
        "--out",
        tmp_path / "ja",
        "--device",
        "cpu",
        "--report",
        "ja",
    )
    assert code == 0, stderr
    report = json.loads((tmp_path / "ja" / "report.json").read_text())
    assert report["sentences"][0]["text"].startswith("病変1（黄）、指定した点の位置：")


def test_the_description_alone_writes_no_point_keys(tmp_path, capsys):
    code, _, stderr = _run(
        capsys, "segment", SAMPLE, "--prompt", "solid lung nodule", "--out", tmp_path / "t", "--device", "cpu"
    )
    assert code == 0, stderr
    entry = json.loads((tmp_path / "t" / "result.json").read_text())["prompts"][0]
    assert "points" not in entry and "box" not in entry
    assert all("marked_points" not in lesion for lesion in entry["lesions"])


BAD_ARGUMENTS = [
    (("--point", "47,30"), "argument --point: '47,30' is not a point: give 3 numbers in RAS mm as R,A,S"),
    (("--negative-point", "a,b,c"), "argument --negative-point: 'a,b,c' is not a point"),
    (("--box", "1,2,3,4,5"), "argument --box: '1,2,3,4,5' is not a box: give 6 numbers"),
]


@pytest.mark.parametrize(("arguments", "message"), BAD_ARGUMENTS)
def test_malformed_coordinates_exit_2_with_the_expected_form(tmp_path, capsys, arguments, message):
    with pytest.raises(SystemExit) as stopped:
        main(["segment", str(SAMPLE), "--prompt", "nodule", "--out", str(tmp_path / "out"), *arguments])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


OUTSIDE = [
    (("--point", "0,0,0"), "The point (0.0, 0.0, 0.0) lies outside the volume"),
    (("--negative-point", "47,30,100"), "The negative point (47.0, 30.0, 100.0) lies outside the volume"),
    (("--box", "100,100,100,120,120,120"), "does not overlap the volume"),
    (("--point", "47,30,-170", "--box", "30,13,-179,35,18,-175"), "outside the box"),
]


@pytest.mark.parametrize(("arguments", "message"), OUTSIDE)
def test_points_and_boxes_off_the_volume_exit_2_before_the_model_loads(tmp_path, capsys, arguments, message):
    code, _, stderr = _run(capsys, "segment", SAMPLE, "--prompt", "nodule", "--out", tmp_path / "out", *arguments)
    assert code == 2
    assert message in stderr
    if "outside the box" not in message:
        assert "spans R 30.3 to 64.7" in stderr  # the volume's extent, to correct the coordinates by
    assert "Model " not in stderr  # refused before the model was loaded
    assert not (tmp_path / "out").exists()
