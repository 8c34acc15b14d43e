"""The worker's server in this process: the GPU out-of-memory path (moved to the CPU, request answered there) and
malformed requests. The subprocess, cancellation and crashes are in test_client.py; a real GPU out-of-memory run is
in test_gpu_worker.py."""

from __future__ import annotations

import dataclasses
import io
import os
import queue
import threading

import pytest
import torch

from reinforcedvl.io import write_volume
from reinforcedvl.predictor import Predictor
from reinforcedvl.worker.protocol import EventKind, RequestKind, WorkerEvent, WorkerRequest
from reinforcedvl.worker.server import WorkerServer


class _Events(io.TextIOBase):
    """The server's event stream, parsed into a queue."""

    def __init__(self) -> None:
        self.queue: queue.Queue[WorkerEvent] = queue.Queue()

    def write(self, text: str) -> int:
        for line in text.splitlines():
            self.queue.put(WorkerEvent.from_line(line))
        return len(text)

    def until(self, request_id: str | None, kind: EventKind) -> list[WorkerEvent]:
        seen = []
        while True:
            event = self.queue.get(timeout=600)
            seen.append(event)
            if event.kind is kind and event.request_id == request_id:
                return seen


@pytest.fixture
def serve():
    """Start a server on a thread; yields (send, events)."""
    started = []

    def start(load_predictor):
        read_end, write_end = os.pipe()
        requests = os.fdopen(read_end, "r", encoding="utf-8")
        writer = os.fdopen(write_end, "w", encoding="utf-8", buffering=1)
        events = _Events()
        thread = threading.Thread(target=WorkerServer(load_predictor, "auto", events).serve, args=(requests,))
        thread.start()
        started.append((writer, thread))
        return (lambda request: writer.write(request.to_line())), events

    yield start
    for writer, thread in started:
        writer.close()
        thread.join(60)


def test_gpu_out_of_memory_is_explained_and_the_request_answered_on_the_cpu(
    serve, untrained_checkpoint, ct_with_sphere, tmp_path
):
    loaded = []

    def load_predictor(device: str) -> Predictor:
        predictor = Predictor.from_model(untrained_checkpoint, "cpu")
        if device == "auto":  # stands for a GPU that then runs out of memory
            predictor.device = dataclasses.replace(predictor.device, device=torch.device("cuda", 0), description="GPU")

            def out_of_memory(*args, **kwargs):
                raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

            predictor.segment = out_of_memory
        loaded.append(device)
        return predictor

    send, events = serve(load_predictor)
    assert events.queue.get(timeout=300).data["device"] == "GPU"
    path = write_volume(ct_with_sphere[0], tmp_path / "ct.nrrd")
    send(WorkerRequest(RequestKind.SET_VOLUME, "v", {"paths": [str(path)]}))
    events.until("v", EventKind.VOLUME_SET)
    send(WorkerRequest(RequestKind.SEGMENT, "s", {"prompt": "solid nodule", "output_folder": str(tmp_path / "out")}))
    seen = events.until("s", EventKind.RESULT)
    warning = next(event for event in seen if event.kind is EventKind.WARNING)
    assert warning.data["kind"] == "out_of_memory"
    assert "The GPU ran out of memory (CUDA out of memory. Tried to allocate 2.00 GiB)" in warning.message
    assert "tick 'Force CPU'" in warning.message and "retrying this request on the CPU" in warning.message
    ready = next(event for event in seen if event.kind is EventKind.READY)
    assert ready.request_id == "s" and ready.data["device"].startswith("CPU")
    assert seen[-1].data["device"].startswith("CPU") and (tmp_path / "out" / "finding.json").is_file()
    assert loaded == ["auto", "cpu"]


def test_malformed_and_out_of_order_requests_are_answered_and_the_server_goes_on(serve, untrained_checkpoint, tmp_path):
    send, events = serve(lambda device: Predictor.from_model(untrained_checkpoint, "cpu"))
    assert events.queue.get(timeout=300).kind is EventKind.READY
    send(WorkerRequest(RequestKind.SEGMENT, "early", {"prompt": "nodule", "output_folder": str(tmp_path)}))
    error = events.until("early", EventKind.ERROR)[-1]
    assert error.data["kind"] == "input" and "send a set_volume request before segment" in error.message
    send(WorkerRequest(RequestKind.SET_VOLUME, "bad", {"pathz": []}))
    error = events.until("bad", EventKind.ERROR)[-1]
    assert error.data["kind"] == "protocol" and "'paths'" in error.message
    send(WorkerRequest(RequestKind.SET_VOLUME, "missing", {"paths": [str(tmp_path / "nothing.nrrd")]}))
    error = events.until("missing", EventKind.ERROR)[-1]
    assert error.data["kind"] == "input" and "nothing.nrrd does not exist" in error.message
    send(WorkerRequest(RequestKind.SET_VOLUME, "not-a-list", {"paths": "notalist"}))
    error = events.until("not-a-list", EventKind.ERROR)[-1]
    assert error.data["kind"] == "protocol" and "'paths' must be a non-empty list of file paths" in error.message


def test_requests_the_user_can_fix_are_answered_before_the_model_runs(
    serve, untrained_checkpoint, ct_with_sphere, tmp_path
):
    """A prompt with an unpaired surrogate or a control character, an output folder under a file, and DICOM asked of
    a volume that is no DICOM series: each an input error saying what is wrong, and nothing written."""
    send, events = serve(lambda device: Predictor.from_model(untrained_checkpoint, "cpu"))
    assert events.queue.get(timeout=300).kind is EventKind.READY
    send(
        WorkerRequest(
            RequestKind.SET_VOLUME, "v", {"paths": [str(write_volume(ct_with_sphere[0], tmp_path / "ct.nrrd"))]}
        )
    )
    events.until("v", EventKind.VOLUME_SET)
    (tmp_path / "a-file").write_text("mine", encoding="utf-8")
    cases = [
        ("surrogate", "solid \ud800 nodule", str(tmp_path / "out-1"), "character, U+D800, at position 7"),
        ("escape", "solid \x1b[2J nodule", str(tmp_path / "out-2"), "character, U+001B ESCAPE, at position 7"),
        ("under-a-file", "solid nodule", str(tmp_path / "a-file" / "out"), "lies under"),
        ("a-file", "solid nodule", str(tmp_path / "a-file"), "is a file. Choose another output folder"),
        ("dicom-of-nrrd", "solid nodule", str(tmp_path / "out-3"), "was read from a nrrd file"),
    ]
    for request_id, prompt, folder, message in cases:
        extra = {"dicom": True} if request_id == "dicom-of-nrrd" else {}
        send(WorkerRequest(RequestKind.SEGMENT, request_id, {"prompt": prompt, "output_folder": folder, **extra}))
        seen = events.until(request_id, EventKind.ERROR)
        assert seen[-1].data["kind"] == "input" and message in seen[-1].message, seen[-1].message
        assert not any(event.data.get("stage") == "segmenting" for event in seen)  # refused before the model ran
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "ct.nrrd"]
