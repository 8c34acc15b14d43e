"""The feedback store on real LIDC crops: what a record holds for each action, reading it back, deleting it, the
consistency check, and several processes writing at once."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from dataclasses import replace

import numpy as np
import pytest

from feedback_helpers import correction, shifted
from reinforcedvl.errors import GridMismatchError, PromptError
from reinforcedvl.evaluation.overlap import dice
from reinforcedvl.feedback import FeedbackAction, FeedbackStore, FeedbackStoreError, FeedbackSubmission
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.volume import LabelMap

# action, model mask shift (voxels), expected: final present, final mask source, files
ACTION_CASES = [
    (FeedbackAction.ACCEPT, 0, True, "model", ("image:0", "model_mask", "final_mask")),
    (FeedbackAction.REJECT, 3, None, None, ("image:0", "model_mask")),
    (FeedbackAction.CORRECTION, 2, True, "reference", ("image:0", "model_mask", "final_mask")),
]


@pytest.mark.parametrize(("action", "shift", "final_present", "final_source", "roles"), ACTION_CASES)
def test_each_action_keeps_its_masks_dice_and_description(
    nodule, tmp_path, action, shift, final_present, final_source, roles
):
    image, reference = nodule
    model_mask = shifted(reference, shift)
    submission = replace(correction(image, reference), action=action, model_mask=model_mask, annotator=" reader-1 ")
    store = FeedbackStore(tmp_path / "store")
    record = store.add(submission)

    assert tuple(f.role for f in record.files) == roles
    assert record.final_present is final_present
    assert (record.action, record.rating, record.annotator) == (action, 3, "reader-1")
    assert (record.prompt, record.model_id, record.model_version, record.modality) == (
        "solid lung nodule",
        "untrained-test-model",
        "0.0.0",
        "CT",
    )
    np.testing.assert_array_equal(store.read_image(record).array, image.array)
    np.testing.assert_allclose(store.read_image(record).affine, image.affine, atol=1e-6)
    np.testing.assert_array_equal(store.read_mask(record, "model_mask").array, model_mask.array)
    if final_source is None:
        assert record.dice is None and record.description == "" and store.read_mask(record, "final_mask") is None
    else:
        final = model_mask if final_source == "model" else reference
        np.testing.assert_array_equal(store.read_mask(record, "final_mask").array, final.array)
        assert record.dice == pytest.approx(dice(model_mask.array[0] > 0, final.array[0] > 0), abs=1e-6)
        assert record.description.startswith("Lesion 1 (yellow): solid lung nodule, ")
        assert record.labels == (1,)
    assert store.records() == [record] and store.get(record.record_id[:8]) == record


def test_a_correction_that_moves_the_mask_scores_below_one(nodule, tmp_path):
    record = FeedbackStore(tmp_path / "store").add(correction(*nodule))
    assert 0.3 < record.dice < 0.95  # two voxels' shift of a nodule about seven voxels across


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"rating": 7}, FeedbackStoreError, r"from 1 \(useless\) to 5 \(perfect\), got 7"),
        ({"corrected_mask": None}, FeedbackStoreError, "needs the corrected mask"),
        ({"prompt": "   "}, PromptError, "description is empty"),
    ],
)
def test_bad_submissions_are_refused_and_leave_nothing(nodule, tmp_path, changes, error, message):
    store = FeedbackStore(tmp_path / "store")
    with pytest.raises(error, match=message):
        store.add(replace(correction(*nodule), **changes))
    assert store.records() == [] and list(store.records_folder.iterdir()) == []


def test_a_mask_on_another_grid_is_refused(nodule, tmp_path):
    image, reference = nodule
    affine = reference.affine.copy()
    affine[0, 3] += 5.0
    moved = LabelMap(reference.array, affine)
    with pytest.raises(GridMismatchError, match="image and feedback masks"):
        FeedbackStore(tmp_path / "store").add(replace(correction(image, reference), corrected_mask=moved))


def test_the_database_is_in_wal_mode_with_one_row_per_file(nodule, tmp_path):
    store = FeedbackStore(tmp_path / "store")
    record = store.add(correction(*nodule))
    with sqlite3.connect(store.database_path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = connection.execute("SELECT role, sha256 FROM record_files WHERE record_id = ?", (record.record_id,))
        assert dict(rows.fetchall()) == {f.role: f.sha256 for f in record.files}


def test_delete_removes_the_row_and_the_files(nodule, tmp_path):
    store = FeedbackStore(tmp_path / "store")
    kept, deleted = store.add(correction(*nodule)), store.add(correction(*nodule))
    assert store.delete(deleted.record_id[:10]).record_id == deleted.record_id
    assert store.records() == [kept]
    assert sorted(p.name for p in store.records_folder.iterdir()) == [kept.record_id]
    assert store.check().consistent
    with pytest.raises(FeedbackStoreError, match="No feedback record has the id"):
        store.get(deleted.record_id)


def test_check_finds_missing_damaged_and_unrecorded_files(nodule, tmp_path):
    store = FeedbackStore(tmp_path / "store")
    first, second = store.add(correction(*nodule)), store.add(correction(*nodule))
    assert store.check().consistent and store.check().files == 6
    missing = store.folder / first.file("model_mask").path
    missing.unlink()
    damaged = store.folder / second.file("image:0").path
    assert damaged.stat().st_mode & 0o777 == 0o444  # stored files are read-only
    damaged.chmod(0o644)
    content = bytearray(damaged.read_bytes())
    content[-1] ^= 0xFF
    damaged.write_bytes(bytes(content))
    (store.records_folder / second.record_id / "stray.nrrd").write_bytes(b"not ours")
    result = store.check()
    assert result.missing == (first.file("model_mask").path,)
    assert result.damaged == (second.file("image:0").path,)
    assert result.unrecorded == (f"records/{second.record_id}/stray.nrrd",)
    assert not result.consistent and result.summary_lines()[-1] == "The store is NOT consistent."


def _write_records(folder, submission, count, start, results) -> None:
    """A writer process: wait for the start signal, add ``count`` records, report their ids."""
    import torch

    torch.set_num_threads(1)
    start.wait()
    try:
        ids = [FeedbackStore(folder).add(submission).record_id for _ in range(count)]
        results.put(("ok", ids))
    except BaseException as error:  # reported to the test, which fails with it
        results.put(("error", repr(error)))
    finally:
        results.close()
        results.join_thread()  # the queue's feeder thread must deliver before the process ends
        os._exit(0)


def test_three_processes_writing_at_once_all_succeed(nodule, tmp_path):
    """Three writers start together on a store that does not exist yet (they race to create the database, its
    WAL and the secret too); each adds four records."""
    FeedbackStore(tmp_path / "warm-up").add(correction(*nodule))  # torch and MONAI loaded before forking
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    folder = tmp_path / "store"
    writers = [
        context.Process(target=_write_records, args=(folder, correction(*nodule, patient=f"p{n}"), 4, start, results))
        for n in range(3)
    ]
    for writer in writers:
        writer.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in writers]
    for writer in writers:
        writer.join(timeout=60)
    assert [status for status, _ in outcomes] == ["ok"] * 3, outcomes
    written = {record_id for _, ids in outcomes for record_id in ids}
    store = FeedbackStore(folder)
    assert {r.record_id for r in store.records()} == written and len(written) == 12
    assert len({r.patient_key for r in store.records()}) == 3
    check = store.check()
    assert check.consistent and check.files == 36


def test_a_two_channel_brain_study_keeps_both_channels_in_order(shared_data, tmp_path):
    folder = shared_data / "brats2015" / "brats_2013_pat0001_1"
    image = read_image([folder / "Flair_subtrMeanDivStd.nii.gz", folder / "T1c_subtrMeanDivStd.nii.gz"])
    labels = read_label_map(folder / "OTMultiClass.nii.gz")
    whole_tumour = LabelMap((labels.array > 0).astype(np.uint8), labels.affine)
    enhancing = LabelMap((labels.array == 4).astype(np.uint8), labels.affine)
    submission = FeedbackSubmission(
        FeedbackAction.CORRECTION, image, "enhancing tumour", "m", "1", model_mask=whole_tumour,
        corrected_mask=enhancing, modality="MR", patient="brats_2013_pat0001",
    )  # fmt: skip
    store = FeedbackStore(tmp_path / "store")
    record = store.add(submission)
    assert [f.role for f in record.image_files] == ["image:0", "image:1"] and record.modality == "MR"
    np.testing.assert_array_equal(store.read_image(record).array, image.array)
    assert record.dice == pytest.approx(dice(labels.array[0] > 0, labels.array[0] == 4), abs=1e-6)
    assert record.description.startswith("Lesion 1 (yellow): enhancing tumour")
