"""A real worker process, driven as Slicer drives it: start, two prompts on one volume (the second faster: the
image features are cached), cancel a running and a queued request, errors that leave it serving, and a process
that dies without warning while the caller goes on."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from reinforcedvl.io import write_volume
from reinforcedvl.volume import ScalarVolume
from reinforcedvl.worker.client import WorkerClient, WorkerError
from reinforcedvl.worker.protocol import EventKind, FindingOutcome

TIMEOUT_S = 600


def _ct(shape: tuple[int, int, int], seed: int) -> ScalarVolume:
    """Air with a soft-tissue block and noise, 1 x 1 x 2 mm voxels."""
    rng = np.random.default_rng(seed)
    image = rng.normal(-850.0, 30.0, shape).astype(np.float32)
    image[shape[0] // 3 : shape[0] // 2, shape[1] // 3 : shape[1] // 2, shape[2] // 3 : shape[2] // 2] = 40.0
    return ScalarVolume(image[None], np.diag([1.0, 1.0, 2.0, 1.0]), name="ct")


@pytest.fixture(scope="module")
def worker(untrained_checkpoint):
    client = WorkerClient(model=str(untrained_checkpoint), device="cpu")
    client.start()
    ready = client.wait_until_ready(TIMEOUT_S)
    assert ready.kind is EventKind.READY, ready.message
    yield client
    client.stop()


def test_ready_names_the_device_and_model(worker):
    assert worker.ready.data["device"].startswith("CPU") and worker.ready.data["is_gpu"] is False
    assert worker.ready.data["model"] == {"id": "untrained-test-model", "version": "0.0.0"}
    assert worker.ready.data["pid"] == worker.pid != os.getpid()


def test_two_prompts_on_one_volume_each_answered_in_its_language(worker, tmp_path):
    """One volume, two prompts in turn: each gets its own files and report. That the second reuses the image
    features is checked where it can be counted (``test_predictor.py::test_second_prompt_reuses_the_image_features``);
    speed belongs to the benchmark, not to a timed test."""
    path = write_volume(_ct((64, 64, 24), seed=1), tmp_path / "ct.nrrd")
    volume_set = worker.wait_for(worker.set_volume([path], name="ct"), TIMEOUT_S)
    assert volume_set.kind is EventKind.VOLUME_SET and volume_set.data["modality"] == "CT"
    for index, (prompt, language) in enumerate((("solid lung nodule", "en"), ("ground-glass lung nodule", "ja"))):
        stages: list[str] = []
        request = worker.segment(prompt, tmp_path / f"finding-{index}", language=language)
        event = worker.wait_for(request, TIMEOUT_S, lambda e, seen=stages: seen.append(e.data.get("stage")))
        assert event.kind is EventKind.RESULT, event.message
        outcome = FindingOutcome.from_dict(event.data)
        assert outcome.prompt == prompt and outcome.segmentation_file.is_file() and outcome.evidence_file.is_file()
        assert outcome.model_id == "untrained-test-model" and outcome.device.startswith("CPU")
        assert outcome.report["language"] == language and outcome.report["findings"][0]["prompt"] == prompt
        assert outcome.report["image"] == "ct" and len(outcome.report["sentences"]) >= 2
        assert {"segmenting", "writing results"} <= set(stages)


def test_cancel_a_running_and_a_queued_request_then_go_on(worker, tmp_path):
    worker.wait_for(worker.set_volume([write_volume(_ct((100, 100, 40), seed=2), tmp_path / "big.nrrd")]), TIMEOUT_S)
    running = worker.segment("spiculated nodule", tmp_path / "running")
    queued = worker.segment("calcified nodule", tmp_path / "queued")
    worker.cancel(queued)
    while (event := worker.next_event(TIMEOUT_S)).data.get("stage") != "segmenting":
        assert event.kind is EventKind.PROGRESS
    assert event.data["total"] > 2
    worker.cancel(running)
    answers = {}
    for _ in range(2):
        event = _next_final(worker)
        answers[event.request_id] = event
    assert answers[running].kind is EventKind.CANCELLED and "Cancelled while segmenting" in answers[running].message
    assert answers[queued].kind is EventKind.CANCELLED
    assert not (tmp_path / "running").exists()
    small = write_volume(_ct((40, 40, 16), seed=3), tmp_path / "small.nrrd")
    worker.wait_for(worker.set_volume([small]), TIMEOUT_S)
    assert worker.wait_for(worker.segment("nodule", tmp_path / "after"), TIMEOUT_S).kind is EventKind.RESULT


def test_a_bad_prompt_is_an_error_with_the_fix_and_the_worker_goes_on(worker, tmp_path):
    event = worker.wait_for(worker.segment("  1234  ", tmp_path / "bad"), TIMEOUT_S)
    assert event.kind is EventKind.ERROR and event.data["kind"] == "input"
    assert "has no words. Describe the finding in words" in event.message
    event = worker.wait_for(worker.segment("nodule", tmp_path / "fr", language="fr"), TIMEOUT_S)
    assert event.kind is EventKind.ERROR and event.data["kind"] == "protocol"
    assert """'language' must be "en" or "ja", got 'fr'""" in event.message
    assert worker.is_running


def test_unknown_model_says_what_is_installed_and_the_process_exits():
    client = WorkerClient(model="no-such-model", device="cpu")
    client.start()
    error = client.wait_until_ready(TIMEOUT_S)
    assert error.kind is EventKind.ERROR and error.data["kind"] == "model"
    assert "No model 'no-such-model'" in error.message
    ended = client.next_event(60)
    assert ended.kind is EventKind.EXITED and ended.data["exit_code"] == 2


def test_a_worker_that_dies_is_reported_and_the_caller_goes_on(untrained_checkpoint, tmp_path):
    client = WorkerClient(model=str(untrained_checkpoint), device="cpu")
    client.start()
    assert client.wait_until_ready(TIMEOUT_S).kind is EventKind.READY
    os.kill(client.pid, signal.SIGKILL)  # as a crash in a GPU driver would end it
    crashed = client.next_event(60)
    assert crashed.kind is EventKind.CRASHED and crashed.data["exit_code"] == -signal.SIGKILL
    assert "stopped unexpectedly (exit code -9, ended by signal SIGKILL); your scene is unaffected" in crashed.message
    assert not client.is_running
    with pytest.raises(WorkerError, match="stopped unexpectedly"):
        client.segment("nodule", tmp_path / "never")
    client.start()  # the caller starts a new worker
    assert client.wait_until_ready(TIMEOUT_S).kind is EventKind.READY
    client.kill()
    assert client.next_event(60).kind is EventKind.EXITED


def _next_final(worker: WorkerClient):
    while not (event := worker.next_event(TIMEOUT_S)).kind.ends_request:
        pass
    return event
