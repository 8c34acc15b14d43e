"""The worker's language: one JSON object per line, requests on its stdin, events on its stdout.

Requests (``{"type": ..., "id": ...}``)::

    set_volume  paths: [file, ...] (channels of one study, NRRD/NIfTI), modality: "auto" | "CT" | "MR",
                name: str (optional; the study's name in reports)
    segment     prompt: str, output_folder: str, threshold: float | null (null: the model's own),
                language: "en" | "ja" (the report's; default "en")
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

__all__ = [
    "PROTOCOL_VERSION",
    "RequestKind",
    "EventKind",
    "ErrorKind",
    "WorkerRequest",
    "WorkerEvent",
    "LesionRecord",
    "FindingOutcome",
    "FINDING_FILE",
    "lesion_segment_id",
]

PROTOCOL_VERSION = 1
FINDING_FILE = "finding.json"
"""Written by the worker into each segment request's output folder: the ``result`` event's content."""


def lesion_segment_id(lesion_id: int) -> str:
    """The id of lesion ``lesion_id``'s segment in the worker's segmentation file (:mod:`reinforcedvl.result_files`)."""
    return f"lesion_{lesion_id}"


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


@dataclass(frozen=True)
class WorkerRequest:
    """One request line. ``data`` holds the fields of its kind (see the module docstring)."""

    kind: RequestKind
    request_id: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_line(self) -> str:
        return json.dumps({"type": self.kind.value, "id": self.request_id, **self.data}, ensure_ascii=False) + "\n"

    @classmethod
    def from_line(cls, line: str) -> WorkerRequest:
        """Parse one line.

        Raises:
            ValueError: not a JSON object with a known ``type`` and an ``id``.
        """
        message = json.loads(line)
        if not isinstance(message, dict) or "id" not in message:
            raise ValueError(f"a request is a JSON object with 'type' and 'id', got {line.strip()[:200]!r}")
        kind = RequestKind(message.pop("type", None))
        return cls(kind, str(message.pop("id")), message)


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
        return json.dumps({"event": self.kind.value, "id": self.request_id, **self.data}, ensure_ascii=False) + "\n"

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
            lesion_id=int(values["id"]),
            color_name=str(values["color_name"]),
            voxels=int(values["voxels"]),
            volume_ml=float(values["volume_ml"]),
            long_axis_mm=float(values["long_axis_mm"]),
            short_axis_mm=float(values["short_axis_mm"]),
            centroid_ras=tuple(float(x) for x in values["centroid_ras"]),  # type: ignore[arg-type]
            confidence=float(values["confidence"]),
        )


@dataclass(frozen=True)
class FindingOutcome:
    """What one ``segment`` request produced: the answer, how it was made, and where its files are.

    Attributes:
        prompt: the finding description, as normalised.
        present: the finding was judged present and at least one lesion was found.
        present_probability: the model's probability that the finding is in the volume; None when not assessed.
        lesions: largest first; lesion n has colour n of :data:`reinforcedvl.colors.LESION_PALETTE`.
        model_id, model_version: the model that answered.
        device: where it ran, in words.
        seconds: time spent on the prompt in the worker.
        finished_at: ISO 8601 UTC time the result was written.
        threshold: the mask threshold used.
        modality: CT or MR, as used for intensity normalisation.
        segmentation_file: Slicer ``.seg.nrrd`` with one named, coloured, coded segment per lesion.
        labelmap_file: the same lesions as a label map (lesion n = n), the model's untouched output.
        evidence_file: float evidence map in [0, 1] on the input grid.
        report_markdown: the grounded report, as Markdown.
        report: the grounded report's ``report.json`` form (:meth:`reinforcedvl.report.GroundedReport.to_dict`).
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
    status: str = "absent"
    reason: str = ""

    @property
    def assessed(self) -> bool:
        """False when the finding was outside the model's scope (``status`` ``"not_assessed"``): nothing drawn."""
        return self.status != "not_assessed"

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FindingOutcome:
        """Read a ``result`` event's data or a ``finding.json`` document (relative paths: from ``folder``)."""
        folder = Path(values["folder"])
        files = values["files"]
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
            segmentation_file=folder / files["segmentation"],
            labelmap_file=folder / files["labelmap"],
            evidence_file=folder / files["evidence"],
            report_markdown=str(values["report"]["markdown"]),
            report=dict(values["report"]["data"]),
            status=str(values.get("status", "present" if values["present"] else "absent")),
            reason=str(values.get("reason", "")),
        )

    @classmethod
    def from_folder(cls, folder: str | Path) -> FindingOutcome:
        """Read the ``finding.json`` a worker wrote into ``folder``."""
        document = json.loads((Path(folder) / FINDING_FILE).read_text(encoding="utf-8"))
        return cls.from_dict({**document, "folder": str(folder)})
