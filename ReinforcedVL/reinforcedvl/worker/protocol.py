"""The worker's language: one JSON object per line, requests on its stdin, events on its stdout.

Requests (``{"type": ..., "id": ...}``; fields are checked by name, type and range, and unknown fields refused)::

    set_volume  paths: [file, ...] (channels of one study, NRRD/NIfTI), modality: "auto" | "CT" | "MR",
                name: str (optional; the study's name in reports)
    segment     prompt: str, output_folder: str, threshold: float | null (null: the model's own),
                language: "en" | "ja" (the report's; default "en"),
                spatial_prompts: {points: [{ras: [R, A, S], positive: bool}], box: {corner_a_ras, corner_b_ras}
                | null} (optional; RAS mm; see reinforcedvl.spatial.prompts),
                lesion_confidence: float in [0, 1] | null (lesions less confident are dropped; null: the default)
                dicom: bool (optional; also write a DICOM SEG (segments AUTOMATIC, the model named) and SR
                into output_folder/dicom; the volume must have been set from a DICOM series folder)
    cancel      id of the request to cancel
    shutdown    finish and exit

Events (``{"event": ..., "id": request id or null}``)::

    ready       device, is_gpu, model {id, version}, pid           once the model is on its device
    progress    stage, done, total                                 while a request runs
    volume_set  modality, modality_reason, grid, seconds           answer to set_volume
    result      a finding outcome (see FindingOutcome)             answer to segment; files in output_folder
    warning     kind, message                                      e.g. GPU out of memory, retrying on the CPU
    error       kind, message, details                             a request failed; the worker keeps serving
    cancelled   message                                            a request was cancelled

The client adds two events of its own when the process ends: ``exited`` (asked to) and ``crashed`` (not asked to).
Nothing here imports torch: the Slicer side speaks this protocol too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import ReinforcedVLError
from ..spatial.prompts import SpatialPrompts
from ..vocabulary import DEFAULT_LESION_CONFIDENCE, LesionKey, lesion_segment_id

__all__ = [
    "PROTOCOL_VERSION",
    "RequestKind",
    "EventKind",
    "ErrorKind",
    "RequestError",
    "WorkerRequest",
    "WorkerEvent",
    "LesionRecord",
    "FindingOutcome",
    "FINDING_FILE",
    "lesion_segment_id",
]

PROTOCOL_VERSION = 2
FINDING_FILE = "finding.json"
"""Written by the worker into each segment request's output folder: the ``result`` event's content."""


class RequestKind(str, Enum):
    SET_VOLUME = "set_volume"
    SEGMENT = "segment"
    CANCEL = "cancel"
    SHUTDOWN = "shutdown"


class EventKind(str, Enum):
    READY = "ready"
    PROGRESS = "progress"
    VOLUME_SET = "volume_set"
    RESULT = "result"
    WARNING = "warning"
    ERROR = "error"
    CANCELLED = "cancelled"
    EXITED = "exited"
    CRASHED = "crashed"

    @property
    def ends_request(self) -> bool:
        """Whether this event is the last one a request gets."""
        return self in (EventKind.VOLUME_SET, EventKind.RESULT, EventKind.ERROR, EventKind.CANCELLED)


class ErrorKind(str, Enum):
    INPUT = "input"
    """The user can fix it (bad prompt, unreadable volume, unknown model): the message says how."""
    OUT_OF_MEMORY = "out_of_memory"
    """The GPU ran out of memory; the message suggests what to do (the worker also retries on the CPU)."""
    MODEL = "model"
    """The model could not be loaded; the worker exits."""
    PROTOCOL = "protocol"
    """A malformed request (a bug in the caller)."""
    INTERNAL = "internal"
    """An unexpected error in the worker; ``details`` holds the traceback for a bug report."""


class RequestError(ValueError):
    """A request line that is not a valid request; ``request_id`` is its id when it has a usable one (the error
    event then answers that request)."""

    def __init__(self, message: str, request_id: str | None = None) -> None:
        super().__init__(message)
        self.request_id = request_id


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"'{name}' must be a string, got {_json_type(value)}")
    return value


def _path_text(value: Any, name: str) -> str:
    if not _text(value, name).strip() or "\x00" in value:
        raise TypeError(f"'{name}' must be a path: a non-empty string without NUL characters, got {value!r:.200}")
    return value


def _paths(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise TypeError(f"'{name}' must be a non-empty list of file paths (one per channel), got {_json_type(value)}")
    return [_path_text(item, f"{name}[{index}]") for index, item in enumerate(value)]


def _threshold(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"'{name}' must be a number between 0 and 1 (or null for the model's own), got {_json_type(value)}"
        )
    if not 0.0 < float(value) < 1.0:  # NaN fails this too
        raise TypeError(f"'{name}' must lie between 0 and 1 (exclusive), got {value}")
    return float(value)


def _fraction(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"'{name}' must be a number between 0 and 1 (or null for the default), got {_json_type(value)}")
    if not 0.0 <= float(value) <= 1.0:  # NaN fails this too
        raise TypeError(f"'{name}' must lie between 0 and 1, got {value}")
    return float(value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"'{name}' must be true or false, got {_json_type(value)}")
    return value


def _language(value: Any, name: str) -> str:
    if _text(value, name) not in ("en", "ja"):
        raise TypeError(f'\'{name}\' must be "en" or "ja", got {value!r:.40}')
    return value


def _spatial_prompts(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"'{name}' must be an object with 'points' and 'box', got {_json_type(value)}")
    try:
        SpatialPrompts.from_dict(value)
    except (ReinforcedVLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise TypeError(f"'{name}' is not a valid set of points and box ({error})") from None
    return value


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number") + f" ({json.dumps(value, default=str)[:60]})"


# Each request kind's fields: name -> (checker, required). Optional fields may be null (their default).
_FIELDS: dict[RequestKind, dict[str, tuple[Any, bool]]] = {
    RequestKind.SET_VOLUME: {"paths": (_paths, True), "modality": (_text, False), "name": (_text, False)},
    RequestKind.SEGMENT: {
        "prompt": (_text, True),
        "output_folder": (_path_text, True),
        "threshold": (_threshold, False),
        "language": (_language, False),
        "spatial_prompts": (_spatial_prompts, False),
        "lesion_confidence": (_fraction, False),
        "dicom": (_flag, False),
    },
    RequestKind.CANCEL: {},
    RequestKind.SHUTDOWN: {},
}


@dataclass(frozen=True)
class WorkerRequest:
    """One request line. ``data`` holds the fields of its kind (see the module docstring)."""

    kind: RequestKind
    request_id: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_line(self) -> str:
        """One line of ASCII (every other character escaped), so that any text, even an unpaired surrogate, travels
        and is judged by the worker."""
        return json.dumps({"type": self.kind.value, "id": self.request_id, **self.data}) + "\n"

    @classmethod
    def from_line(cls, line: str) -> WorkerRequest:
        """Parse one line and check its fields against its kind's (names, types and ranges).

        Raises:
            RequestError: not UTF-8 text, not a JSON object, no usable ``id``, an unknown ``type``, or a field
                missing, unknown or of the wrong type; the message says which.
        """
        shown = line.strip()[:200]
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # bytes that were not UTF-8, kept as surrogates by the reader
            raise RequestError(
                f"a request line must be UTF-8 text; this one holds bytes that are not ({ascii(shown)})"
            ) from None
        try:
            message = json.loads(line)
        except (ValueError, RecursionError) as error:
            raise RequestError(
                f"a request line must be one JSON object; this one is not JSON ({error}): {shown!r}"
            ) from None
        if not isinstance(message, dict) or "id" not in message:
            raise RequestError(f"a request is a JSON object with 'type' and 'id', got {shown!r}")
        request_id = message.pop("id")
        if isinstance(request_id, bool) or not isinstance(request_id, (str, int)) or not str(request_id).strip():
            raise RequestError(f"a request's 'id' must be a non-empty string, got {_json_type(request_id)}")
        request_id = str(request_id)
        kind_name = message.pop("type", None)
        try:
            kind = RequestKind(kind_name)
        except ValueError:
            known = ", ".join(kind.value for kind in RequestKind)
            raise RequestError(f"unknown request type {kind_name!r:.60} (known: {known})", request_id) from None
        fields = _FIELDS[kind]
        unknown = sorted(set(message) - set(fields))
        if unknown:
            expected = ", ".join(map(repr, fields)) or "none besides 'type' and 'id'"
            names = ", ".join(repr(name)[:60] for name in unknown[:5])
            message_text = f"unknown field(s) {names} in a {kind.value} request; its fields are {expected}"
            raise RequestError(message_text, request_id)
        for name, (check, required) in fields.items():
            if message.get(name) is None:
                if required:
                    raise RequestError(f"a {kind.value} request needs the field '{name}'", request_id)
                continue
            try:
                message[name] = check(message[name], name)
            except TypeError as error:
                raise RequestError(f"in a {kind.value} request, {error}", request_id) from None
        return cls(kind, request_id, message)


@dataclass(frozen=True)
class WorkerEvent:
    """One event line. ``data`` holds the fields of its kind (see the module docstring)."""

    kind: EventKind
    request_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The human-readable text of warnings, errors, cancellations and exits ('' for other events)."""
        return str(self.data.get("message", ""))

    def to_line(self) -> str:
        """One line of ASCII (every other character escaped): any message, even one quoting bad input, can be sent."""
        return json.dumps({"event": self.kind.value, "id": self.request_id, **self.data}) + "\n"

    @classmethod
    def from_line(cls, line: str) -> WorkerEvent:
        """Parse one line.

        Raises:
            ValueError: not a JSON object with a known ``event``.
        """
        message = json.loads(line)
        if not isinstance(message, dict):
            raise ValueError(f"an event is a JSON object, got {line.strip()[:200]!r}")
        kind = EventKind(message.pop("event", None))
        request_id = message.pop("id", None)
        return cls(kind, None if request_id is None else str(request_id), message)


@dataclass(frozen=True)
class LesionRecord:
    """One lesion as the worker reports it (the fields of :meth:`reinforcedvl.lesions.Lesion.to_dict`).

    Sizes in mm and mL; ``centroid_ras`` in RAS millimetres on the input volume's grid.
    """

    lesion_id: int
    color_name: str
    voxels: int
    volume_ml: float
    long_axis_mm: float
    short_axis_mm: float
    centroid_ras: tuple[float, float, float]
    confidence: float

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> LesionRecord:
        return cls(
            lesion_id=int(values[LesionKey.ID]),
            color_name=str(values[LesionKey.COLOR_NAME]),
            voxels=int(values[LesionKey.VOXELS]),
            volume_ml=float(values[LesionKey.VOLUME_ML]),
            long_axis_mm=float(values[LesionKey.LONG_AXIS_MM]),
            short_axis_mm=float(values[LesionKey.SHORT_AXIS_MM]),
            centroid_ras=tuple(float(x) for x in values[LesionKey.CENTROID_RAS]),  # type: ignore[arg-type]
            confidence=float(values[LesionKey.CONFIDENCE]),
        )


@dataclass(frozen=True)
class FindingOutcome:
    """What one ``segment`` request produced: the answer, how it was made, and where its files are.

    Attributes:
        prompt: the finding description, as normalised.
        present: the finding was judged present and at least one lesion was found.
        present_probability: the model's probability that the finding is in the volume; None when not assessed.
        lesions: largest first; lesion n has colour n of :data:`reinforcedvl.lesions.palette.LESION_PALETTE`.
        model_id, model_version: the model that answered.
        device: where it ran, in words.
        seconds: time spent on the prompt in the worker.
        finished_at: ISO 8601 UTC time the result was written.
        threshold: the mask threshold used.
        lesion_confidence: the lesion confidence threshold used (lesions less confident were dropped).
        modality: CT or MR, as used for intensity normalisation.
        segmentation_file: Slicer ``.seg.nrrd`` with one named, coloured, coded segment per lesion.
        labelmap_file: the same lesions as a label map (lesion n = n), the model's untouched output.
        evidence_file: float evidence map in [0, 1] on the input grid.
        report_markdown: the grounded report, as Markdown.
        report: the grounded report's ``report.json`` form (:meth:`reinforcedvl.report.GroundedReport.to_dict`).
        spatial_prompts: the points and box asked with, as :meth:`reinforcedvl.spatial.prompts.SpatialPrompts.to_dict`
            gives them (None: the description alone); a lesion's ``marked_points`` are in ``lesion_points``.
        lesion_points: lesion id -> the numbers of the positive points that chose it.
        dicom_files: the DICOM SEG and SR written when the request asked for them (``seg_01.dcm``, ``sr.dcm``;
            none where no lesion was drawn).
    """

    prompt: str
    present: bool
    present_probability: float | None
    lesions: tuple[LesionRecord, ...]
    model_id: str
    model_version: str
    device: str
    seconds: float
    finished_at: str
    threshold: float
    modality: str
    segmentation_file: Path
    labelmap_file: Path
    evidence_file: Path
    report_markdown: str
    report: dict[str, Any]
    spatial_prompts: dict[str, Any] | None = None
    lesion_points: dict[int, tuple[int, ...]] = field(default_factory=dict)
    status: str = "absent"
    reason: str = ""
    lesion_confidence: float = DEFAULT_LESION_CONFIDENCE
    dicom_files: tuple[Path, ...] = ()

    @property
    def assessed(self) -> bool:
        """False when the finding was outside the model's scope (``status`` ``"not_assessed"``): nothing drawn."""
        return self.status != "not_assessed"

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FindingOutcome:
        """Read a ``result`` event's data or a ``finding.json`` document (relative paths: from ``folder``)."""
        folder = Path(values["folder"])
        return cls(
            prompt=str(values["prompt"]),
            present=bool(values["present"]),
            present_probability=(
                None if values["present_probability"] is None else float(values["present_probability"])
            ),
            lesions=tuple(LesionRecord.from_dict(lesion) for lesion in values["lesions"]),
            model_id=str(values["model"]["id"]),
            model_version=str(values["model"]["version"]),
            device=str(values["device"]),
            seconds=float(values["seconds"]),
            finished_at=str(values["finished_at"]),
            threshold=float(values["threshold"]),
            modality=str(values["modality"]),
            segmentation_file=folder / values["segmentation"],
            labelmap_file=folder / values["labelmap"],
            evidence_file=folder / values["evidence"],
            report_markdown=str(values["report"]["markdown"]),
            report=dict(values["report"]["data"]),
            spatial_prompts=values.get("spatial_prompts"),
            lesion_points={
                int(lesion["id"]): tuple(int(n) for n in lesion["marked_points"])
                for lesion in values["lesions"]
                if "marked_points" in lesion
            },
            status=str(values.get("status", "present" if values["present"] else "absent")),
            reason=str(values.get("reason", "")),
            lesion_confidence=float(values.get("lesion_confidence", DEFAULT_LESION_CONFIDENCE)),
            dicom_files=tuple(folder / name for name in values.get("dicom", [])),
        )

    @classmethod
    def from_folder(cls, folder: str | Path) -> FindingOutcome:
        """Read the ``finding.json`` a worker wrote into ``folder``."""
        document = json.loads((Path(folder) / FINDING_FILE).read_text(encoding="utf-8"))
        return cls.from_dict({**document, "folder": str(folder)})
