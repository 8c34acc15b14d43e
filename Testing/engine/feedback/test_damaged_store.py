"""A feedback store damaged on disk, or handed what it must not keep, through the command line as a user meets it:
each case a one-line explanation with what to do and exit status 2, never "consistent", never a traceback; and text
with control characters neither stored nor printed raw."""

from __future__ import annotations

import json
import shutil
import sqlite3

import numpy as np
import pytest

from feedback_helpers import correction
from reinforcedvl.cli.main import main
from reinforcedvl.errors import UnsupportedVolumeError
from reinforcedvl.feedback import FeedbackStore, FeedbackStoreError, database
from reinforcedvl.io import write_volume
from reinforcedvl.volume import ScalarVolume


@pytest.fixture(scope="module")
def pristine_store(nodule, tmp_path_factory):
    """A store with two records of a real LIDC crop (copied by each test before it is damaged)."""
    store = FeedbackStore(tmp_path_factory.mktemp("pristine") / "store")
    store.add(correction(*nodule, patient="p1"))
    store.add(correction(*nodule, patient="p2"))
    return store.folder


@pytest.fixture
def store_copy(pristine_store, tmp_path):
    return shutil.copytree(pristine_store, tmp_path / "store")


def _run(capsys, *arguments) -> tuple[int, str, str]:
    code = main([str(a) for a in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _flip_index_entry(database_path) -> None:
    """Change a date in the records_by_time index page, leaving the table as it was: every query still answers,
    but the index no longer matches its table (what SQLite's integrity check finds, and a quick check does not)."""
    with sqlite3.connect(database_path) as connection:
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'records_by_time'").fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        created_at = connection.execute("SELECT created_at FROM records LIMIT 1").fetchone()[0]
    content = bytearray(database_path.read_bytes())
    page = slice((root - 1) * page_size, root * page_size)
    at = content[page].find(created_at.encode())
    assert at >= 0
    content[page.start + at + 3] ^= 0x01  # 2026 -> 2027
    database_path.write_bytes(bytes(content))


def _damage_header(database_path) -> None:
    content = bytearray(database_path.read_bytes())
    content[:100] = b"\x00not a database, overwritten by a disk error\x00".ljust(100, b"\xff")
    database_path.write_bytes(bytes(content))


def _truncate_database(database_path) -> None:
    database_path.write_bytes(database_path.read_bytes()[: 3 * 4096 + 100])


def _truncate_secret(store) -> None:
    secret = store / "secret" / "patient-key"
    secret.write_bytes(secret.read_bytes()[:5])


# damage, commands that must refuse (besides check), words the message must hold
DAMAGE = [
    ("malformed index", _flip_index_entry, (), ("integrity check", "missing from index records_by_time", "backup")),
    ("garbage header", _damage_header, (("list",), ("show", "abcdef")), ("is damaged", "not a database", "backup")),
    ("truncated database", _truncate_database, (("list",),), ("is damaged", "backup")),
    ("truncated secret", _truncate_secret, (), ("holds 5 bytes, not 32", "Restore it from a backup")),
    ("lost secret", lambda store: (store / "secret" / "patient-key").unlink(), (), ("is missing", "new store")),
]


@pytest.mark.parametrize(("name", "damage", "refusing", "words"), DAMAGE, ids=[case[0] for case in DAMAGE])
def test_check_reports_a_damaged_store_with_exit_2(capsys, store_copy, name, damage, refusing, words):
    damage(store_copy / "feedback.sqlite3" if "secret" not in name else store_copy)
    code, out, err = _run(capsys, "feedback", "check", "--store", store_copy)
    text = out + err
    assert code == 2, text
    assert "The store is consistent." not in text and "Traceback" not in text
    for word in words:
        assert word in text, text
    for action in refusing:
        code, out, err = _run(capsys, "feedback", *action, "--store", store_copy)
        assert code == 2 and "is damaged" in err and "Traceback" not in out + err


def test_a_lost_database_is_not_reported_as_stray_files_only(capsys, store_copy):
    (store_copy / "feedback.sqlite3").write_bytes(b"")  # replaced by an empty file: SQLite reads a new database
    code, out, _ = _run(capsys, "feedback", "check", "--store", store_copy)
    assert code != 0 and "The store is NOT consistent." in out
    assert "holds no record, yet records/ holds files" in out and "restore it from a backup" in out
    (store_copy / "feedback.sqlite3").unlink()  # deleted
    code, out, err = _run(capsys, "feedback", "list", "--store", store_copy)
    assert code == 2 and "the database was lost; restore it from a backup" in err


@pytest.mark.parametrize("damage", [_truncate_secret, lambda store: (store / "secret" / "patient-key").unlink()])
def test_no_record_is_added_with_a_damaged_or_lost_secret(nodule, store_copy, damage):
    damage(store_copy)
    store = FeedbackStore(store_copy)
    with pytest.raises(FeedbackStoreError, match="Restore it from a backup"):
        store.add(correction(*nodule, patient="p3"))
    assert len(store.records()) == 2


def test_a_store_path_naming_a_file_is_explained(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("not a store", encoding="utf-8")
    for action in (("check",), ("list",), ("export", "--out", tmp_path / "export")):
        code, out, err = _run(capsys, "feedback", *action, "--store", tmp_path / "notes.txt")
        assert code == 2 and "is a file, not a folder" in err and "Traceback" not in out + err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "not a store"


def test_reading_a_store_that_is_not_there_is_an_error_not_an_empty_store(capsys, tmp_path):
    for action in (("check",), ("list",), ("show", "abcdef"), ("export", "--out", tmp_path / "export")):
        code, out, err = _run(capsys, "feedback", *action, "--store", tmp_path / "typo")
        assert code == 2 and "holds no feedback store" in err and "consistent" not in out
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing made


@pytest.mark.parametrize("values", [np.nan, np.inf, "some"], ids=["all NaN", "all inf", "two NaN voxels"])
def test_images_with_non_finite_values_are_not_stored(nodule, tmp_path, capsys, values):
    image, reference = nodule
    array = image.array.copy()
    if values == "some":
        array[0, 3, 3, 3] = array[0, 4, 4, 4] = np.nan
    else:
        array[:] = values
    damaged = ScalarVolume(array, image.affine)
    store = FeedbackStore(tmp_path / "store")
    with pytest.raises(UnsupportedVolumeError, match="not numbers \\(NaN\\) or infinite"):
        store.add(correction(damaged, reference))
    assert store.records() == [] and list(store.records_folder.iterdir()) == []
    path = write_volume(damaged, tmp_path / "image.nrrd")
    code, _, err = _run(
        capsys, "feedback", "add", path, "--store", store.folder, "--action", "reject", "--prompt", "nodule",
        "--model-id", "m", "--model-version", "1",
    )  # fmt: skip
    assert code == 2 and "not numbers (NaN) or infinite" in err and store.records() == []


CONTROL_TEXT = [
    ("comment", "fine\x1b[2J\x1b[3J\x1b[H"),
    ("annotator", "reader\x07"),
    ("annotator", "reader\u202e1"),
    ("model_id", "starter\x1b]0;owned\x07"),
]


@pytest.mark.parametrize(("field", "text"), CONTROL_TEXT)
def test_comments_and_names_with_control_characters_are_refused(nodule, tmp_path, field, text):
    from dataclasses import replace

    store = FeedbackStore(tmp_path / "store")
    with pytest.raises(FeedbackStoreError, match="holds a control or invisible character, U\\+"):
        store.add(replace(correction(*nodule), **{field: text}))
    assert store.records() == []


def test_a_multi_line_comment_is_kept(nodule, tmp_path):
    from dataclasses import replace

    record = FeedbackStore(tmp_path / "store").add(replace(correction(*nodule), comment="edge moved\n\tlower lobe"))
    assert record.comment == "edge moved\n\tlower lobe"


def test_stored_control_characters_are_never_printed_raw(capsys, store_copy):
    """Records written before control characters were refused (here: put in the database directly) are shown with
    their control characters as escapes, by list, list --json and show alike."""
    hostile = "\x1b[2J\x1b[H\x07\x9b\u202e\x00"
    with database.connect(store_copy / "feedback.sqlite3") as connection, database.transaction(connection):
        connection.execute(
            "UPDATE records SET prompt = ?, comment = ?, annotator = ?, model_id = ?",
            (f"nodule {hostile}", f"comment {hostile}", f"reader {hostile}", f"model {hostile}"),
        )
    record_id = FeedbackStore(store_copy).records()[0].record_id
    for action in (("list",), ("list", "--json"), ("show", record_id)):
        code, out, err = _run(capsys, "feedback", *action, "--store", store_copy)
        assert code == 0, err
        assert all(character.isprintable() or character == "\n" for character in out), repr(out)
        assert "\\x1b[2J" in out or "\\u001b[2J" in out
    shown = json.loads(_run(capsys, "feedback", "show", record_id, "--store", store_copy)[1])
    assert shown["comment"] == f"comment {hostile}"  # the JSON still holds the exact text


def test_error_messages_quoting_a_path_print_its_control_characters_as_escapes(capsys, tmp_path):
    code, out, err = _run(capsys, "feedback", "list", "--store", tmp_path / "store\x1b[2J\x1b]0;x\x07")
    assert code == 2 and "holds no feedback store" in err
    assert "\x1b" not in out + err and "\x07" not in err and "store\\x1b[2J\\x1b]0;x\\x07" in err
