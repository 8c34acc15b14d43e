"""Where Accept, Reject and Save correction go: a small interface, and a JSON-lines file as its default.

PLACEHOLDER: :class:`JsonLinesFeedbackSink` is the stand-in that the feedback-store issue replaces with the real
store (de-identified training triplets that feed fine-tuning). It already keeps what that store needs, locally and
without patient identifiers: the image as NRRD (voxels and geometry only), the model's output, the user's corrected
label map, the description, the model and its version, a rating and a comment. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import asdict, dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

from reinforcedvl.model_registry import user_home

__all__ = ["FeedbackAction", "FeedbackRecord", "FeedbackSink", "JsonLinesFeedbackSink", "defaultFeedbackFolder"]


class FeedbackAction(str, Enum):
    ACCEPT = "accept"
    REJECT = "reject"
    CORRECTION = "correction"


@dataclass(frozen=True)
class FeedbackRecord:
    """One judgement of one finding.

    Attributes:
        action: accepted as it is, rejected, or corrected by the user.
        prompt: the finding description the model answered.
        modelId, modelVersion, device: what answered, and where it ran.
        presentProbability: the model's probability that the finding is present.
        threshold: the mask threshold used.
        rating: 1 (useless) to 5 (perfect), None when not given.
        comment: free text from the user.
        createdAt: ISO 8601 UTC time of the judgement.
        imageFile: the input volume as NRRD (voxels and geometry, no patient identifiers).
        modelOutputFile: the model's lesion label map, None when it is no longer available.
        correctionFile: the user's corrected segmentation as a label map (for corrections), else None.
    """

    action: FeedbackAction
    prompt: str
    modelId: str
    modelVersion: str
    device: str
    presentProbability: float
    threshold: float
    rating: int | None
    comment: str
    createdAt: str
    imageFile: Path
    modelOutputFile: Path | None
    correctionFile: Path | None


class FeedbackSink(Protocol):
    """Takes feedback records; the files they name may be moved into the sink's keeping."""

    def submit(self, record: FeedbackRecord) -> str:
        """Store ``record``; returns its id."""
        ...


def defaultFeedbackFolder() -> Path:
    """``~/.reinforcedvl/feedback`` (``$REINFORCEDVL_HOME/feedback``)."""
    return user_home() / "feedback"


class JsonLinesFeedbackSink:
    """Placeholder store (see the module docstring): ``<folder>/feedback.jsonl`` plus one folder of files per record."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else defaultFeedbackFolder()

    @property
    def logFile(self) -> Path:
        return self.folder / "feedback.jsonl"

    def submit(self, record: FeedbackRecord) -> str:
        recordId = uuid.uuid4().hex[:12]
        recordFolder = self.folder / recordId
        recordFolder.mkdir(parents=True)
        entry = {"id": recordId, **asdict(record), "action": record.action.value}
        for key in ("imageFile", "modelOutputFile", "correctionFile"):
            source = getattr(record, key)
            if source is not None:
                target = recordFolder / f"{key.removesuffix('File')}{''.join(Path(source).suffixes)}"
                shutil.move(str(source), target)
                entry[key] = target.relative_to(self.folder).as_posix()
        with self.logFile.open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return recordId
