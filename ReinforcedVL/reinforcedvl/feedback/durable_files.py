"""Files that are either complete on disk or absent: written under a temporary name, flushed, renamed, and the
folder flushed; and the lock a writer holds on a record until its database row is committed."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from ..io.file_hash import file_sha256
from .layout import PARTIAL_SUFFIX

__all__ = ["write_durably", "sync_folder", "file_sha256", "partial_name", "RecordLock"]


def partial_name(path: Path) -> Path:
    """``image-0.partial.nrrd`` for ``image-0.nrrd``: the name a file has while it is written (suffix kept, so
    writers that choose the format by suffix still do)."""
    suffixes = "".join(path.suffixes)
    return path.with_name(path.name.removesuffix(suffixes) + PARTIAL_SUFFIX + suffixes)


def write_durably(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary_path)``, flush the file to disk, rename it to ``path`` and flush the folder.

    A crash at any moment leaves either nothing at ``path`` or the complete file (at worst a ``*.partial*`` file
    beside it, which the store removes with the interrupted write it belongs to).
    """
    temporary = partial_name(path)
    write(temporary)
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    sync_folder(path.parent)
    return path


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (new, renamed or removed names) to disk."""
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class RecordLock:
    """The exclusive ``flock`` on ``records/<id>.writing``, held by whoever writes or deletes that record.

    The kernel releases it when the holder exits, killed or not. So a record folder without a database row whose
    lock can be taken was left by an interrupted write (or delete), and may be removed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._descriptor: int | None = None

    def acquire(self, *, create: bool) -> bool:
        """Take the lock without waiting. With ``create`` the lock file must not exist yet (a writer starting a new
        record); without it, it must exist (a sweeper or a deleter finding out whether its holder is alive).

        Returns False when someone else holds it, or the file is missing (``create`` False) or already there
        (``create`` True).
        """
        flags = os.O_RDWR | (os.O_CREAT | os.O_EXCL if create else 0)
        try:
            descriptor = os.open(self.path, flags, 0o600)
        except (FileNotFoundError, FileExistsError):
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # The file may have been removed (and made again) between open and flock: hold it only if it is still
            # the file at this path.
            if os.fstat(descriptor).st_ino != os.stat(self.path).st_ino:
                raise BlockingIOError
        except (BlockingIOError, FileNotFoundError):
            os.close(descriptor)
            return False
        self._descriptor = descriptor
        return True

    def held_elsewhere(self) -> bool:
        """Whether another process holds the lock now (the lock file is left as it is)."""
        try:
            descriptor = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(descriptor)
        return False

    def release(self) -> None:
        """Delete the lock file, then let go of the lock."""
        if self._descriptor is None:
            return
        self.path.unlink(missing_ok=True)
        os.close(self._descriptor)
        self._descriptor = None
