"""The output folder: refused at once when it cannot be written, filled all at once or left as it was."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reinforcedvl.errors import OutputFolderError
from reinforcedvl.io.output_folder import STAGING_PREFIX, check_output_folder, staged_output


def _a_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("the user's file\n")
    return path


UNWRITABLE = [
    # how to make the --out path, words the message must contain
    (lambda tmp: _a_file(tmp), "is a file"),
    (lambda tmp: _a_file(tmp) / "results", "is a file, so"),
    (lambda tmp: _a_file(tmp) / "deeper" / "results", "is a file, so"),
]


@pytest.mark.parametrize("make_path, message", UNWRITABLE)
def test_a_file_in_the_way_is_refused_and_left_alone(tmp_path, make_path, message):
    out = make_path(tmp_path)
    with pytest.raises(OutputFolderError, match=message):
        check_output_folder(out)
    assert (tmp_path / "notes.txt").read_text() == "the user's file\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; the file cases stand for it")
def test_a_read_only_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OutputFolderError, match="cannot write there"):
            check_output_folder(locked)
        with pytest.raises(OutputFolderError, match="cannot be made"):
            check_output_folder(locked / "new")
    finally:
        locked.chmod(0o700)


def test_a_read_only_file_system_is_refused():
    """/proc is read-only even for root: the probe file, not the mode bits, decides."""
    if not os.path.isdir("/proc/self"):
        pytest.skip("no /proc on this system")
    with pytest.raises(OutputFolderError):
        check_output_folder("/proc/self/reinforcedvl-results")


def test_the_check_leaves_no_trace(tmp_path):
    out = tmp_path / "a" / "b" / "results"
    check_output_folder(out)
    assert list(tmp_path.iterdir()) == []
    existing = tmp_path / "existing"
    existing.mkdir()
    check_output_folder(existing)
    assert list(existing.iterdir()) == []


def test_staged_files_appear_together_and_last_one_last(tmp_path):
    out = tmp_path / "out"
    with staged_output(out, last="result.json") as staging:
        (staging / "result.json").write_text("{}")
        (staging / "01-finding").mkdir()
        (staging / "01-finding" / "lesions.nrrd").write_text("x")
        assert not out.joinpath("result.json").exists() and not out.joinpath("01-finding").exists()
    assert sorted(p.name for p in out.iterdir()) == ["01-finding", "result.json"]
    assert (out / "01-finding" / "lesions.nrrd").read_text() == "x"


def test_a_failed_run_leaves_the_folder_as_it_found_it(tmp_path):
    out = tmp_path / "new" / "out"
    with pytest.raises(RuntimeError):
        with staged_output(out) as staging:
            (staging / "half.txt").write_text("half")
            raise RuntimeError("the run failed")
    assert not (tmp_path / "new").exists()
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "earlier.txt").write_text("earlier")
    with pytest.raises(RuntimeError):
        with staged_output(kept) as staging:
            (staging / "earlier.txt").write_text("replacement")
            raise RuntimeError("the run failed")
    assert [p.name for p in kept.iterdir()] == ["earlier.txt"] and (kept / "earlier.txt").read_text() == "earlier"


def test_folders_are_replaced_whole(tmp_path):
    out = tmp_path / "out"
    (out / "01-finding").mkdir(parents=True)
    (out / "01-finding" / "old-only.nrrd").write_text("old")
    with staged_output(out) as staging:
        (staging / "01-finding").mkdir()
        (staging / "01-finding" / "new.nrrd").write_text("new")
    assert [p.name for p in (out / "01-finding").iterdir()] == ["new.nrrd"]
    assert [p.name for p in out.iterdir()] == ["01-finding"]


def test_a_killed_run_leaves_only_a_staging_folder_that_the_next_run_removes(tmp_path):
    out = tmp_path / "out"
    script = (
        "import os, sys\n"
        "from reinforcedvl.io.output_folder import staged_output\n"
        f"with staged_output({str(out)!r}) as staging:\n"
        "    (staging / 'half.txt').write_text('half')\n"
        "    os._exit(9)\n"  # killed: no clean-up runs
    )
    subprocess.run([sys.executable, "-c", script], check=False)
    leftovers = [p.name for p in out.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(STAGING_PREFIX)
    with staged_output(out) as staging:
        (staging / "result.json").write_text("{}")
    assert [p.name for p in out.iterdir()] == ["result.json"]


@pytest.mark.parametrize("name", ["..", ".", "", "/", "../victim", "a/b"])
def test_only_plain_names_inside_the_folder_are_ever_replaced(tmp_path, name):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep")
    out = tmp_path / "out"
    (out / "01-old").mkdir(parents=True)
    with staged_output(out, replaces=(name, "01-old")) as staging:
        (staging / "result.json").write_text("{}")
    assert (victim / "keep.txt").read_text() == "keep" and tmp_path.exists()
    assert sorted(p.name for p in out.iterdir()) == ["result.json"]


def test_an_entry_of_another_kind_in_the_way_is_replaced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "01-finding").write_text("a file where the folder goes")
    (out / "result.json").mkdir()  # a folder where the file goes
    with staged_output(out, last="result.json") as staging:
        (staging / "01-finding").mkdir()
        (staging / "result.json").write_text("{}")
    assert (out / "01-finding").is_dir() and (out / "result.json").read_text() == "{}"
