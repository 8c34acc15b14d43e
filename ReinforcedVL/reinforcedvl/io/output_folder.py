"""The output folder a command writes into: checked before any work, filled all at once or not at all.

:func:`check_output_folder` runs before anything heavy (reading the model, segmenting) so that a file in the way or
a folder without write permission is reported at once. :func:`staged_output` gives the command a staging folder
inside the output folder; when the command succeeds its entries are moved into place (the file named ``last``
after the others, so that its presence means "complete"), and when it fails the staging folder and any folder made
for it are removed. A run that was killed leaves only a hidden staging folder, which the next run into the same
folder removes; it never blocks a rerun.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputFolderError

__all__ = ["STAGING_PREFIX", "check_output_folder", "staged_output"]

STAGING_PREFIX = ".reinforcedvl-staging-"
"""Hidden folder names under the output folder that hold a run's files until they are complete."""


def check_output_folder(out_dir: str | Path, *, keep: bool = False) -> None:
    """Raise :class:`OutputFolderError` unless ``out_dir`` is, or can be made, a folder this process can write in.

    The check writes and removes a probe file (permissions alone do not tell: a read-only file system, or access
    rules, refuse what the mode bits allow); a folder made for the check is removed again unless ``keep`` (for
    processes that share the folder and must not remove it under each other).
    """
    out_dir = Path(out_dir)
    existing = _nearest_existing(out_dir)
    if not existing.is_dir():
        where = "is a file" if existing == out_dir else f"is a file, so {out_dir} cannot be created under it"
        raise OutputFolderError(f"--out {out_dir}: {existing} {where}. Choose a folder path for the results.")
    created = _make_folders(out_dir)
    try:
        handle, probe = tempfile.mkstemp(prefix=".reinforcedvl-probe-", dir=out_dir)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise OutputFolderError(
            f"--out {out_dir}: cannot write there ({error.strerror or error}). Choose a folder you can write to, "
            "or change its permissions."
        ) from None
    finally:
        if not keep:
            _remove_empty(created)


@contextmanager
def staged_output(out_dir: str | Path, *, last: str | None = None, replaces: tuple[str, ...] = ()) -> Iterator[Path]:
    """A staging folder inside ``out_dir`` whose entries replace those of ``out_dir`` when the block succeeds.

    Args:
        out_dir: the output folder (made if needed; removed again on failure when it was made here).
        last: the entry moved in after all others (``result.json``), so that its presence means every file is there.
        replaces: entries of ``out_dir`` that belong to the result being replaced and go with it (an earlier run's
            finding folders and report), removed only when the block succeeds.

    Yields:
        The staging folder: write the run's files and folders into it, with the names they take in ``out_dir``.

    Raises:
        OutputFolderError: ``out_dir`` cannot be made or written.
    """
    out_dir = Path(out_dir)
    check_output_folder(out_dir)
    created = _make_folders(out_dir)
    _remove_abandoned_staging(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out_dir))
    try:
        yield staging
        entries = sorted(staging.iterdir(), key=lambda entry: entry.name == last)
        replaced = staging / ".replaced"
        replaced.mkdir()
        new_names = {entry.name for entry in entries}
        for name in replaces:
            if name not in new_names and _plain_name(name) and (out_dir / name).exists():
                os.replace(out_dir / name, replaced / name)
        for entry in entries:
            target = out_dir / entry.name
            if target.exists() or target.is_symlink():  # a folder, or something of another kind, in the way
                os.replace(target, replaced / entry.name)
            os.replace(entry, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(created)
        raise
    shutil.rmtree(staging, ignore_errors=True)


def _plain_name(name: str) -> bool:
    """A name of an entry directly inside a folder: not empty, not ``.`` or ``..``, no separator, not ours."""
    return (
        name not in ("", ".", "..")
        and "/" not in name
        and os.sep not in name
        and not name.startswith((STAGING_PREFIX, ".reinforcedvl-probe-"))
    )


def _nearest_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (as anything)."""
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return Path(".")


def _make_folders(out_dir: Path) -> list[Path]:
    """Make ``out_dir`` and missing parents; returns those made, deepest first."""
    missing = [folder for folder in (out_dir, *out_dir.parents) if not folder.exists()]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputFolderError(
            f"--out {out_dir}: the folder cannot be made ({error.strerror or error}). Choose a folder path you can "
            "write to."
        ) from None
    return missing


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a run made, deepest first, where they are still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _remove_abandoned_staging(out_dir: Path) -> None:
    """Remove staging folders left by runs that were killed (their process no longer exists)."""
    for entry in out_dir.glob(f"{STAGING_PREFIX}*"):
        pid_text = entry.name[len(STAGING_PREFIX) :].split("-", 1)[0]
        if entry.is_dir() and pid_text.isdigit() and not _process_exists(int(pid_text)):
            shutil.rmtree(entry, ignore_errors=True)


def _process_exists(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
