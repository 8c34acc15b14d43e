"""The store's SQLite database: WAL mode, full synchronisation, waits for other writers, one transaction per record.

Two tables: ``records`` (one row per judgement) and ``record_files`` (one row per file of a record, with its SHA-256).
Several processes may write at once: each write takes the database's write lock up front (``BEGIN IMMEDIATE``) and
waits up to :data:`BUSY_TIMEOUT_SECONDS` for it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from ..errors import ReinforcedVLError
from .records import FeedbackAction, StoredFeedback, StoredFile

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "FeedbackStoreError",
    "connect",
    "transaction",
    "insert_record",
    "select_records",
    "has_record",
    "delete_row",
    "has_records",
    "integrity_problems",
]

BUSY_TIMEOUT_SECONDS = 60.0
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('accept', 'reject', 'correct')),
    rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    annotator TEXT NOT NULL,
    prompt TEXT NOT NULL,
    model_id TEXT NOT NULL,
    model_version TEXT NOT NULL,
    modality TEXT NOT NULL CHECK (modality IN ('CT', 'MR')),
    patient_key TEXT NOT NULL,
    final_present INTEGER,
    labels TEXT NOT NULL,
    dice REAL,
    description TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS record_files (
    record_id TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    PRIMARY KEY (record_id, role)
);
CREATE INDEX IF NOT EXISTS records_by_time ON records (created_at);
"""
_COLUMNS = (
    "id, created_at, action, rating, comment, annotator, prompt, model_id, model_version, modality, patient_key, "
    "final_present, labels, dice, description"
)


class FeedbackStoreError(ReinforcedVLError):
    """The feedback store cannot be used as asked (unknown record, locked or damaged database)."""


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """An open connection to the store database at ``path``, created with its tables on first use.

    Raises:
        FeedbackStoreError: the database is damaged, or cannot be opened or used (the message says what to do).
    """
    try:
        with closing(_open(path)) as connection:
            yield connection
    except sqlite3.OperationalError as error:
        raise FeedbackStoreError(
            f"The feedback database {path} could not be used ({error}). If another program keeps it busy, close it "
            "and try again; if the disk is full or read-only, free space or choose a writable store folder."
        ) from None
    except sqlite3.DatabaseError as error:
        raise FeedbackStoreError(damaged_message(path, str(error))) from None


def damaged_message(path: Path, what: str) -> str:
    """What to say, and what to do, when SQLite finds the database damaged."""
    return (
        f"The feedback database {path} is damaged (SQLite: {what}). Nothing was changed. Restore the store folder "
        f"from a backup (feedback.sqlite3 with the {path.name}-wal file beside it, if any); 'reinforcedvl feedback "
        "check' reports what SQLite's integrity check finds."
    )


def integrity_problems(connection: sqlite3.Connection) -> list[str]:
    """What SQLite's full ``PRAGMA integrity_check`` finds wrong (an empty list for a sound database)."""
    try:
        lines = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        return [str(error)]
    return [] if lines == ["ok"] else [part for line in lines for part in line.splitlines() if part.strip()]


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: the write lock taken at the start, committed at the end or rolled back on error.

    Raises:
        FeedbackStoreError: another process held the write lock for longer than the busy timeout.
    """
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise FeedbackStoreError(
            f"The feedback database stayed busy for {BUSY_TIMEOUT_SECONDS:.0f} s ({error}): another program keeps "
            "it locked. Close other programs using the store (a database browser, a stuck ReinforcedVL) and try again."
        ) from None
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def insert_record(connection: sqlite3.Connection, record: StoredFeedback) -> None:
    """Insert a record and its files in one transaction."""
    with transaction(connection):
        connection.execute(
            f"INSERT INTO records ({_COLUMNS}) VALUES ({', '.join('?' * 15)})",
            (
                record.record_id,
                record.created_at,
                record.action.value,
                record.rating,
                record.comment,
                record.annotator,
                record.prompt,
                record.model_id,
                record.model_version,
                record.modality,
                record.patient_key,
                None if record.final_present is None else int(record.final_present),
                json.dumps(list(record.labels)),
                record.dice,
                record.description,
            ),
        )
        connection.executemany(
            "INSERT INTO record_files (record_id, role, path, sha256, size_bytes) VALUES (?, ?, ?, ?, ?)",
            [(record.record_id, f.role, f.path, f.sha256, f.size_bytes) for f in record.files],
        )


def select_records(connection: sqlite3.Connection, record_id: str | None = None) -> list[StoredFeedback]:
    """Every record, oldest first, or the one with ``record_id`` (an empty list when there is none)."""
    where, parameters = ("WHERE id = ?", (record_id,)) if record_id is not None else ("", ())
    rows = connection.execute(f"SELECT {_COLUMNS} FROM records {where} ORDER BY created_at, id", parameters).fetchall()
    files: dict[str, list[StoredFile]] = {}
    file_where = "WHERE record_id = ?" if record_id is not None else ""
    for owner, role, path, sha256, size in connection.execute(
        f"SELECT record_id, role, path, sha256, size_bytes FROM record_files {file_where} ORDER BY record_id, rowid",
        parameters,
    ):
        files.setdefault(owner, []).append(StoredFile(role, path, sha256, size))
    return [_record_from_row(row, tuple(files.get(row[0], ()))) for row in rows]


def has_record(connection: sqlite3.Connection, record_id: str) -> bool:
    """Whether a row with ``record_id`` is committed."""
    return connection.execute("SELECT 1 FROM records WHERE id = ?", (record_id,)).fetchone() is not None


def has_records(connection: sqlite3.Connection) -> bool:
    """Whether any record is committed."""
    return connection.execute("SELECT 1 FROM records LIMIT 1").fetchone() is not None


def delete_row(connection: sqlite3.Connection, record_id: str) -> bool:
    """Delete a record's rows (its files' rows go with it); False when there was none."""
    with transaction(connection):
        return connection.execute("DELETE FROM records WHERE id = ?", (record_id,)).rowcount > 0


def _record_from_row(row: tuple, files: tuple[StoredFile, ...]) -> StoredFeedback:
    (record_id, created_at, action, rating, comment, annotator, prompt, model_id, model_version, modality) = row[:10]
    patient_key, final_present, labels, dice, description = row[10:]
    return StoredFeedback(
        record_id=record_id,
        created_at=created_at,
        action=FeedbackAction(action),
        rating=rating,
        comment=comment,
        annotator=annotator,
        prompt=prompt,
        model_id=model_id,
        model_version=model_version,
        modality=modality,
        patient_key=patient_key,
        final_present=None if final_present is None else bool(final_present),
        labels=tuple(json.loads(labels)),
        dice=dice,
        description=description,
        files=files,
    )


def _open(path: Path) -> sqlite3.Connection:
    """Open (and on first use create) the database; WAL mode and the schema are set under the busy timeout, retried
    while another process holds the lock that switching the journal mode needs."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = FULL")
            if connection.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise FeedbackStoreError(
                    f"{path} cannot use SQLite's WAL mode (is it on a network drive?). Keep the feedback store on "
                    "a local disk."
                )
            _check_schema(connection, path)
            return connection
        except sqlite3.OperationalError as error:
            connection.close()
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise FeedbackStoreError(
                    f"The feedback database {path} could not be opened ({error}). If another program keeps it "
                    "busy, close it and try again; if the disk is full, free space."
                ) from None
            time.sleep(0.05)
        except BaseException:
            connection.close()
            raise


def _check_schema(connection: sqlite3.Connection, path: Path) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > _SCHEMA_VERSION:
        raise FeedbackStoreError(
            f"{path} was written by a newer ReinforcedVL (store format {version}, this one reads "
            f"{_SCHEMA_VERSION}). Update ReinforcedVL."
        )
    if version == _SCHEMA_VERSION:
        return
    with transaction(connection):
        _create_tables(connection)
        connection.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")


def _create_tables(connection: sqlite3.Connection) -> None:
    """The schema, statement by statement (``executescript`` would commit the open transaction)."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            connection.execute(statement)
