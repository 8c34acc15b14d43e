"""The feedback store: judgements of the model's answers kept as de-identified training material, never lost.

A record is written files first, database row last. Each file is written under a temporary name, flushed to disk and
renamed; then the row and the rows of its files go in in one transaction. The writer holds a lock on the record
(:class:`~reinforcedvl.feedback.durable_files.RecordLock`) from before its folder exists until after the commit. A
writer killed at any point therefore leaves either the complete record or a folder without a row whose lock is
free: opening the store removes such folders (as SQLite rolls back an interrupted transaction), so readers only
ever see whole records. Several processes may add records at once.

Example:
    >>> store = FeedbackStore("~/.reinforcedvl/feedback")  # doctest: +SKIP
    >>> record = store.add(FeedbackSubmission(FeedbackAction.CORRECTION, volume, "solid lung nodule",
    ...                                       "reinforcedvl-starter", "1.0", model_mask=lesions,
    ...                                       corrected_mask=edited, rating=3))  # doctest: +SKIP
    >>> record.dice, record.description  # doctest: +SKIP
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..description import modality_of
from ..errors import UnsupportedVolumeError
from ..evaluation.overlap import dice
from ..io import read_image, read_label_map, write_volume
from ..io.file_hash import file_sha256
from ..plain_text import check_plain_text
from ..prompts import normalize_prompt
from ..spatial.prompts import SpatialPrompts
from ..volume import LabelMap, ScalarVolume, check_same_grid
from . import database
from .consistency import StoreCheck, check_store, roll_back_interrupted_writes
from .database import FeedbackStoreError
from .deidentification import (
    deidentified_image,
    deidentified_mask,
    dicom_patient_id,
    patient_key,
    read_or_create_secret,
    secret_problem,
    voxel_reference,
)
from .durable_files import RecordLock, remove_tree, sync_folder, write_durably
from .layout import (
    DATABASE_FILE,
    FINAL_MASK_FILE,
    LOCK_SUFFIX,
    MODEL_MASK_FILE,
    RECORDS_FOLDER,
    SECRET_FILE,
    SPATIAL_PROMPTS_FILE,
    default_store_folder,
    image_file_name,
)
from .records import MAX_RATING, FeedbackAction, FeedbackSubmission, StoredFeedback, StoredFile

__all__ = ["FeedbackStore"]

_MIN_ID_PREFIX = 6


class FeedbackStore:
    """A folder of feedback records (layout in :mod:`reinforcedvl.feedback.layout`).

    Opening it creates it if needed and rolls back writes that were interrupted (their ids are in
    ``rolled_back``).

    Example:
        >>> store = FeedbackStore(tmp_path / "feedback")  # doctest: +SKIP
        >>> [(r.record_id[:8], r.action.value, r.dice) for r in store.records()]  # doctest: +SKIP
        [('3f2a9c1e', 'correct', 0.8)]
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        """Open (or create) the store in ``folder``; None: :func:`default_store_folder`.

        Raises:
            FeedbackStoreError: ``folder`` is a file or cannot be made, or the database is damaged.
        """
        self.folder = Path(folder).expanduser() if folder is not None else default_store_folder()
        _make_store_folder(self.folder)
        with database.connect(self.database_path) as connection:
            self.rolled_back = roll_back_interrupted_writes(self.records_folder, connection)

    @property
    def database_path(self) -> Path:
        return self.folder / DATABASE_FILE

    @property
    def records_folder(self) -> Path:
        return self.folder / RECORDS_FOLDER

    def add(self, submission: FeedbackSubmission) -> StoredFeedback:
        """Store a judgement; returns the record once it is on disk and committed (never before).

        Raises:
            FeedbackStoreError: a rating outside 1-5, a correction without a corrected mask, a comment, annotator
                or model name holding control characters, or a damaged store.
            UnsupportedVolumeError: the image holds NaN or infinite values.
            ValueError: a modality other than CT or MR.
            GridMismatchError: a mask is not on the image's grid.
            PromptError: an empty or unreadable prompt.
        """
        _check_submission(submission)
        prompt = normalize_prompt(submission.prompt)
        with database.connect(self.database_path) as connection:
            store_has_records = database.has_records(connection)
        secret = read_or_create_secret(self.folder / SECRET_FILE, store_has_records=store_has_records)
        modality = modality_of(submission.image, submission.modality)
        image = deidentified_image(submission.image)
        final = submission.final_mask
        identifier = submission.patient or dicom_patient_id(submission.image) or voxel_reference(image)
        record = StoredFeedback(
            record_id="",
            created_at=datetime.now(timezone.utc).isoformat(timespec="microseconds"),
            action=submission.action,
            rating=submission.rating,
            comment=submission.comment.strip(),
            annotator=submission.annotator.strip(),
            prompt=prompt,
            model_id=submission.model_id,
            model_version=submission.model_version,
            modality=modality,
            patient_key=patient_key(secret, identifier),
            final_present=None if final is None else bool(final.array.any()),
            labels=() if final is None else tuple(int(v) for v in final.labels),
            dice=_dice(submission.model_mask, final),
            description=_description(image, final, prompt, modality),
        )
        files: dict[str, tuple[str, ScalarVolume | LabelMap]] = {
            f"image:{c}": (image_file_name(c), image.channel(c)) for c in range(image.num_channels)
        }
        for role, name, mask in (
            ("model_mask", MODEL_MASK_FILE, submission.model_mask),
            ("final_mask", FINAL_MASK_FILE, final),
        ):
            if mask is not None:
                files[role] = (name, deidentified_mask(mask))
        if submission.spatial_prompts:
            files[SPATIAL_PROMPTS_ROLE] = (SPATIAL_PROMPTS_FILE, submission.spatial_prompts.to_dict())
        return self._write(record, files)

    def read_spatial_prompts(self, record: StoredFeedback) -> SpatialPrompts | None:
        """The points and box the record's answer was asked with, None when it was asked with words alone."""
        path = record.path_of(self.folder, SPATIAL_PROMPTS_ROLE)
        return None if path is None else SpatialPrompts.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def records(self) -> list[StoredFeedback]:
        """Every record, oldest first."""
        with database.connect(self.database_path) as connection:
            return database.select_records(connection)

    def get(self, record_id: str) -> StoredFeedback:
        """The record whose id is or starts with ``record_id`` (at least six digits).

        Raises:
            FeedbackStoreError: no record, or several, match.
        """
        record_id = record_id.strip().lower()
        with database.connect(self.database_path) as connection:
            exact = database.select_records(connection, record_id)
            if exact:
                return exact[0]
            matches = [r for r in database.select_records(connection) if r.record_id.startswith(record_id)]
        if len(record_id) >= _MIN_ID_PREFIX and len(matches) == 1:
            return matches[0]
        what = f"{len(matches)} records start with" if len(matches) > 1 else "No feedback record has the id"
        raise FeedbackStoreError(
            f"{what} {record_id!r} in {self.folder}. 'reinforcedvl feedback list' shows the ids; give the whole id "
            f"or its first {_MIN_ID_PREFIX} or more digits."
        )

    def delete(self, record_id: str) -> StoredFeedback:
        """Delete a record: its row, then its files. Interrupted, it finishes when the store is next opened.

        Raises:
            FeedbackStoreError: no such record, or it is being written or deleted right now.
        """
        record = self.get(record_id)
        lock = RecordLock(self.records_folder / f"{record.record_id}{LOCK_SUFFIX}")
        if not lock.acquire(create=True):
            raise FeedbackStoreError(f"Record {record.record_id} is being written or deleted; try again in a moment.")
        try:
            with database.connect(self.database_path) as connection:
                database.delete_row(connection, record.record_id)
            remove_tree(self.records_folder / record.record_id)
            sync_folder(self.records_folder)
        finally:
            lock.release()
        return record

    def check(self) -> StoreCheck:
        """SQLite's integrity check of the database and the secret key's soundness; then every row has its files,
        with the SHA-256 they were stored with, and every file has its row."""
        with database.connect(self.database_path) as connection:
            problems = database.integrity_problems(connection)
            records = [] if problems else database.select_records(connection)
        secret = secret_problem(self.folder / SECRET_FILE, store_has_records=bool(records or problems))
        if problems:
            return StoreCheck(0, 0, (), (), (), (), database_problems=tuple(problems), secret_problem=secret)
        return check_store(self.folder, self.records_folder, records, secret_problem=secret)

    def read_image(self, record: StoredFeedback) -> ScalarVolume:
        """The record's de-identified image, every channel."""
        return read_image([self.folder / stored.path for stored in record.image_files])

    def read_mask(self, record: StoredFeedback, role: str) -> LabelMap | None:
        """The record's ``model_mask`` or ``final_mask``, None when it has none."""
        path = record.path_of(self.folder, role)
        return None if path is None else read_label_map(path)

    def _write(
        self, record: StoredFeedback, volumes: dict[str, tuple[str, ScalarVolume | LabelMap | dict]]
    ) -> StoredFeedback:
        """Files first (each durably), then the row, all under the record's lock; see the module docstring.

        Args:
            record: the record without its id and files.
            volumes: role -> (file name, volume) of every file to write (a dictionary is written as JSON).
        """
        lock, record_id = self._new_record_lock()
        folder = self.records_folder / record_id
        try:
            folder.mkdir()
            sync_folder(self.records_folder)
            files = []
            for role, (name, volume) in volumes.items():
                path = write_durably(folder / name, lambda target, volume=volume: _write_file(volume, target))
                path.chmod(0o444)  # read-only: exports hard-link these files, and nobody is to edit them there
                relative = path.relative_to(self.folder).as_posix()
                files.append(StoredFile(role, relative, file_sha256(path), path.stat().st_size))
            stored = replace(record, record_id=record_id, files=tuple(files))
            with database.connect(self.database_path) as connection:
                database.insert_record(connection, stored)
        except BaseException:
            remove_tree(folder)
            raise
        finally:
            lock.release()
        return stored

    def _new_record_lock(self) -> tuple[RecordLock, str]:
        """A fresh record id and its lock, held."""
        while True:
            record_id = uuid.uuid4().hex
            lock = RecordLock(self.records_folder / f"{record_id}{LOCK_SUFFIX}")
            if lock.acquire(create=True):
                return lock, record_id


def _make_store_folder(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise FeedbackStoreError(
            f"The feedback store {folder} is a file, not a folder. Give the store's folder (--store DIR), or a new "
            "folder's name to start a store there."
        )
    try:
        (folder / RECORDS_FOLDER).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FeedbackStoreError(
            f"The feedback store folder {folder} cannot be used ({error.strerror or error}). Choose a folder you can "
            "write (--store DIR), on a local disk."
        ) from None


SPATIAL_PROMPTS_ROLE = "spatial_prompts"


def _write_file(content: ScalarVolume | LabelMap | dict, target: Path) -> None:
    if isinstance(content, dict):
        target.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    else:
        write_volume(content, target)


def _check_submission(submission: FeedbackSubmission) -> None:
    texts = (
        ("The comment", submission.comment, "\n\t"),
        ("The annotator name", submission.annotator, ""),
        ("The model id", submission.model_id, ""),
        ("The model version", submission.model_version, ""),
    )
    for what, text, allowed in texts:
        if not isinstance(text, str):
            raise FeedbackStoreError(f"{what} must be text, got {type(text).__name__}.")
        try:
            check_plain_text(text, what, allowed=allowed)
        except ValueError as error:
            raise FeedbackStoreError(str(error)) from None
    not_finite = int(np.size(submission.image.array) - np.count_nonzero(np.isfinite(submission.image.array)))
    if not_finite:
        raise UnsupportedVolumeError(
            f"The image holds {not_finite} of {submission.image.array.size} voxel values that are not numbers (NaN) "
            "or infinite, so it cannot be training material and is not stored. Check the image file (a failed "
            "conversion or a damaged file), load it again, and judge the answer on the readable image."
        )
    if submission.rating is not None and not 1 <= submission.rating <= MAX_RATING:
        raise FeedbackStoreError(f"A rating goes from 1 (useless) to {MAX_RATING} (perfect), got {submission.rating}.")
    if submission.action is FeedbackAction.CORRECTION and submission.corrected_mask is None:
        raise FeedbackStoreError(
            "A correction needs the corrected mask (corrected_mask; --corrected-mask FILE on the command line): "
            "draw or edit the lesion, then save it. To say the answer is wrong without drawing, reject it."
        )
    masks = [m for m in (submission.model_mask, submission.final_mask) if m is not None]
    if masks:
        check_same_grid([submission.image, *masks], "image and feedback masks")


def _dice(model_mask: LabelMap | None, final: LabelMap | None) -> float | None:
    """Dice of the model's mask against the final one (1.0 when both are empty)."""
    if model_mask is None or final is None:
        return None
    return round(dice(model_mask.array[0] > 0, final.array[0] > 0), 6)


def _description(image: ScalarVolume, final: LabelMap | None, prompt: str, modality: str) -> str:
    """The findings sentences of the grounded report on the final mask ('' without one)."""
    if final is None:
        return ""
    from ..report import build_report, finding_from_mask

    report = build_report(image, [finding_from_mask(final, prompt)], "en", modality=modality)
    return "\n".join(sentence.text for sentence in report.section("findings"))
