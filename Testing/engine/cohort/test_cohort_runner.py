"""``reinforcedvl cohort`` over real LIDC crops: two processes under torchrun (gloo, CPU) give exactly what one
process gives, a study that cannot be read fails alone, and a stopped run resumes with only what is missing."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from reinforcedvl.cli.main import main
from reinforcedvl.io import read_label_map
from reinforcedvl.model_store.checkpoint import ModelIdentity, read_checkpoint, save_checkpoint
from reinforcedvl.modeling import build_network
from reinforcedvl.vocabulary import DEFAULT_LESION_CONFIDENCE

STUDIES = ("LIDC-IDRI-0001_R_1", "LIDC-IDRI-0003_R_2", "LIDC-IDRI-0003_R_4", "LIDC-IDRI-0004_R_1", "LIDC-IDRI-0006_R_4")
PROMPTS = ("solid lung nodule", "ground-glass nodule")


@pytest.fixture
def one_thread():
    """One CPU thread per process in both runs, so that floating-point sums are done in the same order."""
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def answering_checkpoint(untrained_checkpoint, tmp_path_factory):
    """An untrained network from a fixed seed that calls every finding present, so the masks compared between the
    runs are not empty (mechanics only, no quality)."""
    folder = tmp_path_factory.mktemp("answering")
    config = read_checkpoint(untrained_checkpoint).config.replace(existence_threshold=0.0)
    torch.manual_seed(0)
    save_checkpoint(folder, build_network(config), config, ModelIdentity("answering-test-model", "0"))
    return folder


@pytest.fixture(scope="module")
def study_list(shared_data, tmp_path_factory):
    """Five real crops and one study whose file is missing."""
    folder = tmp_path_factory.mktemp("cohort")
    rows = [f"{name},{shared_data / 'lidc_nodules' / 'image' / name}.nii.gz" for name in STUDIES]
    rows.append("lost-study,missing.nii.gz")
    (folder / "studies.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder / "studies.csv"


def _arguments(study_list, out, checkpoint) -> list[str]:
    prompts = [argument for prompt in PROMPTS for argument in ("--prompt", prompt)]
    # --lesion-confidence 0: the untrained network's lesions are about 0.5 sure; kept, so the answers compared draw some
    return ["cohort", str(study_list), *prompts, "--out", str(out), "--model", str(checkpoint), "--device", "cpu",
            "--threads", "1", "--lesion-confidence", "0"]  # fmt: skip


def _without_timing(result: dict) -> dict:
    prompts = [{k: v for k, v in p.items() if k != "seconds"} for p in result["prompts"]]
    return {**{k: v for k, v in result.items() if k not in ("seconds", "prompts")}, "prompts": prompts}


def _summary(out) -> list[dict]:
    with (out / "cohort_summary.csv").open(encoding="utf-8") as handle:
        return [{k: v for k, v in row.items() if k != "study_seconds"} for row in csv.DictReader(handle)]


def test_two_processes_equal_one_and_a_stopped_run_resumes(study_list, answering_checkpoint, tmp_path, one_thread):
    alone, shared = tmp_path / "one-process", tmp_path / "two-processes"
    assert main(_arguments(study_list, alone, answering_checkpoint)) == 0  # the lost study fails alone

    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29547",
               "-m", "reinforcedvl.cli.main", *_arguments(study_list, shared, answering_checkpoint)]  # fmt: skip
    completed = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=900
    )
    assert completed.returncode == 0 and "Traceback" not in completed.stderr, completed.stderr[-3000:]
    assert "[rank 0/2] 3 studies" in completed.stderr and "[rank 1/2] 3 studies" in completed.stderr

    for name in STUDIES:
        results = [json.loads((out / name / "result.json").read_text(encoding="utf-8")) for out in (alone, shared)]
        assert _without_timing(results[0]) == _without_timing(results[1])
        for finding in results[0]["prompts"]:
            maps = [read_label_map(out / name / finding["labelmap"]).array for out in (alone, shared)]
            np.testing.assert_array_equal(maps[0], maps[1])
    summary = _summary(alone)
    assert summary == _summary(shared) and len(summary) == 2 * (len(STUDIES) + 1)
    assert sum(row["present"] == "True" for row in summary) >= 1  # the answers compared are not all empty
    lost = [row for row in summary if row["study"] == "lost-study"]
    assert [row["status"].startswith("failed: ") and "missing.nii.gz" in row["status"] for row in lost] == [True] * 2
    markdown = (shared / "cohort_summary.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Cohort summary\n\n6 studies: 5 done, 1 failed, 0 not run")

    (shared / STUDIES[2] / "result.json").unlink()
    before = {name: (shared / name / "result.json").stat().st_mtime_ns for name in STUDIES if name != STUDIES[2]}
    main(_arguments(study_list, shared, answering_checkpoint))
    assert {name: (shared / name / "result.json").stat().st_mtime_ns for name in before} == before  # skipped
    resumed = json.loads((shared / STUDIES[2] / "result.json").read_text(encoding="utf-8"))
    original = json.loads((alone / STUDIES[2] / "result.json").read_text(encoding="utf-8"))
    assert _without_timing(resumed) == _without_timing(original) and _summary(shared) == summary


def _two_studies(shared_data, tmp_path):
    rows = [f"{name},{shared_data / 'lidc_nodules' / 'image' / name}.nii.gz" for name in STUDIES[:2]]
    (tmp_path / "two.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path / "two.csv"


def _cohort(studies, out, model, *prompts_and_options) -> list[str]:
    arguments = []
    for item in prompts_and_options:
        arguments += ["--prompt", item] if not item.startswith("--") else [item]
    return ["cohort", str(studies), "--out", str(out), "--model", str(model), "--device", "cpu", "--threads", "1",
            *arguments]  # fmt: skip


def test_a_rerun_with_other_prompts_model_or_lesion_confidence_is_refused_before_any_work_and_redone_only_when_asked(
    shared_data, answering_checkpoint, untrained_checkpoint, tmp_path, capsys, one_thread
):
    studies, out = _two_studies(shared_data, tmp_path), tmp_path / "out"
    assert main(_cohort(studies, out, answering_checkpoint, "solid lung nodule")) == 0
    first = {name: (out / name / "result.json").read_bytes() for name in STUDIES[:2]}
    capsys.readouterr()

    assert {json.loads(first[name])["lesion_confidence"] for name in first} == {DEFAULT_LESION_CONFIDENCE}
    for model, options, why in (
        (answering_checkpoint, ["ground-glass nodule"], "'solid lung nodule', not 'ground-glass nodule'"),
        (untrained_checkpoint, ["solid lung nodule"], "not untrained-test-model"),
        (
            answering_checkpoint,
            ["solid lung nodule", "--lesion-confidence=0.3"],
            f"lesion confidence {DEFAULT_LESION_CONFIDENCE}, not 0.3",
        ),
    ):
        assert main(_cohort(studies, out, model, *options)) == 2
        stderr = capsys.readouterr().err
        assert "holds results of another run for 2 studies" in stderr and "--overwrite" in stderr
        assert why in stderr
        assert {name: (out / name / "result.json").read_bytes() for name in first} == first  # nothing replaced

    assert main(_cohort(studies, out, answering_checkpoint, "ground-glass nodule", "--overwrite")) == 0
    summary = _summary(out)
    assert [row["prompt"] for row in summary] == ["ground-glass nodule"] * 2  # no row of the earlier prompt
    assert all(row["status"] == "done" for row in summary)
    for name in STUDIES[:2]:
        result = json.loads((out / name / "result.json").read_text(encoding="utf-8"))
        assert [p["prompt"] for p in result["prompts"]] == ["ground-glass nodule"]
        assert sorted(p.name for p in (out / name).iterdir()) == ["01-ground-glass-nodule", "result.json"]


def test_the_summary_never_mixes_another_runs_rows(shared_data, tmp_path):
    from reinforcedvl.cohort import find_studies, write_cohort_summary

    studies = find_studies(_two_studies(shared_data, tmp_path))
    out = tmp_path / "out"
    (out / STUDIES[0]).mkdir(parents=True)
    old_answer = {"prompt": "old prompt", "present": True, "present_probability": 0.9, "lesions": []}
    other = {"model": {"id": "m", "version": "1"}, "device": "CPU", "seconds": 1.0, "prompts": [old_answer]}
    (out / STUDIES[0] / "result.json").write_text(json.dumps(other), encoding="utf-8")
    (out / STUDIES[1]).mkdir()
    (out / STUDIES[1] / "result.json").write_text("{ not json", encoding="utf-8")
    write_cohort_summary(studies, ["new prompt"], out)
    summary = _summary(out)
    assert [row["prompt"] for row in summary] == ["new prompt", "new prompt"]
    assert summary[0]["status"].startswith("not run: result.json is another run's (it answers 'old prompt'")
    assert summary[1]["status"] == "not run"


def test_an_out_that_is_a_file_is_refused_before_the_model_loads(shared_data, tmp_path, capsys):
    out = tmp_path / "notes.txt"
    out.write_text("keep me\n")
    code = main(_cohort(_two_studies(shared_data, tmp_path), out, "no-such-model", "nodule"))
    stderr = capsys.readouterr().err
    assert code == 2 and "is a file" in stderr and "No model" not in stderr and out.read_text() == "keep me\n"
