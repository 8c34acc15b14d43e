"""Where Accept, Reject and Save correction go: a small interface, and the engine's feedback store behind it.

:class:`FeedbackStoreSink` hands each record to :class:`reinforcedvl.feedback.FeedbackStore` (SQLite plus
de-identified image files; see ``docs/feedback.md``): the image's voxels and geometry only, the model's output, the
user's corrected label map, their Dice, the description generated from the final mask, the model and its version,
the rating, the comment and the annotator. The patient's DICOM Patient ID, when the scene knows it, is kept only as a
keyed hash. Nothing leaves the machine. Where the store lives and who the annotator is are Slicer settings
(:data:`FEEDBACK_FOLDER_SETTING`, :data:`ANNOTATOR_SETTING`).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from reinforcedvl.feedback.layout import default_store_folder
from reinforcedvl.feedback.records import FeedbackAction

if TYPE_CHECKING:
    from reinforcedvl.feedback.store import FeedbackStore

__all__ = [
    "ANNOTATOR_SETTING",
    "FEEDBACK_FOLDER_SETTING",
    "FeedbackAction",
    "FeedbackRecord",
    "FeedbackSink",
    "FeedbackStoreSink",
    "defaultFeedbackFolder",
]

FEEDBACK_FOLDER_SETTING = "ReinforcedVL/FeedbackFolder"
ANNOTATOR_SETTING = "ReinforcedVL/Annotator"


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
        modality: ``"CT"`` or ``"MR"`` as the worker used it, None when unknown (the store then detects it).
        patientReference: the DICOM Patient ID of the input volume when the scene has it (only ever stored hashed).
        spatialPrompts: the points and box the finding was asked with (``SpatialPrompts.to_dict`` form), else None.
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
    modality: str | None = None
    patientReference: str | None = None
    spatialPrompts: dict | None = None


class SettingsReader(Protocol):
    """What is read of Slicer's settings (``qt.QSettings``)."""

    def value(self, key: str) -> str | None: ...


class FeedbackSink(Protocol):
    """Takes feedback records; the files they name may be moved into the sink's keeping."""

    def submit(self, record: FeedbackRecord) -> str:
        """Store ``record``; returns its id."""
        ...


def defaultFeedbackFolder() -> Path:
    """``~/.reinforcedvl/feedback`` (``$REINFORCEDVL_HOME/feedback``), the store the command line uses too."""
    return default_store_folder()


class FeedbackStoreSink:
    """The feedback store in ``folder`` as a :class:`FeedbackSink`, opened on the first record.

    Example:
        >>> sink = FeedbackStoreSink.fromSettings(qt.QSettings())  # doctest: +SKIP
        >>> recordId = sink.submit(captureFeedback(finding, FeedbackAction.ACCEPT, rating=5))  # doctest: +SKIP
    """

    def __init__(self, folder: Path | None = None, annotator: str = "") -> None:
        self.folder = Path(folder) if folder is not None else defaultFeedbackFolder()
        self.annotator = annotator
        self._store: FeedbackStore | None = None

    @classmethod
    def fromSettings(cls, settings: SettingsReader) -> FeedbackStoreSink:
        """The sink the settings name (``settings.value(key)``, as ``qt.QSettings`` answers): the store folder,
        else the default one; the annotator, else the computer's user name."""
        folder = settings.value(FEEDBACK_FOLDER_SETTING)
        return cls(Path(folder) if folder else None, settings.value(ANNOTATOR_SETTING) or _loginName())

    @property
    def store(self) -> FeedbackStore:
        """The store (loaded on first use: it reads image files, and computes Dice with MONAI)."""
        if self._store is None:
            from reinforcedvl.feedback.store import FeedbackStore

            self._store = FeedbackStore(self.folder)
        return self._store

    def submit(self, record: FeedbackRecord) -> str:
        """Store ``record``. Its staged files are deleted afterwards, stored or not (the store keeps its own
        de-identified copies; a new judgement stages them again from the scene), and so is their folder once empty."""
        try:
            return self._add(record)
        finally:
            staged = [Path(path) for path in (record.imageFile, record.modelOutputFile, record.correctionFile) if path]
            for path in staged:
                path.unlink(missing_ok=True)
            for folder in {path.parent for path in staged}:
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()

    def _add(self, record: FeedbackRecord) -> str:
        from reinforcedvl.feedback.records import FeedbackSubmission
        from reinforcedvl.spatial.prompts import SpatialPrompts

        stored = self.store.add(
            FeedbackSubmission.from_files(
                record.action,
                record.imageFile,
                record.prompt,
                record.modelId,
                record.modelVersion,
                model_mask_file=record.modelOutputFile,
                corrected_mask_file=record.correctionFile,
                rating=record.rating,
                comment=record.comment,
                annotator=self.annotator,
                modality=record.modality,
                patient=record.patientReference,
                spatial_prompts=SpatialPrompts.from_dict(record.spatialPrompts) if record.spatialPrompts else None,
            )
        )
        return stored.record_id


def _loginName() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the password database
        return "unknown"
