"""``reinforcedvl segment`` end to end: files written on the input's grid, and every bad input explained."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from reinforcedvl.cli.main import main
from reinforcedvl.io import read_image, read_label_map, write_volume
from reinforcedvl.volume import ScalarVolume

slicer = pytest.importorskip("slicer", reason="slicer-core is part of the test requirements")
vtk = pytest.importorskip("vtk")


def _run(capsys, *arguments) -> tuple[int, str, str]:
    code = main([str(a) for a in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def sample_ct(tmp_path, ct_with_sphere):
    return write_volume(ct_with_sphere[0], tmp_path / "input" / "ct.nrrd")


def test_segment_writes_every_file_on_the_input_grid(tmp_path, capsys, sample_ct, untrained_checkpoint):
    out = tmp_path / "out"
    code, stdout, stderr = _run(
        capsys,
        "segment",
        sample_ct,
        "--prompt",
        "solid nodule",
        "--prompt",
        "ground-glass nodule",
        "--out",
        out,
        "--model",
        untrained_checkpoint,
        "--device",
        "cpu",
    )
    assert code == 0, stderr
    assert "CPU" in stderr and "result.json" in stdout
    report = json.loads((out / "result.json").read_text())
    assert report["model"] == {"id": "untrained-test-model", "version": "0.0.0"}
    assert report["device"].startswith("CPU") and report["seconds"] > 0
    assert [p["prompt"] for p in report["prompts"]] == ["solid nodule", "ground-glass nodule"]
    source = read_image(sample_ct)
    for entry in report["prompts"]:
        assert set(entry) >= {
            "prompt",
            "present_probability",
            "present",
            "labelmap",
            "segmentation",
            "evidence",
            "lesions",
        }
        assert entry["labelmap"].endswith(".nrrd") and entry["evidence"].endswith(".nrrd")
        labels = read_label_map(out / entry["labelmap"])
        assert labels.same_grid(source)
        assert read_image(out / entry["evidence"]).same_grid(source)
        assert labels.labels.tolist() == [lesion["id"] for lesion in entry["lesions"]]
        assert (out / entry["segmentation"]).is_file()


def _slicer_volume(paths):
    scene = slicer.vtkMRMLScene()
    node = slicer.vtkMRMLScalarVolumeNode()
    scene.AddNode(node)
    storage = slicer.vtkMRMLVolumeArchetypeStorageNode()
    scene.AddNode(storage)
    storage.SetFileName(str(paths[0]))
    for path in paths if len(paths) > 1 else []:
        storage.AddFileName(str(path))
    assert storage.ReadData(node) == 1
    matrix = vtk.vtkMatrix4x4()
    node.GetIJKToRASMatrix(matrix)
    ijk_to_ras = np.array([[matrix.GetElement(r, c) for c in range(4)] for r in range(4)])
    from vtk.util.numpy_support import vtk_to_numpy

    image = node.GetImageData()
    array = vtk_to_numpy(image.GetPointData().GetScalars()).reshape(image.GetDimensions()[::-1]).transpose(2, 1, 0)
    return ijk_to_ras, array


def test_dicom_result_overlays_the_series_in_slicer(tmp_path, capsys, shared_data, untrained_checkpoint):
    """Slicer loads the DICOM series and our label map: same IJK-to-RAS matrix, same dimensions, same voxels."""
    from reinforcedvl.model_store.checkpoint import ModelIdentity, read_checkpoint, save_checkpoint
    from reinforcedvl.modeling import build_network

    always = tmp_path / "always-present"
    config = read_checkpoint(untrained_checkpoint).config.replace(
        existence_threshold=0.0, mask_threshold=0.5, spacing_mm=(3.0, 3.0, 3.0)
    )
    save_checkpoint(always, build_network(config), config, ModelIdentity("overlay-test", "0"))
    series = sorted((shared_data / "dcmqi_dicom_seg" / "ct-3slice").iterdir())
    out = tmp_path / "out"
    code, _, stderr = _run(capsys, "segment", series[0].parent, "--prompt", "lesion", "--out", out, "--model", always)
    assert code == 0, stderr
    entry = json.loads((out / "result.json").read_text())["prompts"][0]
    image_matrix, image_array = _slicer_volume(series)
    label_matrix, label_array = _slicer_volume([out / entry["labelmap"]])
    np.testing.assert_allclose(label_matrix, image_matrix, atol=1e-4)
    assert label_array.shape == image_array.shape
    np.testing.assert_array_equal(label_array, read_label_map(out / entry["labelmap"]).array[0])


def test_existing_results_are_not_overwritten_unless_asked(tmp_path, capsys, sample_ct, untrained_checkpoint):
    out = tmp_path / "out"
    arguments = ["segment", sample_ct, "--prompt", "nodule", "--out", out, "--model", untrained_checkpoint]
    assert _run(capsys, *arguments)[0] == 0
    before = (out / "result.json").read_bytes()
    code, _, stderr = _run(capsys, *arguments)
    assert code == 2 and "--overwrite" in stderr and "Traceback" not in stderr
    assert (out / "result.json").read_bytes() == before
    assert _run(capsys, *arguments, "--overwrite")[0] == 0


def _nan_volume(tmp_path, ct_with_sphere):
    volume = ct_with_sphere[0]
    array = volume.array.copy()
    array[0, 3, 3, 3] = np.nan
    return write_volume(ScalarVolume(array, volume.affine), tmp_path / "nan.nii.gz")


def _truncated(tmp_path, ct_with_sphere):
    path = write_volume(ct_with_sphere[0], tmp_path / "whole.nii.gz")
    broken = tmp_path / "broken.nii.gz"
    broken.write_bytes(path.read_bytes()[:600])
    return broken


def _mismatched_channels(tmp_path, ct_with_sphere):
    volume = ct_with_sphere[0]
    first = write_volume(volume, tmp_path / "a.nii.gz")
    shifted = volume.affine.copy()
    shifted[0, 3] += 3.0
    second = write_volume(ScalarVolume(volume.array, shifted), tmp_path / "b.nii.gz")
    return [first, second]


BAD_INPUTS = [
    # how to make the images, prompts, extra arguments, words the message must contain
    (lambda tmp, ct: [tmp / "missing.nii.gz"], ["nodule"], [], "does not exist"),
    (_truncated, ["nodule"], [], "truncated or corrupt"),
    (_mismatched_channels, ["nodule"], [], "not on the same voxel grid"),
    (_nan_volume, ["nodule"], [], "NaN"),
    (lambda tmp, ct: [write_volume(ct[0], tmp / "ok.nii.gz")], [""], [], "empty"),
    (lambda tmp, ct: [write_volume(ct[0], tmp / "ok.nii.gz")], ["nodule " * 1000], [], "limit is 300"),
    (lambda tmp, ct: [write_volume(ct[0], tmp / "ok.nii.gz")], ["肺の結節"], [], "English"),
    (lambda tmp, ct: [write_volume(ct[0], tmp / "ok.nii.gz")], ["???"], [], "no words"),
    (
        lambda tmp, ct: [write_volume(ct[0], tmp / "ok.nii.gz")],
        ["nodule"],
        ["--model", "no-such-model"],
        "No model 'no-such-model'",
    ),
]


@pytest.mark.parametrize("make_images, prompts, extra, message", BAD_INPUTS)
def test_bad_input_gets_a_clear_message_and_exit_code(
    tmp_path, capsys, ct_with_sphere, untrained_checkpoint, make_images, prompts, extra, message
):
    images = make_images(tmp_path, ct_with_sphere)
    images = images if isinstance(images, list) else [images]
    arguments = ["segment", *images, "--out", tmp_path / "out"]
    for prompt in prompts:
        arguments += ["--prompt", prompt]
    arguments += extra or ["--model", untrained_checkpoint]
    code, _, stderr = _run(capsys, *arguments)
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "out" / "result.json").exists()


def test_unknown_device_is_refused_by_the_parser(capsys, sample_ct):
    with pytest.raises(SystemExit) as exit_info:
        main(["segment", str(sample_ct), "--prompt", "x", "--out", "o", "--device", "tpu"])
    assert exit_info.value.code == 2
    assert "auto, cpu or cuda" in capsys.readouterr().err


def test_cuda_without_a_gpu_says_what_to_do(tmp_path, capsys, sample_ct, untrained_checkpoint):
    pytest.importorskip("torch")
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    code, _, stderr = _run(
        capsys,
        "segment",
        sample_ct,
        "--prompt",
        "x",
        "--out",
        tmp_path / "o",
        "--model",
        untrained_checkpoint,
        "--device",
        "cuda",
    )
    assert code == 2 and "--device auto or cpu" in stderr


def test_console_script_is_installed():
    completed = subprocess.run(
        [sys.executable, "-m", "reinforcedvl.cli.main", "--version"], capture_output=True, text=True
    )
    assert completed.returncode == 0 and completed.stdout.startswith("reinforcedvl ")


def test_report_option_writes_the_grounded_report(tmp_path, capsys, sample_ct, untrained_checkpoint):
    out = tmp_path / "out"
    arguments = ["segment", sample_ct, "--prompt", "solid nodule", "--out", out, "--model", untrained_checkpoint]
    code, stdout, stderr = _run(capsys, *arguments, "--report")
    assert code == 0, stderr
    assert f"Report in {out / 'report.md'} and {out / 'report.json'}" in stdout
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    result = json.loads((out / "result.json").read_text())
    assert report["language"] == "en"
    assert report["findings"][0]["present"] == result["prompts"][0]["present"]
    assert len(report["findings"][0]["lesions"]) == len(result["prompts"][0]["lesions"])
    assert report["sentences"][-1]["section"] == "impression"


def _a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("keep me\n")
    return path


@pytest.mark.parametrize("make_out", [_a_file, lambda tmp: _a_file(tmp) / "results"])
def test_an_unwritable_out_is_refused_before_the_model_loads(tmp_path, capsys, sample_ct, make_out):
    """The output check comes first: the model named here does not exist, and the message is about --out."""
    out = make_out(tmp_path)
    code, _, stderr = _run(capsys, "segment", sample_ct, "--prompt", "nodule", "--out", out, "--model", "no-such-model")
    assert code == 2 and "is a file" in stderr and "No model" not in stderr and "Traceback" not in stderr
    assert (tmp_path / "notes.txt").read_text() == "keep me\n"


def test_a_refused_prompt_writes_nothing_and_does_not_block_a_rerun(tmp_path, capsys, sample_ct, untrained_checkpoint):
    out = tmp_path / "out"
    arguments = ["segment", sample_ct, "--out", out, "--model", untrained_checkpoint, "--prompt", "solid nodule"]
    code, _, stderr = _run(capsys, *arguments, "--prompt", "肺の結節")  # the second one the encoder cannot read
    assert code == 2 and "English" in stderr
    assert not out.exists()
    code, _, stderr = _run(capsys, *arguments)
    assert code == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == ["01-solid-nodule", "result.json"]


def test_a_run_that_fails_midway_leaves_the_folder_as_it_was(tmp_path, sample_ct, untrained_checkpoint):
    from reinforcedvl.errors import InferenceCancelled
    from reinforcedvl.predictor import Predictor
    from reinforcedvl.study.segment_job import plan_study, run_study

    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    plan = plan_study([sample_ct], ["solid nodule", "ground-glass nodule"], out)
    asked = []

    def cancel_on_second_prompt(stage: str, done: int, total: int) -> bool:
        if stage == "encoding the description":
            asked.append(stage)
        return len(asked) < 2  # the first prompt's files are written before the second is cancelled

    with pytest.raises(InferenceCancelled):
        run_study(plan, Predictor.from_model(untrained_checkpoint, "cpu"), cancel_on_second_prompt)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_judged_present_without_a_lesion_is_said_plainly_everywhere(tmp_path, capsys, sample_ct, untrained_checkpoint):
    """Existence says present, but no region reaches the minimum lesion volume: never 'not identified (p=1.00)'."""
    from reinforcedvl.model_store.checkpoint import ModelIdentity, read_checkpoint, save_checkpoint
    from reinforcedvl.modeling import build_network

    nothing_large_enough = tmp_path / "model"
    config = read_checkpoint(untrained_checkpoint).config.replace(existence_threshold=0.0, min_lesion_volume_mm3=1e9)
    save_checkpoint(nothing_large_enough, build_network(config), config, ModelIdentity("no-lesion-model", "0"))
    out = tmp_path / "out"
    code, stdout, stderr = _run(
        capsys, "segment", sample_ct, "--prompt", "solid nodule", "--out", out, "--model", nothing_large_enough,
        "--report",
    )  # fmt: skip
    assert code == 0, stderr
    entry = json.loads((out / "result.json").read_text())["prompts"][0]
    assert entry["status"] == "not_assessed" and entry["present"] is False and entry["lesions"] == []
    assert entry["reason"].startswith(f"not assessed: judged present (probability {entry['present_probability']:.2f})")
    assert "not identified" not in stdout
    assert "solid nodule: not assessed: judged present (probability " in stdout and "no region" in stdout
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["findings"][0]["status"] == "not_assessed"
    assert report["sentences"][0]["text"].startswith("Solid nodule: judged present (probability ")
    assert not any(s["text"].startswith("No ") for s in report["sentences"])


def test_tiny_voxels_warn_like_anisotropy(tmp_path, capsys, ct_with_sphere, untrained_checkpoint):
    from geometry_helpers import affine_from

    volume = ct_with_sphere[0]
    tiny = write_volume(ScalarVolume(volume.array, affine_from((0.4, 0.4, 0.1))), tmp_path / "tiny.nii.gz")
    code, _, stderr = _run(
        capsys, "segment", tiny, "--prompt", "nodule", "--out", tmp_path / "out", "--model", untrained_checkpoint
    )
    assert code == 0, stderr
    assert "warning: tiny.nii.gz has voxels of 0.4 x 0.4 x 0.1 mm, far finer than the model's" in stderr


def test_overwrite_replaces_the_earlier_result_whole(tmp_path, capsys, sample_ct, untrained_checkpoint):
    out = tmp_path / "out"
    base = ["segment", sample_ct, "--out", out, "--model", untrained_checkpoint]
    assert _run(capsys, *base, "--prompt", "solid nodule", "--prompt", "cyst", "--report")[0] == 0
    (out / "notes.txt").write_text("mine\n")
    code, _, stderr = _run(capsys, *base, "--prompt", "ground-glass nodule", "--overwrite")
    assert code == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == ["01-ground-glass-nodule", "notes.txt", "result.json"]
