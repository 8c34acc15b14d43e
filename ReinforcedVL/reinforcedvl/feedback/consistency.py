"""Keeping the store whole: rolling back interrupted writes, and checking that rows and files match."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..io.file_hash import file_sha256
from ..plain_text import printable
from . import database
from .database import FeedbackStoreError, damaged_message
from .durable_files import RecordLock, remove_tree, sync_folder
from .layout import DATABASE_FILE, LOCK_SUFFIX
from .records import StoredFeedback

__all__ = ["StoreCheck", "roll_back_interrupted_writes", "check_store"]

_RECORD_ID = re.compile(r"[0-9a-f]{32}")
_PROBLEMS_SHOWN = 5


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
        database_problems: what SQLite's ``PRAGMA integrity_check`` found wrong with the database (then the files
            are not checked: which files belong to which record is not known for sure).
        secret_problem: what is wrong with the store's secret key, and what to do; None when it is sound.
    """

    records: int
    files: int
    missing: tuple[str, ...]
    damaged: tuple[str, ...]
    unrecorded: tuple[str, ...]
    in_progress: tuple[str, ...]
    database_problems: tuple[str, ...] = ()
    secret_problem: str | None = None

    @property
    def consistent(self) -> bool:
        return not (self.missing or self.damaged or self.unrecorded or self.store_damaged)

    @property
    def store_damaged(self) -> bool:
        """The database or the secret key is damaged: the store cannot be trusted until it is restored."""
        return bool(self.database_problems) or self.secret_problem is not None

    def summary_lines(self) -> list[str]:
        """The result in words, with what to do about each problem."""
        if self.database_problems:
            shown = self.database_problems[:_PROBLEMS_SHOWN]
            more = len(self.database_problems) - len(shown)
            lines = [
                f"The database {DATABASE_FILE} is damaged: SQLite's integrity check reports "
                f"{len(self.database_problems)} problem(s):",
                *(f"  {printable(problem)}" for problem in shown),
                *([f"  ... and {more} more"] if more else []),
                "Restore the store folder from a backup (feedback.sqlite3 with the feedback.sqlite3-wal file beside "
                "it, if any). The records' files were not checked.",
            ]
            if self.secret_problem:
                lines.append(self.secret_problem)
            return [*lines, "The store is NOT consistent."]
        lines = [f"{self.records} records, {self.files} files checked."]
        if self.secret_problem:
            lines.append(self.secret_problem)
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
                lines += [f"  {printable(path)}" for path in paths]
        if self.records == 0 and self.unrecorded:
            lines.append(
                f"The database holds no record, yet records/ holds files: if {DATABASE_FILE} was lost or replaced, "
                "restore it from a backup before anything else (its records' files are still here)."
            )
        lines.append("The store is consistent." if self.consistent else "The store is NOT consistent.")
        return lines


def roll_back_interrupted_writes(records_folder: Path, connection: sqlite3.Connection) -> tuple[str, ...]:
    """Remove what killed writers left: record folders without a row whose lock nobody holds, and stale locks.

    A folder is removed only after SQLite's integrity check finds the database sound (a damaged index could hide
    a committed row).

    Returns:
        The ids of the records whose files were removed.

    Raises:
        FeedbackStoreError: there is something to roll back, but the database is damaged (nothing is removed).
    """
    held: list[RecordLock] = []
    try:
        interrupted = []
        for lock_path in sorted(records_folder.glob(f"*{LOCK_SUFFIX}")):
            record_id = lock_path.name.removesuffix(LOCK_SUFFIX)
            lock = RecordLock(lock_path)
            if not _RECORD_ID.fullmatch(record_id) or not lock.acquire(create=False):
                continue
            held.append(lock)
            if not database.has_record(connection, record_id) and (records_folder / record_id).exists():
                interrupted.append(record_id)
        if interrupted and (problems := database.integrity_problems(connection)):
            raise FeedbackStoreError(damaged_message(records_folder.parent / DATABASE_FILE, problems[0]))
        for record_id in interrupted:
            remove_tree(records_folder / record_id)
    finally:
        for lock in held:
            lock.release()
    if interrupted:
        sync_folder(records_folder)
    return tuple(interrupted)


def check_store(
    store_folder: Path, records_folder: Path, records: list[StoredFeedback], *, secret_problem: str | None = None
) -> StoreCheck:
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
        secret_problem=secret_problem,
    )
