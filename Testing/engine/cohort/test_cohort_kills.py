"""A cohort run killed with SIGKILL again and again (as a cluster pre-empts a job), each time resumed into the same
folder: a study's ``result.json`` is whole whenever it exists and never changes once written, summaries are whole
or absent, and the run finishes with every study done and nothing half-written left. The mechanics, not the model:
an untrained network that calls every finding present, on real LIDC crops."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import random
import signal
import time

import pytest
import torch

from reinforcedvl.cohort import CohortStudy, run_cohort
from reinforcedvl.model_store.checkpoint import ModelIdentity, read_checkpoint, save_checkpoint
from reinforcedvl.modeling import build_network

STUDIES = ("LIDC-IDRI-0001_R_1", "LIDC-IDRI-0003_R_2", "LIDC-IDRI-0004_R_1")
PROMPTS = ("solid lung nodule",)
ROUNDS = 12
# Where a round's kill lands: as a study starts, at an atomic rename (a finished result.json or summary going into
# place), or at a random time.
KILL_POINTS = ("study", "rename", "anywhere")


@pytest.fixture(scope="module")
def present_checkpoint(untrained_checkpoint, tmp_path_factory):
    """The untrained test network from a fixed seed, calling every finding present (so lesion files are written)."""
    folder = tmp_path_factory.mktemp("present")
    config = read_checkpoint(untrained_checkpoint).config.replace(existence_threshold=0.0)
    torch.manual_seed(0)
    save_checkpoint(folder, build_network(config), config, ModelIdentity("present-test-model", "0"))
    return folder


def _instrumented_run(studies, out, checkpoint, channel) -> None:
    """Run the cohort; before each study and each atomic rename, tell the parent and wait for its go."""
    from reinforcedvl.cohort import runner

    run_study, replace = runner.run_study, os.replace

    def announce(phase: str) -> None:
        channel.send(("phase", phase))
        channel.recv()

    def announced_study(*args, **kwargs):
        announce("study")
        return run_study(*args, **kwargs)

    def announced_replace(source, target):
        announce("rename")
        return replace(source, target)

    runner.run_study, os.replace = announced_study, announced_replace
    run_cohort(studies, list(PROMPTS), out, model=checkpoint, device="cpu", threads=1, lesion_confidence=0.0)
    channel.send(("done", None))
    os._exit(0)


def _kill_one_run(context, studies, out, checkpoint, rng) -> tuple[str, bool]:
    parent, child = context.Pipe()
    process = context.Process(target=_instrumented_run, args=(studies, out, checkpoint, child))
    process.start()
    point, finished = rng.choice(KILL_POINTS), False
    deadline = time.monotonic() + (rng.uniform(0.3, 2.5) if point == "anywhere" else 120)
    while time.monotonic() < deadline and parent.poll(max(deadline - time.monotonic(), 0)):
        kind, value = parent.recv()
        if kind == "done":
            finished = True
            break
        if value == point and rng.random() < 0.6:
            break  # the run waits right before this phase: kill it there
        parent.send("go")
    os.kill(process.pid, signal.SIGKILL)
    process.join(timeout=30)
    return point, finished


def _finished_results(out) -> dict[str, bytes]:
    """The result.json of each finished study, checked whole: it parses and every file it names is there."""
    results = {}
    for name in STUDIES:
        path = out / name / "result.json"
        if not path.exists():
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        assert [finding["prompt"] for finding in document["prompts"]] == list(PROMPTS)
        for finding in document["prompts"]:
            assert (out / name / finding["labelmap"]).is_file()
        assert not [p for p in (out / name).rglob("*") if ".partial" in p.name]
        results[name] = path.read_bytes()
    return results


def _check_summaries(out) -> list[dict]:
    rows = []
    if (out / "cohort_summary.csv").exists():
        with (out / "cohort_summary.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == len(STUDIES) * len(PROMPTS)
    if (out / "cohort_summary.md").exists():
        assert (out / "cohort_summary.md").read_text(encoding="utf-8").startswith("# Cohort summary\n")
    return rows


def test_a_cohort_killed_again_and_again_resumes_to_the_end(shared_data, present_checkpoint, tmp_path):
    images = shared_data / "lidc_nodules" / "image"
    studies = [CohortStudy(name, (images / f"{name}.nii.gz",)) for name in STUDIES]
    out = tmp_path / "cohort"
    context, rng = multiprocessing.get_context("fork"), random.Random(20261205)
    threads = torch.get_num_threads()
    kills: dict[str, int] = {point: 0 for point in KILL_POINTS}
    finished: dict[str, bytes] = {}
    progress_rounds = 0  # rounds that finished studies: each resumed what killed runs left
    try:
        for _ in range(ROUNDS):
            if len(finished) == len(STUDIES):
                break  # nothing left to interrupt: the last run below finds every study done
            point, run_finished = _kill_one_run(context, studies, out, present_checkpoint, rng)
            kills[point] += not run_finished
            now = _finished_results(out)
            assert {name: now[name] for name in finished} == finished  # a finished study is never lost or redone
            progress_rounds += len(now) > len(finished)
            finished = now
            _check_summaries(out)
        run = run_cohort(
            studies, list(PROMPTS), out, model=present_checkpoint, device="cpu", threads=1, lesion_confidence=0.0
        )
    finally:
        torch.set_num_threads(threads)
    print(f"{sum(kills.values())} kills of a {len(STUDIES)}-study cohort per point {kills}; {len(finished)} studies "
          f"finished before the last run, which segmented {len(run.segmented)}")  # fmt: skip
    assert sum(kills.values()) >= 2 and progress_rounds >= 1
    assert set(run.skipped) == set(finished) and set(run.segmented) == set(STUDIES) - set(finished)
    assert {name: _finished_results(out)[name] for name in finished} == finished
    rows = _check_summaries(out)
    assert [row["status"] for row in rows] == ["done"] * len(STUDIES) and len(_finished_results(out)) == len(STUDIES)
    assert not [p for p in out.rglob("*") if ".partial" in p.name]
