"""Keeping the store whole: rolling back interrupted writes, and checking that rows and files match."""

from __future__ import annotations

import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..io.file_hash import file_sha256
from . import database
from .durable_files import RecordLock, sync_folder
from .layout import LOCK_SUFFIX
from .records import StoredFeedback

__all__ = ["StoreCheck", "roll_back_interrupted_writes", "check_store"]

_RECORD_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class StoreCheck:
    """What :meth:`~reinforcedvl.feedback.FeedbackStore.check` found; paths relative to the store folder.

    Attributes:
        records: rows checked.
        files: files the rows name.
        missing: files a row names that are not on disk.
        damaged: files whose SHA-256 or size differs from what was stored.
        unrecorded: files under ``records/`` that no row names.
        in_progress: records being written or deleted by a running process (not judged).
    """

    records: int
    files: int
    missing: tuple[str, ...]
    damaged: tuple[str, ...]
    unrecorded: tuple[str, ...]
    in_progress: tuple[str, ...]

    @property
    def consistent(self) -> bool:
        return not (self.missing or self.damaged or self.unrecorded)

    def summary_lines(self) -> list[str]:
        """The result in words, with what to do about each problem."""
        lines = [f"{self.records} records, {self.files} files checked."]
        if self.in_progress:
            lines.append(f"{len(self.in_progress)} records are being written or deleted right now (not checked).")
        problems = (
            (self.missing, "file(s) named by a record are missing", "restore them from a backup, or delete the record"),
            (self.damaged, "file(s) differ from what was stored", "restore them from a backup, or delete the record"),
            (self.unrecorded, "file(s) belong to no record", "move them out of the store folder"),
        )
        for paths, what, action in problems:
            if paths:
                lines.append(f"{len(paths)} {what} ({action}):")
                lines += [f"  {path}" for path in paths]
        lines.append("The store is consistent." if self.consistent else "The store is NOT consistent.")
        return lines


def roll_back_interrupted_writes(records_folder: Path, connection: sqlite3.Connection) -> tuple[str, ...]:
    """Remove what killed writers left: record folders without a row whose lock nobody holds, and stale locks.

    Returns:
        The ids of the records whose files were removed.
    """
    rolled_back = []
    for lock_path in sorted(records_folder.glob(f"*{LOCK_SUFFIX}")):
        record_id = lock_path.name.removesuffix(LOCK_SUFFIX)
        lock = RecordLock(lock_path)
        if not _RECORD_ID.fullmatch(record_id) or not lock.acquire(create=False):
            continue
        try:
            folder = records_folder / record_id
            if not database.has_record(connection, record_id) and folder.exists():
                shutil.rmtree(folder)
                rolled_back.append(record_id)
        finally:
            lock.release()
    if rolled_back:
        sync_folder(records_folder)
    return tuple(rolled_back)


def check_store(store_folder: Path, records_folder: Path, records: list[StoredFeedback]) -> StoreCheck:
    """Compare the rows of ``records`` with the files under ``records_folder`` (see :class:`StoreCheck`)."""
    in_progress = {
        lock_path.name.removesuffix(LOCK_SUFFIX)
        for lock_path in records_folder.glob(f"*{LOCK_SUFFIX}")
        if RecordLock(lock_path).held_elsewhere()
    }
    named = {stored.path: stored for record in records for stored in record.files}
    missing, damaged = [], []
    for path, stored in sorted(named.items()):
        on_disk = store_folder / path
        if not on_disk.is_file():
            missing.append(path)
        elif on_disk.stat().st_size != stored.size_bytes or file_sha256(on_disk) != stored.sha256:
            damaged.append(path)
    unrecorded = []
    for on_disk in sorted(p for p in records_folder.rglob("*") if not p.is_dir()):
        relative = on_disk.relative_to(store_folder).as_posix()
        owner = on_disk.relative_to(records_folder).parts[0].removesuffix(LOCK_SUFFIX)
        if relative not in named and owner not in in_progress:
            unrecorded.append(relative)
    return StoreCheck(
        records=len(records),
        files=len(named),
        missing=tuple(missing),
        damaged=tuple(damaged),
        unrecorded=tuple(unrecorded),
        in_progress=tuple(sorted(in_progress)),
    )
