"""Where a feedback store keeps its parts: one folder holding the database, the patient-key secret and one folder
of files per record. Only names live here (no heavy import), so 3D Slicer's process can use it.

::

    <store>/feedback.sqlite3        records and their files (SQLite, WAL mode; -wal and -shm beside it)
    <store>/secret/patient-key      32 random bytes keying the patient hash (mode 0600; never exported)
    <store>/records/<id>/           image-0.nrrd [image-1.nrrd ...], model-mask.nrrd, final-mask.nrrd
    <store>/records/<id>.writing    present only while record <id> is being written or deleted
"""

from __future__ import annotations

from pathlib import Path

from ..model_store.registry import user_home

__all__ = [
    "DATABASE_FILE",
    "RECORDS_FOLDER",
    "SECRET_FILE",
    "LOCK_SUFFIX",
    "PARTIAL_SUFFIX",
    "default_store_folder",
    "image_file_name",
    "MODEL_MASK_FILE",
    "FINAL_MASK_FILE",
    "SPATIAL_PROMPTS_FILE",
]

DATABASE_FILE = "feedback.sqlite3"
RECORDS_FOLDER = "records"
SECRET_FILE = Path("secret") / "patient-key"
# records/<id>.writing is locked by the process writing or deleting record <id>; see durable_files.RecordLock.
LOCK_SUFFIX = ".writing"
# A file being written carries this suffix until it is complete, flushed to disk and renamed.
PARTIAL_SUFFIX = ".partial"
MODEL_MASK_FILE = "model-mask.nrrd"
FINAL_MASK_FILE = "final-mask.nrrd"
SPATIAL_PROMPTS_FILE = "spatial-prompts.json"
"""The points and box (RAS mm) the model was asked with, when it was: role ``spatial_prompts``."""


def default_store_folder() -> Path:
    """``~/.reinforcedvl/feedback`` (``$REINFORCEDVL_HOME/feedback``): the store the CLI and Slicer share."""
    return user_home() / "feedback"


def image_file_name(channel: int) -> str:
    """``image-0.nrrd``: the de-identified copy of one image channel."""
    return f"image-{channel}.nrrd"
