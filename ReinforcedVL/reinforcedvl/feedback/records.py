"""What a feedback record is: the judgement handed to the store, and the record the store gives back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from ..spatial.prompts import SpatialPrompts
from ..volume import LabelMap, ScalarVolume

__all__ = ["FeedbackAction", "FeedbackSubmission", "StoredFile", "StoredFeedback", "MAX_RATING"]

MAX_RATING = 5


class FeedbackAction(str, Enum):
    """The user's judgement of one answer: taken as it is, refused, or corrected by hand."""

    ACCEPT = "accept"
    REJECT = "reject"
    CORRECTION = "correct"


@dataclass(frozen=True, eq=False)
class FeedbackSubmission:
    """One judgement to store (see :meth:`reinforcedvl.feedback.FeedbackStore.add`).

    Attributes:
        action: accept, reject or correct.
        image: the study the model answered about, every channel; only its voxels and affine are kept.
        prompt: the finding description the model answered.
        model_id, model_version: the model that answered.
        model_mask: the model's lesion label map on the image's grid (empty when it answered "not present"); None
            when it is no longer available.
        corrected_mask: the user's label map on the image's grid; required for a correction, ignored otherwise.
        rating: 1 (useless) to 5 (perfect), or None.
        comment: free text from the user.
        annotator: who judged (a login or a pseudonym chosen by the site).
        modality: ``"CT"`` or ``"MR"``; None detects it from the intensities.
        patient: the patient's identifier (DICOM Patient ID, or any stable reference). It is only ever hashed with
            the store's secret key; None takes a hash of the voxels (then different series of one patient get
            different keys).
        spatial_prompts: the points and box the model was asked with (RAS mm), kept with the record so the labels
            can train point prompts; None when it was asked with the description alone.

    Example:
        >>> submission = FeedbackSubmission(FeedbackAction.ACCEPT, volume, "solid lung nodule", "starter", "1.0",
        ...                                 model_mask=lesions, annotator="reader1")  # doctest: +SKIP
    """

    action: FeedbackAction
    image: ScalarVolume
    prompt: str
    model_id: str
    model_version: str
    model_mask: LabelMap | None = None
    corrected_mask: LabelMap | None = None
    rating: int | None = None
    comment: str = ""
    annotator: str = ""
    modality: str | None = None
    patient: str | None = None
    spatial_prompts: SpatialPrompts | None = None

    @classmethod
    def from_files(
        cls,
        action: FeedbackAction,
        images: str | Path | list[str | Path],
        prompt: str,
        model_id: str,
        model_version: str,
        *,
        model_mask_file: str | Path | None = None,
        corrected_mask_file: str | Path | None = None,
        **details: Any,
    ) -> FeedbackSubmission:
        """The submission whose image and masks are read from files (``details``: rating, comment, annotator,
        modality, patient).

        Raises:
            InputFileError, UnsupportedVolumeError: a file is missing or unreadable.
        """
        from ..io import read_image, read_label_map

        return cls(
            action=action,
            image=read_image(images),
            prompt=prompt,
            model_id=model_id,
            model_version=model_version,
            model_mask=read_label_map(model_mask_file) if model_mask_file else None,
            corrected_mask=read_label_map(corrected_mask_file) if corrected_mask_file else None,
            **details,
        )

    @property
    def final_mask(self) -> LabelMap | None:
        """The mask the user stands behind: the model's when accepted, the user's when corrected, none when
        rejected."""
        if self.action is FeedbackAction.CORRECTION:
            return self.corrected_mask
        if self.action is FeedbackAction.ACCEPT:
            return self.model_mask
        return None


@dataclass(frozen=True)
class StoredFile:
    """One file of a record: ``role`` (``image:0``, ``model_mask``, ``final_mask``), its path relative to the store
    folder, its SHA-256 and size (checked by :meth:`~reinforcedvl.feedback.FeedbackStore.check`)."""

    role: str
    path: str
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class StoredFeedback:
    """A record as the store keeps it.

    Attributes:
        record_id: the record's id (32 hexadecimal digits).
        created_at: ISO 8601 UTC time of storing.
        action, rating, comment, annotator, prompt, model_id, model_version: as submitted (prompt normalised).
        modality: ``"CT"`` or ``"MR"``.
        patient_key: keyed hash of the patient identifier (see :mod:`reinforcedvl.feedback.deidentification`).
        final_present: whether the final mask holds a lesion; None without a final mask (rejected).
        labels: the label values of the final mask.
        dice: Dice of the model's mask against the final mask (MONAI); None when either is missing.
        description: the report sentences generated from the final mask ("Lesion 1 (yellow): ...").
        files: the record's files.
    """

    record_id: str
    created_at: str
    action: FeedbackAction
    rating: int | None
    comment: str
    annotator: str
    prompt: str
    model_id: str
    model_version: str
    modality: str
    patient_key: str
    final_present: bool | None
    labels: tuple[int, ...]
    dice: float | None
    description: str
    files: tuple[StoredFile, ...] = field(default_factory=tuple)

    def file(self, role: str) -> StoredFile | None:
        """The file with ``role``, or None."""
        return next((stored for stored in self.files if stored.role == role), None)

    @property
    def image_files(self) -> tuple[StoredFile, ...]:
        """The image channels in order."""
        images = [f for f in self.files if f.role.startswith("image:")]
        return tuple(sorted(images, key=lambda f: int(f.role.removeprefix("image:"))))

    def path_of(self, store_folder: Path, role: str) -> Path | None:
        """The absolute path of the file with ``role``, or None."""
        stored = self.file(role)
        return None if stored is None else store_folder / stored.path

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready values (``feedback show``)."""
        return {
            "id": self.record_id,
            "created_at": self.created_at,
            "action": self.action.value,
            "rating": self.rating,
            "comment": self.comment,
            "annotator": self.annotator,
            "prompt": self.prompt,
            "model": {"id": self.model_id, "version": self.model_version},
            "modality": self.modality,
            "patient_key": self.patient_key,
            "final_present": self.final_present,
            "labels": list(self.labels),
            "dice": self.dice,
            "description": self.description,
            "files": [
                {"role": f.role, "path": f.path, "sha256": f.sha256, "size_bytes": f.size_bytes} for f in self.files
            ],
        }
