"""The worker: one process that keeps a model on its device and answers requests (see :mod:`.protocol`).

The model loads once; each ``set_volume`` preprocesses a study once, and every ``segment`` after it reuses the
cached image features, so a second finding on the same volume costs only the text and decoding passes. A reader
thread takes requests off stdin while inference runs on the main thread, so ``cancel`` and ``shutdown`` act at once:
the predictor's progress callback returns False and the run stops with :class:`InferenceCancelled`. If the GPU runs
out of memory, the worker says so with a suggestion, moves the model to the CPU and runs the request again there.
"""

from __future__ import annotations

import os
import queue
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import torch

from ..dicom import DicomExportUnavailable, dicom_export_unavailable_reason
from ..errors import InferenceCancelled, ReinforcedVLError
from ..io import read_image
from ..predictor import FindingResult, Predictor
from ..spatial.prompts import SpatialPrompts
from ..vocabulary import DEFAULT_LESION_CONFIDENCE, LANGUAGES, parse_modality
from ..volume import ScalarVolume
from .outcome_files import write_outcome
from .protocol import ErrorKind, EventKind, RequestError, RequestKind, WorkerEvent, WorkerRequest

__all__ = ["WorkerServer", "PredictorLoader", "MAX_REQUEST_BYTES"]

MAX_REQUEST_BYTES = 1 << 20
"""The longest request line read (a request carries paths and a short prompt, never data)."""

PredictorLoader = Callable[[str], Predictor]
"""Loads the model onto a device (``"auto"``, ``"cpu"`` or ``"cuda"``)."""

_OUT_OF_MEMORY_ADVICE = (
    "Close other programs that use the GPU, or tick 'Force CPU' (command line: --device cpu) to skip the GPU. "
    "ReinforcedVL is retrying this request on the CPU, which is slower; later requests stay on the CPU until the "
    "worker is restarted."
)


class WorkerServer:
    """Serve requests read from ``requests`` with a predictor, writing events to ``events``.

    Example:
        >>> load = lambda device: Predictor.from_model("reinforcedvl-starter", device)  # doctest: +SKIP
        >>> server = WorkerServer(load, "auto", sys.stdout)  # doctest: +SKIP
        >>> exit_code = server.serve(sys.stdin)  # doctest: +SKIP
    """

    def __init__(self, load_predictor: PredictorLoader, device: str, events: TextIO) -> None:
        self._load_predictor = load_predictor
        self._device = device
        self._events = events
        self._write_lock = threading.Lock()
        self._queue: queue.Queue[WorkerRequest | None] = queue.Queue()
        self._state_lock = threading.Lock()
        self._active_id: str | None = None
        self._cancel_active = threading.Event()
        self._cancelled_ids: set[str] = set()
        self._predictor: Predictor | None = None
        self._volume: ScalarVolume | None = None
        self._modality: str = "auto"

    def serve(self, requests: BinaryIO | TextIO) -> int:
        """Load the model, then answer requests until ``shutdown`` or the end of ``requests`` (lines of UTF-8 bytes, or
        of text); the exit code."""
        try:
            self._predictor = self._load_predictor(self._device)
        except ReinforcedVLError as error:
            self._emit(WorkerEvent(EventKind.ERROR, None, {"kind": ErrorKind.MODEL.value, "message": str(error)}))
            return error.exit_code
        self._emit(WorkerEvent(EventKind.READY, None, self._ready_data()))
        threading.Thread(target=self._read_requests, args=(requests,), name="requests", daemon=True).start()
        while (request := self._queue.get()) is not None:
            with self._state_lock:
                if request.request_id in self._cancelled_ids:
                    self._cancelled_ids.discard(request.request_id)
                    self._emit(WorkerEvent(EventKind.CANCELLED, request.request_id, {"message": "Cancelled."}))
                    continue
                self._active_id = request.request_id
                self._cancel_active.clear()
            try:
                self._handle(request)
            finally:
                with self._state_lock:
                    self._active_id = None
        return 0

    def _read_requests(self, requests: BinaryIO | TextIO) -> None:
        """Reader thread: queue work, act on cancel and shutdown at once; the end of input means shutdown.

        A line that is not a valid request (not UTF-8, not JSON, too long, wrong fields) gets an error event, with
        its id when it has one, and the thread goes on reading: nothing a caller sends can stop it.
        """
        while (line := self._next_line(requests)) is not None:
            try:
                if not line.strip():
                    continue
                request = WorkerRequest.from_line(line)
            except RequestError as error:
                self._protocol_error(error.request_id, str(error))
                continue
            except Exception as error:  # noqa: BLE001 (a bug in reading one line must not stop the reader)
                self._protocol_error(None, f"The worker could not read a request ({type(error).__name__}: {error}).")
                continue
            if request.kind is RequestKind.CANCEL:
                self._cancel(request.request_id)
            elif request.kind is RequestKind.SHUTDOWN:
                break
            else:
                self._queue.put(request)
        with self._state_lock:
            if self._active_id is not None:
                self._cancel_active.set()
        self._queue.put(None)

    def _next_line(self, requests: BinaryIO | TextIO) -> str | None:
        """The next request line as text (bytes that are not UTF-8 kept as surrogates, which the protocol refuses);
        a line longer than :data:`MAX_REQUEST_BYTES` is read to its end, answered with an error and skipped. None at
        the end of the input."""
        while True:
            try:
                line = requests.readline(MAX_REQUEST_BYTES + 1)
            except (OSError, ValueError):  # the input was closed
                return None
            if not line:
                return None
            if len(line) > MAX_REQUEST_BYTES:
                while line and not line.endswith(b"\n" if isinstance(line, bytes) else "\n"):
                    line = requests.readline(MAX_REQUEST_BYTES)
                self._protocol_error(
                    None,
                    f"A request line is longer than {MAX_REQUEST_BYTES} bytes and was skipped; send file paths, "
                    "not file contents.",
                )
                continue
            return line.decode("utf-8", errors="surrogateescape") if isinstance(line, bytes) else line

    def _protocol_error(self, request_id: str | None, message: str) -> None:
        self._emit(WorkerEvent(EventKind.ERROR, request_id, {"kind": ErrorKind.PROTOCOL.value, "message": message}))

    def _cancel(self, request_id: str) -> None:
        with self._state_lock:
            if request_id == self._active_id:
                self._cancel_active.set()
            else:
                self._cancelled_ids.add(request_id)

    def _handle(self, request: WorkerRequest) -> None:
        """Answer one request with its final event (result, volume_set, error or cancelled)."""
        try:
            if request.kind is RequestKind.SET_VOLUME:
                data = self._set_volume(request)
                self._emit(WorkerEvent(EventKind.VOLUME_SET, request.request_id, data))
            else:
                self._emit(WorkerEvent(EventKind.RESULT, request.request_id, self._segment(request)))
        except InferenceCancelled as cancelled:
            self._emit(WorkerEvent(EventKind.CANCELLED, request.request_id, {"message": str(cancelled)}))
        except ReinforcedVLError as error:
            self._emit(self._error(request, ErrorKind.INPUT, str(error)))
        except (KeyError, TypeError, ValueError) as error:
            self._emit(self._error(request, ErrorKind.PROTOCOL, f"Malformed {request.kind.value} request: {error!r}"))
        except Exception as error:  # noqa: BLE001 (reported to the caller, and the worker keeps serving)
            message = f"Unexpected error in the worker ({type(error).__name__}: {error}). The worker keeps running; "
            message += "report this with the details to the ReinforcedVL developers."
            self._emit(self._error(request, ErrorKind.INTERNAL, message, traceback.format_exc()))

    def _set_volume(self, request: WorkerRequest) -> dict[str, Any]:
        started = time.perf_counter()
        self._progress(request.request_id)("reading the volume", 0, 1)
        volume = read_image([Path(path) for path in request.data["paths"]])
        if request.data.get("name"):
            volume = ScalarVolume(volume.array, volume.affine, volume.source, str(request.data["name"]))
        self._modality = str(request.data.get("modality", "auto"))
        prepared = self.predictor.set_volume(volume, modality=parse_modality(self._modality))
        self._volume = volume
        return {
            "modality": prepared.modality.modality.value,
            "modality_reason": prepared.modality.reason,
            "grid": volume.describe_grid(),
            "seconds": round(time.perf_counter() - started, 3),
        }

    def _segment(self, request: WorkerRequest) -> dict[str, Any]:
        if self._volume is None:
            raise ReinforcedVLError("No volume is set: send a set_volume request before segment.")
        _check_output_folder(Path(request.data["output_folder"]))
        if request.data.get("dicom") and (reason := dicom_export_unavailable_reason(self._volume)) is not None:
            raise DicomExportUnavailable(reason)
        threshold = request.data.get("threshold")
        try:
            result = self._run_segment(request, threshold)
        except torch.cuda.OutOfMemoryError as error:
            if not self.predictor.device.is_gpu:
                raise
            self._move_to_cpu(request, error)
            result = self._run_segment(request, threshold)
        return self._write_result(request, result)

    def _run_segment(self, request: WorkerRequest, threshold: float | None) -> FindingResult:
        spatial = SpatialPrompts.from_dict(request.data.get("spatial_prompts"))
        progress = self._progress(request.request_id)
        self.predictor.lesion_confidence = _lesion_confidence(request)
        if spatial:
            return self.predictor.segment(
                str(request.data["prompt"]),
                points=spatial.points,
                box=spatial.box,
                mask_threshold=threshold,
                progress=progress,
            )
        return self.predictor.segment(str(request.data["prompt"]), mask_threshold=threshold, progress=progress)

    def _move_to_cpu(self, request: WorkerRequest, error: torch.cuda.OutOfMemoryError) -> None:
        first_line = str(error).splitlines()[0] if str(error) else "CUDA out of memory"
        message = f"The GPU ran out of memory ({first_line}). {_OUT_OF_MEMORY_ADVICE}"
        self._emit(
            WorkerEvent(
                EventKind.WARNING, request.request_id, {"kind": ErrorKind.OUT_OF_MEMORY.value, "message": message}
            )
        )
        self._predictor = None
        torch.cuda.empty_cache()
        self._predictor = self._load_predictor("cpu")
        self._predictor.set_volume(self._volume, modality=parse_modality(self._modality))
        self._emit(WorkerEvent(EventKind.READY, request.request_id, self._ready_data()))

    def _write_result(self, request: WorkerRequest, result: FindingResult) -> dict[str, Any]:
        self._progress(request.request_id)("writing results", 0, 1)
        predictor = self.predictor
        language = request.data.get("language") or "en"
        if language not in LANGUAGES:
            raise ReinforcedVLError(f"Unknown report language {language!r}: use en or ja.")
        folder = Path(request.data["output_folder"])
        try:
            return write_outcome(
                result,
                folder,
                volume=self._volume,
                language=language,
                identity=predictor.identity,
                device=predictor.device.description,
                threshold=float(request.data.get("threshold") or predictor.config.mask_threshold),
                lesion_confidence=_lesion_confidence(request),
                dicom=bool(request.data.get("dicom")),
                modality=predictor.prepared_volume.modality.modality.value,
            )
        except OSError as error:
            raise ReinforcedVLError(
                f"The results could not be written to {folder} ({error.strerror or error}). Choose a folder you can "
                "write, on a disk with free space."
            ) from None

    @property
    def predictor(self) -> Predictor:
        if self._predictor is None:
            raise RuntimeError("The worker has no model loaded: serve() loads it first.")
        return self._predictor

    def _ready_data(self) -> dict[str, Any]:
        device = self.predictor.device
        return {
            "device": device.description,
            "is_gpu": device.is_gpu,
            "model": self.predictor.identity.to_dict(),
            "pid": os.getpid(),
        }

    def _progress(self, request_id: str) -> Callable[[str, int, int], bool]:
        def report(stage: str, done: int, total: int) -> bool:
            self._emit(WorkerEvent(EventKind.PROGRESS, request_id, {"stage": stage, "done": done, "total": total}))
            return not self._cancel_active.is_set()

        return report

    def _error(self, request: WorkerRequest, kind: ErrorKind, message: str, details: str = "") -> WorkerEvent:
        return WorkerEvent(
            EventKind.ERROR, request.request_id, {"kind": kind.value, "message": message, "details": details}
        )

    def _emit(self, event: WorkerEvent) -> None:
        with self._write_lock:
            self._events.write(event.to_line())
            self._events.flush()


def _lesion_confidence(request: WorkerRequest) -> float:
    """The request's lesion confidence threshold, else the default."""
    value = request.data.get("lesion_confidence")
    return DEFAULT_LESION_CONFIDENCE if value is None else float(value)


def _check_output_folder(folder: Path) -> None:
    """Refuse, before the model runs, an output folder that cannot be made: it or a folder above it is a file, or
    the nearest existing folder above it cannot be written."""
    for place in (folder, *folder.parents):
        if not place.exists():
            continue
        if not place.is_dir():
            what = "is a file" if place == folder else f"lies under {place}, which is a file"
            raise ReinforcedVLError(f"The output folder {folder} {what}. Choose another output folder.")
        if not os.access(place, os.W_OK | os.X_OK):
            raise ReinforcedVLError(
                f"The output folder {folder} cannot be made: {place} is not writable. Choose another output folder."
            )
        return
