"""Files that are either complete on disk or absent: written under a temporary name, flushed, renamed, and the
folder flushed; and the lock a writer holds on a record until its database row is committed.

Everything here works alike on Linux, macOS and Windows: the record lock is an operating-system file lock taken
through SQLite (which locks files on every platform and whose locks the system drops when their holder dies), and
folders are flushed where the system can open a folder (POSIX; Windows cannot, and its file system journals names).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from ..io.file_hash import file_sha256
from .layout import PARTIAL_SUFFIX

__all__ = ["write_durably", "sync_folder", "file_sha256", "partial_name", "remove_tree", "RecordLock"]


def partial_name(path: Path) -> Path:
    """``image-0.partial.nrrd`` for ``image-0.nrrd``: the name a file has while it is written (suffix kept, so
    writers that choose the format by suffix still do)."""
    suffixes = "".join(path.suffixes)
    return path.with_name(path.name.removesuffix(suffixes) + PARTIAL_SUFFIX + suffixes)


def write_durably(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)``, flush the file to disk, rename it to ``path`` and flush the folder.

    A crash at any moment leaves either nothing at ``path`` or the complete file (at worst a ``*.partial*`` file
    beside it, which the store removes with the interrupted write it belongs to). A ``write`` that fails leaves no
    temporary file.
    """
    temporary = partial_name(path)
    try:
        write(temporary)
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
    return path


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (new, renamed or removed names) to disk; nothing to do where folders cannot be
    opened (Windows, where the file system journals its names itself)."""
    directory_flag = getattr(os, "O_DIRECTORY", None)
    try:
        descriptor = os.open(folder, os.O_RDONLY | (directory_flag or 0))
    except PermissionError:
        if directory_flag is None:  # Windows: a folder is not a file that can be opened
            return
        raise
    try:
        os.fsync(descriptor)
    except OSError:
        if directory_flag is not None:
            raise
    finally:
        os.close(descriptor)


def remove_tree(folder: Path) -> None:
    """Delete ``folder`` and everything in it, read-only files included (Windows refuses to delete those); nothing
    to do when it does not exist."""

    def make_writable_and_retry(function, path, error) -> None:  # noqa: ANN001
        if isinstance(error, FileNotFoundError):
            return
        os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
        function(path)

    if not os.path.lexists(folder):
        return
    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=make_writable_and_retry)
    else:
        shutil.rmtree(folder, onerror=lambda function, path, info: make_writable_and_retry(function, path, info[1]))


class RecordLock:
    """The exclusive lock on ``records/<id>.writing``, held by whoever writes or deletes that record.

    The lock is SQLite's exclusive lock on the (empty) lock file, taken without waiting: an ``fcntl`` lock on POSIX,
    ``LockFileEx`` on Windows. The system releases it when the holder exits, killed or not. So a record folder
    without a database row whose lock can be taken was left by an interrupted write (or delete), and may be removed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None

    def acquire(self, *, create: bool) -> bool:
        """Take the lock without waiting. With ``create`` the lock file must not exist yet (a writer starting a new
        record); without it, it must exist (a sweeper or a deleter finding out whether its holder is alive).

        Returns False when someone else holds it, or the file is missing (``create`` False) or already there
        (``create`` True).
        """
        try:
            if create:
                descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
                try:
                    identity = _file_identity(os.fstat(descriptor))
                finally:
                    os.close(descriptor)
            else:
                identity = _file_identity(os.stat(self.path))
        except (FileNotFoundError, FileExistsError):
            return False
        connection = _lock_file(self.path)
        if connection is None:
            return False
        # The file may have been removed (and made again) before it was locked: hold it only if it is still the
        # file at this path.
        try:
            same = _file_identity(os.stat(self.path)) == identity
        except FileNotFoundError:
            same = False
        if not same:
            connection.close()
            return False
        self._connection = connection
        return True

    def held_elsewhere(self) -> bool:
        """Whether another holder (process, or another lock object) holds the lock now (the file is left as it is)."""
        if not self.path.exists():
            return False
        connection = _lock_file(self.path)
        if connection is None:
            return self.path.exists()  # missing now: its holder released it; else it is held
        connection.close()
        return False

    def release(self) -> None:
        """Let go of the lock, then delete the lock file."""
        if self._connection is None:
            return
        self._connection.close()
        self._connection = None
        try:
            self.path.unlink(missing_ok=True)
        except PermissionError:
            # Windows: another process has the file open this instant, probing the lock. The lock is released; the
            # empty file is removed by the next opening of the store (roll_back_interrupted_writes).
            return


def _lock_file(path: Path) -> sqlite3.Connection | None:
    """A connection holding SQLite's exclusive lock on the existing file ``path``; None when another holds it or
    the file is gone. No journal is kept (the file stays empty; nothing is ever written to it)."""
    uri = Path(os.path.abspath(path)).as_uri() + "?mode=rw"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None, check_same_thread=False)
    except sqlite3.OperationalError:  # the file is gone
        return None
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("BEGIN EXCLUSIVE")
    except sqlite3.DatabaseError:  # locked by another holder, or removed meanwhile
        connection.close()
        return None
    return connection


def _file_identity(status: os.stat_result) -> tuple[int, int]:
    return status.st_dev, status.st_ino
