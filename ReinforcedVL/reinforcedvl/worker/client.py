"""Starting and talking to a worker process from the caller's side (Slicer, scripts, tests). Imports no torch.

Events arrive on a background thread and wait in a queue: a GUI polls :meth:`WorkerClient.poll` from a timer, a
script blocks in :meth:`WorkerClient.wait_for`. When the process ends without being asked to, a ``crashed`` event
says so with its exit status and last messages; the caller keeps running and may start a new worker.

Example:
    >>> client = WorkerClient(model="reinforcedvl-starter")  # doctest: +SKIP
    >>> client.start(); client.wait_until_ready(120).data["device"]  # doctest: +SKIP
    'GPU: NVIDIA RTX A4000 (16 GB)'
    >>> client.wait_for(client.set_volume(["/tmp/ct.nrrd"]), 600)  # doctest: +SKIP
    >>> event = client.wait_for(client.segment("solid lung nodule", "/tmp/out/01"), 600)  # doctest: +SKIP
    >>> FindingOutcome.from_dict(event.data).lesions  # doctest: +SKIP
"""

from __future__ import annotations

import collections
import itertools
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import ReinforcedVLError
from .protocol import ErrorKind, EventKind, RequestKind, WorkerEvent, WorkerRequest

__all__ = ["WorkerClient", "WorkerError"]

_LOG = logging.getLogger("reinforcedvl.worker")
_STDERR_LINES_KEPT = 40
_ENGINE_PARENT = Path(__file__).resolve().parents[2]  # the folder holding the reinforcedvl package


class WorkerError(ReinforcedVLError):
    """The worker is not running, could not be started, or stopped answering."""


class WorkerClient:
    """One worker process: start it, send requests, read events, cancel, stop or kill it.

    Args:
        model: installed model id or checkpoint folder.
        device: ``auto`` (the GPU when there is one), ``cpu`` or ``cuda``.
        python: the Python executable to run it with (in Slicer: ``PythonSlicer``); default this one.
        extra_paths: folders put before the engine on the worker's ``PYTHONPATH``.
        gpu_memory_fraction: share of the GPU's memory the worker may use; None for no limit.
    """

    def __init__(
        self,
        *,
        model: str,
        device: str = "auto",
        python: str | None = None,
        extra_paths: Sequence[Path] = (),
        gpu_memory_fraction: float | None = None,
    ) -> None:
        self.model = model
        self.device = device
        self.python = python or sys.executable
        self.extra_paths = tuple(extra_paths)
        self.gpu_memory_fraction = gpu_memory_fraction
        self.ready: WorkerEvent | None = None
        self._process: subprocess.Popen[str] | None = None
        self._events: queue.Queue[WorkerEvent] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=_STDERR_LINES_KEPT)
        self._ids = itertools.count(1)
        self._stopping = False
        self._ended: WorkerEvent | None = None
        self._stderr_thread: threading.Thread | None = None

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the process (the model then loads; a ``ready`` or ``error`` event follows)."""
        if self.is_running:
            return
        command = [self.python, "-m", "reinforcedvl.worker", "--model", str(self.model), "--device", self.device]
        if self.gpu_memory_fraction is not None:
            command += ["--gpu-memory-fraction", str(self.gpu_memory_fraction)]
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
                env=self._environment(),
                **_new_process_group(),
            )
        except OSError as error:
            raise WorkerError(
                f"The ReinforcedVL worker could not be started with {self.python} ({error}). Check that this Python "
                "exists; in Slicer, reinstall the ReinforcedVL extension."
            ) from None
        self._stopping, self._ended, self.ready = False, None, None
        self._stderr.clear()
        self._stderr_thread = threading.Thread(target=self._read_stderr, args=(self._process.stderr,), daemon=True)
        self._stderr_thread.start()
        threading.Thread(target=self._read_events, args=(self._process,), daemon=True).start()

    def set_volume(self, paths: Sequence[str | Path], *, modality: str = "auto", name: str = "") -> str:
        """Send the channels of one study (volume files; ``name`` for reports); returns the request id."""
        return self._send(RequestKind.SET_VOLUME, paths=[str(path) for path in paths], modality=modality, name=name)

    def segment(
        self,
        prompt: str,
        output_folder: str | Path,
        *,
        threshold: float | None = None,
        language: str = "en",
        spatial_prompts: dict | None = None,
        lesion_confidence: float | None = None,
        dicom: bool = False,
    ) -> str:
        """Ask for one finding on the volume set last; its files go to ``output_folder``. Returns the request id.

        ``spatial_prompts`` is :meth:`reinforcedvl.spatial.prompts.SpatialPrompts.to_dict`'s form (points in RAS mm,
        a box); None asks with the description alone. ``lesion_confidence`` (0-1): lesions less confident are neither
        drawn nor reported; None: the engine's default. ``dicom``: also write a DICOM SEG and SR into
        ``output_folder/dicom`` (the volume set last must be a DICOM series folder).
        """
        folder = str(output_folder)
        extra: dict = {} if not spatial_prompts else {"spatial_prompts": spatial_prompts}
        if lesion_confidence is not None:
            extra["lesion_confidence"] = lesion_confidence
        if dicom:
            extra["dicom"] = True
        return self._send(
            RequestKind.SEGMENT, prompt=prompt, output_folder=folder, threshold=threshold, language=language, **extra
        )

    def cancel(self, request_id: str) -> None:
        """Cancel a running or queued request; a ``cancelled`` event answers it."""
        self._send(RequestKind.CANCEL, request_id=request_id)

    def poll(self) -> list[WorkerEvent]:
        """The events that arrived since the last call, without waiting."""
        events = []
        while True:
            try:
                events.append(self._events.get_nowait())
            except queue.Empty:
                return events

    def next_event(self, timeout_s: float) -> WorkerEvent | None:
        """The next event, waiting up to ``timeout_s``; None if none came."""
        try:
            return self._events.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def wait_for(
        self, request_id: str | None, timeout_s: float, on_event: Callable[[WorkerEvent], None] | None = None
    ) -> WorkerEvent:
        """Wait for the event that ends ``request_id`` (or for the process to end), passing every event on the way
        to ``on_event``.

        Raises:
            WorkerError: nothing ended the request within ``timeout_s``.
        """
        deadline = time.monotonic() + timeout_s
        while (remaining := deadline - time.monotonic()) > 0:
            event = self.next_event(remaining)
            if event is None:
                break
            if on_event is not None:
                on_event(event)
            if event.kind in (EventKind.EXITED, EventKind.CRASHED):
                return event
            if event.request_id == request_id and event.kind.ends_request:
                return event
            if request_id is None and event.kind in (EventKind.READY, EventKind.ERROR):
                return event
        raise WorkerError(f"The worker did not answer within {timeout_s:.0f} s; cancel, or stop it and start again.")

    def wait_until_ready(self, timeout_s: float) -> WorkerEvent:
        """Wait for the model to load: the ``ready`` event, or the ``error``/``crashed`` event saying why not."""
        return self.wait_for(None, timeout_s)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the worker to finish and exit; kill it if it has not within ``timeout_s``."""
        if not self.is_running:
            return
        self._stopping = True
        try:
            self._send(RequestKind.SHUTDOWN)
            self._process.stdin.close()  # type: ignore[union-attr]
            self._process.wait(timeout_s)  # type: ignore[union-attr]
        except (WorkerError, OSError, subprocess.TimeoutExpired):
            self.kill()

    def kill(self) -> None:
        """End the process and its children at once (cancel and stop are the gentle ways)."""
        if self._process is None or self._process.poll() is not None:
            return
        self._stopping = True
        if os.name == "nt":
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(self._process.pid)], capture_output=True, check=False)
        else:
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()

    def _send(self, kind: RequestKind, request_id: str | None = None, **data: Any) -> str:
        request_id = request_id or f"r{next(self._ids)}"
        if not self.is_running:
            raise WorkerError(self._ended.message if self._ended else "The ReinforcedVL worker is not started.")
        try:
            self._process.stdin.write(WorkerRequest(kind, request_id, data).to_line())  # type: ignore[union-attr]
            self._process.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError, ValueError):
            raise WorkerError("The ReinforcedVL worker stopped; start it again (press Segment).") from None
        return request_id

    def _environment(self) -> dict[str, str]:
        environment = dict(os.environ)
        paths = [*map(str, self.extra_paths), str(_ENGINE_PARENT), environment.get("PYTHONPATH", "")]
        environment["PYTHONPATH"] = os.pathsep.join(path for path in paths if path)
        environment["PYTHONUNBUFFERED"] = "1"
        environment["PYTHONIOENCODING"] = "utf-8"
        return environment

    def _read_events(self, process: subprocess.Popen[str]) -> None:
        """Reader thread: queue each event line; when the output ends, say how the process ended."""
        for line in process.stdout:  # type: ignore[union-attr]
            try:
                event = WorkerEvent.from_line(line)
            except ValueError:
                _LOG.warning("Unexpected line from the worker: %s", line.rstrip())
                continue
            if event.kind is EventKind.READY:
                self.ready = event
            elif event.kind is EventKind.ERROR and event.data.get("kind") == ErrorKind.MODEL.value:
                self._stopping = True  # the worker exits after saying why the model did not load
            self._events.put(event)
        exit_code = process.wait()
        if self._stderr_thread is not None:
            self._stderr_thread.join(timeout=5)
        self._ended = self._end_event(exit_code)
        self._events.put(self._ended)

    def _read_stderr(self, stream: IO[str]) -> None:
        for line in stream:
            self._stderr.append(line.rstrip())
            _LOG.info("worker: %s", line.rstrip())

    def _end_event(self, exit_code: int) -> WorkerEvent:
        if self._stopping:
            message = f"The ReinforcedVL worker stopped (exit code {exit_code})."
            return WorkerEvent(EventKind.EXITED, None, {"exit_code": exit_code, "message": message})
        how = f"exit code {exit_code}"
        if exit_code < 0 and -exit_code in signal.valid_signals():
            how += f", ended by signal {signal.Signals(-exit_code).name}"
        last = "\n".join(self._stderr) or "(no messages)"
        message = (
            f"The ReinforcedVL worker process stopped unexpectedly ({how}); your scene is unaffected. Press Segment "
            "to start it again. If it keeps stopping, tick 'Force CPU' (GPU driver problems) and report its last "
            f"messages to the ReinforcedVL developers:\n{last}"
        )
        return WorkerEvent(EventKind.CRASHED, None, {"exit_code": exit_code, "message": message})


def _new_process_group() -> dict[str, Any]:
    """Popen options that put the worker in its own process group, so that killing it reaches its children."""
    if os.name == "nt":
        flags = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.CREATE_NO_WINDOW  # type: ignore[attr-defined]
        return {"creationflags": flags}
    return {"start_new_session": True}
