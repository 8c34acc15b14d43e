"""The store where Windows would run it: no ``fcntl`` module, no ``os.O_DIRECTORY``, folders that cannot be opened.

The feedback modules are imported afresh under those conditions; records are written and read back whole, the record
lock still keeps a second process out (and is freed when that process is killed), and a write that fails leaves no
staged file behind."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from feedback_helpers import shifted

ENGINE = Path(__file__).resolve().parents[3] / "ReinforcedVL"

# A second process taking (or probing) a record lock with fcntl unavailable, as on Windows.
_HOLDER = textwrap.dedent(
    """
    import sys
    sys.modules["fcntl"] = None
    from pathlib import Path
    from reinforcedvl.feedback.durable_files import RecordLock
    lock = RecordLock(Path(sys.argv[1]))
    print("held" if lock.acquire(create=sys.argv[2] == "create") else "refused", flush=True)
    sys.stdin.read()  # hold until killed (or stdin closes)
    """
)


@pytest.fixture
def windows_like(monkeypatch):
    """Fresh ``reinforcedvl.feedback`` modules imported without fcntl and O_DIRECTORY, where ``os.open`` refuses
    folders as Windows does; yields the fresh modules (store, records, durable_files)."""
    monkeypatch.setitem(sys.modules, "fcntl", None)
    monkeypatch.delattr(os, "O_DIRECTORY")
    real_open = os.open

    def open_like_windows(path, flags, *args, **kwargs):
        if os.path.isdir(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_like_windows)
    monkeypatch.setattr(shutil, "_use_fd_functions", False)  # rmtree by path, as on Windows
    for name in [name for name in sys.modules if name.startswith("reinforcedvl.feedback")]:
        monkeypatch.delitem(sys.modules, name)
    modules = [
        importlib.import_module(f"reinforcedvl.feedback.{name}") for name in ("store", "records", "durable_files")
    ]
    return tuple(modules)


def _holder(lock_path: Path, mode: str) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ENGINE), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(lock_path), mode],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=environment,
    )  # fmt: skip
    process.answer = process.stdout.readline().strip()
    return process


def test_the_store_works_without_fcntl_and_the_lock_excludes_a_second_process(windows_like, nodule, tmp_path):
    store_module, records, durable_files = windows_like
    assert "fcntl" not in vars(durable_files)
    image, reference = nodule
    submission = records.FeedbackSubmission(
        records.FeedbackAction.CORRECTION, image, "solid lung nodule", "m", "1",
        model_mask=shifted(reference, 2), corrected_mask=reference, rating=3, patient="p1",
    )  # fmt: skip
    store = store_module.FeedbackStore(tmp_path / "store")
    record = store.add(submission)
    np.testing.assert_array_equal(store.read_mask(record, "final_mask").array, reference.array)
    np.testing.assert_array_equal(store.read_image(record).array, image.array)
    assert store.check().consistent and [r.record_id for r in store.records()] == [record.record_id]

    # A second process is writing record X (it holds X's lock, X's folder has half a file).
    writing = "c" * 32
    lock_path = store.records_folder / f"{writing}.writing"
    holder = _holder(lock_path, "create")
    try:
        assert holder.answer == "held"
        (store.records_folder / writing).mkdir()
        (store.records_folder / writing / "image-0.partial.nrrd").write_bytes(b"half")
        here = durable_files.RecordLock(lock_path)
        assert not here.acquire(create=False) and not here.acquire(create=True) and here.held_elsewhere()
        assert _holder(lock_path, "probe").answer == "refused"  # nor can a third process take it
        reopened = store_module.FeedbackStore(store.folder)
        assert reopened.rolled_back == () and (store.records_folder / writing).is_dir()
        assert reopened.check().in_progress == (writing,) and reopened.check().consistent
    finally:
        holder.kill()
        holder.wait()
    # Killed: the system freed its lock, and opening the store rolls its write back.
    assert not durable_files.RecordLock(lock_path).held_elsewhere()
    reopened = store_module.FeedbackStore(store.folder)
    assert reopened.rolled_back == (writing,)
    assert sorted(p.name for p in store.records_folder.iterdir()) == [record.record_id]
    deleted = reopened.delete(record.record_id)  # read-only files are removed too
    assert deleted.record_id == record.record_id and list(store.records_folder.iterdir()) == []


def test_a_write_that_fails_leaves_no_temporary_file(windows_like, tmp_path):
    _, _, durable_files = windows_like
    target = tmp_path / "image-0.nrrd"

    def half_write(path: Path) -> None:
        path.write_bytes(b"half a volume")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        durable_files.write_durably(target, half_write)
    assert list(tmp_path.iterdir()) == []
    assert durable_files.write_durably(target, lambda path: path.write_bytes(b"whole")).read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["image-0.nrrd"]
