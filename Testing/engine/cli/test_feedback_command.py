"""``reinforcedvl feedback add|list|show|export|delete|check`` end to end on a real LIDC crop."""

from __future__ import annotations

import json

import numpy as np

from reinforcedvl.cli.main import main
from reinforcedvl.io import read_label_map, write_volume
from reinforcedvl.volume import LabelMap


def _run(capsys, *arguments) -> tuple[int, str, str]:
    code = main([str(a) for a in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_feedback_commands_round_trip(shared_data, tmp_path, capsys):
    name = "LIDC-IDRI-0003_R_4.nii.gz"
    image = shared_data / "lidc_nodules" / "image" / name
    reference = shared_data / "lidc_nodules" / "nodule_mask" / name
    mask = read_label_map(reference)
    model_mask = write_volume(LabelMap(np.roll(mask.array, 2, axis=1), mask.affine), tmp_path / "model.nii.gz")
    store = tmp_path / "store"
    common = ("--store", store)
    code, stdout, stderr = _run(
        capsys, "feedback", "add", image, *common, "--action", "correct", "--prompt", "solid lung nodule",
        "--model-mask", model_mask, "--corrected-mask", reference, "--model-id", "starter", "--model-version", "1.0",
        "--rating", "4", "--patient", "LIDC-IDRI-0003", "--annotator", "reader-1",
    )  # fmt: skip
    assert code == 0, stderr
    assert stdout.startswith("Stored correct of 'solid lung nodule' as record ") and "(Dice 0." in stdout
    record_id = stdout.split(" as record ")[1].split()[0]

    code, stdout, _ = _run(capsys, "feedback", "list", *common)
    assert code == 0 and record_id[:12] in stdout and "starter 1.0 / solid lung nodule" in stdout
    code, stdout, _ = _run(capsys, "feedback", "show", record_id[:8], *common)
    shown = json.loads(stdout)
    assert code == 0 and shown["id"] == record_id and shown["rating"] == 4 and "LIDC" not in stdout
    code, stdout, _ = _run(capsys, "feedback", "export", *common, "--out", tmp_path / "export")
    assert code == 0 and "1 train triplet(s) from 1 patient(s)" in stdout
    assert (tmp_path / "export" / "manifest.jsonl").is_file()
    code, stdout, _ = _run(capsys, "feedback", "check", *common)
    assert code == 0 and stdout.strip().endswith("The store is consistent.")

    (store / shown["files"][0]["path"]).unlink()
    code, stdout, _ = _run(capsys, "feedback", "check", *common)
    assert code == 1 and "1 file(s) named by a record are missing" in stdout
    code, stdout, _ = _run(capsys, "feedback", "delete", record_id, *common)
    assert code == 0 and stdout.startswith(f"Deleted record {record_id}")
    code, stdout, _ = _run(capsys, "feedback", "check", *common)
    assert code == 0 and "0 records, 0 files checked." in stdout


def test_feedback_mistakes_are_explained(shared_data, tmp_path, capsys):
    image = shared_data / "lidc_nodules" / "image" / "LIDC-IDRI-0003_R_4.nii.gz"
    store = ("--store", tmp_path / "store")
    code, _, stderr = _run(
        capsys, "feedback", "add", image, *store, "--action", "correct", "--prompt", "nodule",
        "--model-id", "m", "--model-version", "1",
    )  # fmt: skip
    assert code == 2 and "needs the corrected mask" in stderr and "--corrected-mask" in stderr
    code, _, stderr = _run(capsys, "feedback", "show", "abcdef", *store)
    assert code == 2 and "No feedback record has the id 'abcdef'" in stderr and "feedback list" in stderr
