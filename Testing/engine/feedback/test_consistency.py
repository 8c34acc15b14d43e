"""A writer killed with SIGKILL at random points of its writes, many times: the store stays consistent and every
record the writer acknowledged is intact. And what opening the store does with what killed writers leave."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time

import numpy as np

from feedback_helpers import correction, shifted
from reinforcedvl.feedback import FeedbackStore
from reinforcedvl.feedback.durable_files import RecordLock

ROUNDS = 30
# Where a round's kill lands: just after the writer starts writing one of the record's files, just before it
# commits the row, or anywhere (a random time after the writer starts).
KILL_POINTS = ("image-0.nrrd", "model-mask.nrrd", "final-mask.nrrd", "commit", "anywhere")


def _instrumented_writer(folder, submission, channel) -> None:
    """Add records forever; tell the parent each phase as it starts, and each record once ``add`` returned."""
    import torch

    from reinforcedvl.feedback import database
    from reinforcedvl.feedback import store as store_module

    torch.set_num_threads(1)
    write_durably, insert_record = store_module.write_durably, database.insert_record

    def announced_write(path, write):
        channel.send(("phase", path.name))
        return write_durably(path, write)

    def announced_insert(connection, record):
        channel.send(("phase", "commit"))
        return insert_record(connection, record)

    store_module.write_durably, database.insert_record = announced_write, announced_insert
    store = FeedbackStore(folder)
    while True:
        channel.send(("ack", store.add(submission).record_id))


def _kill_one_writer(context, folder, submission, rng) -> tuple[list[str], str]:
    """Run a writer, kill it at a random point of a random record; returns the ids it acknowledged and the point."""
    parent, child = context.Pipe()
    writer = context.Process(target=_instrumented_writer, args=(folder, submission, child))
    writer.start()
    point, target_record, acknowledged = rng.choice(KILL_POINTS), rng.randrange(3), []
    deadline = time.monotonic() + (rng.uniform(0.0, 1.5) if point == "anywhere" else 120)
    while time.monotonic() < deadline and parent.poll(max(deadline - time.monotonic(), 0)):
        kind, value = parent.recv()
        if kind == "ack":
            acknowledged.append(value)
        elif value == point and len(acknowledged) == target_record:
            time.sleep(rng.uniform(0.0, 0.01))
            break
    os.kill(writer.pid, signal.SIGKILL)
    writer.join(timeout=30)
    while parent.poll(0.1):
        kind, value = parent.recv()
        if kind == "ack":
            acknowledged.append(value)
    return acknowledged, point


def test_killed_writers_leave_whole_records_or_none(nodule, tmp_path):
    image, reference = nodule
    submission = correction(image, reference)
    expected = FeedbackStore(tmp_path / "warm-up").add(submission)  # loads torch and MONAI before forking
    context, rng = multiprocessing.get_context("fork"), random.Random(20261128)
    folder = tmp_path / "store"
    acknowledged: list[str] = []
    rolled_back: dict[str, int] = {point: 0 for point in KILL_POINTS}
    for _ in range(ROUNDS):
        ids, point = _kill_one_writer(context, folder, submission, rng)
        acknowledged += ids
        store = FeedbackStore(folder)  # opening rolls back the interrupted write
        rolled_back[point] += len(store.rolled_back)
        check = store.check()
        assert check.consistent and not check.in_progress, check.summary_lines()
        stored = {record.record_id for record in store.records()}
        assert set(acknowledged) <= stored
        assert sorted(p.name for p in store.records_folder.iterdir()) == sorted(stored)
    print(f"{ROUNDS} kills; {len(acknowledged)} acknowledged records; rolled back per kill point: {rolled_back}")
    assert sum(rolled_back.values()) >= 5  # many kills did land in the middle of a record's files
    store = FeedbackStore(folder)
    assert len({record.patient_key for record in store.records()}) == 1
    for record in store.records():
        assert (record.dice, record.description) == (expected.dice, expected.description)
        np.testing.assert_array_equal(store.read_image(record).array, image.array)
        np.testing.assert_array_equal(store.read_mask(record, "final_mask").array, reference.array)
        np.testing.assert_array_equal(store.read_mask(record, "model_mask").array, shifted(reference, 2).array)


def test_opening_the_store_rolls_back_only_writes_whose_writer_is_gone(nodule, tmp_path):
    store = FeedbackStore(tmp_path / "store")
    kept = store.add(correction(*nodule))
    dead, alive = "a" * 32, "b" * 32
    for record_id in (dead, alive):
        (store.records_folder / record_id).mkdir()
        (store.records_folder / record_id / "image-0.partial.nrrd").write_bytes(b"half a volume")
    (store.records_folder / f"{dead}.writing").touch()  # its writer was killed: nobody holds the lock
    held = RecordLock(store.records_folder / f"{alive}.writing")
    assert held.acquire(create=True)  # a writer still at work
    try:
        reopened = FeedbackStore(store.folder)
        assert reopened.rolled_back == (dead,)
        assert sorted(p.name for p in store.records_folder.iterdir()) == sorted(
            [kept.record_id, alive, f"{alive}.writing"]
        )
        check = reopened.check()
        assert check.in_progress == (alive,) and check.consistent
    finally:
        held.release()
    assert not FeedbackStore(store.folder).check().consistent  # once its writer is gone, its files have no row


DELETE_KILL_POINTS = ("row", "files", "anywhere")


def _instrumented_deleter(folder, record_ids, channel) -> None:
    """Delete the records one by one; before deleting a row and before removing its files, tell the parent and wait
    for its go; tell it each deletion once ``delete`` returned."""
    from reinforcedvl.feedback import database
    from reinforcedvl.feedback import store as store_module

    delete_row, remove_tree = database.delete_row, store_module.remove_tree

    def announce(phase: str) -> None:
        channel.send(("phase", phase))
        channel.recv()

    def announced_delete_row(connection, record_id):
        announce("row")
        return delete_row(connection, record_id)

    def announced_remove_tree(path):
        announce("files")
        return remove_tree(path)

    database.delete_row, store_module.remove_tree = announced_delete_row, announced_remove_tree
    store = FeedbackStore(folder)
    for record_id in record_ids:
        channel.send(("ack", store.delete(record_id).record_id))
    channel.send(("done", None))
    channel.recv()


def test_killed_deletes_finish_at_the_next_opening(nodule, tmp_path):
    """A delete killed after its row went but before its files did leaves files without a row: the next opening
    removes them. An acknowledged delete never comes back; every other record stays whole."""
    store = FeedbackStore(tmp_path / "store")
    records = [store.add(correction(*nodule, patient=f"p{n}")).record_id for n in range(10)]
    context, rng = multiprocessing.get_context("fork"), random.Random(20261205)
    deleted: set[str] = set()
    kills = dict.fromkeys(DELETE_KILL_POINTS, 0)
    while len(deleted) < len(records):
        remaining = [record_id for record_id in records if record_id not in deleted]
        parent, child = context.Pipe()
        deleter = context.Process(target=_instrumented_deleter, args=(store.folder, remaining, child))
        deleter.start()
        point, finished = rng.choice(DELETE_KILL_POINTS), False
        deadline = time.monotonic() + (rng.uniform(0.0, 0.3) if point == "anywhere" else 60)
        while time.monotonic() < deadline and parent.poll(max(deadline - time.monotonic(), 0)):
            kind, value = parent.recv()
            if kind == "done":
                finished = True
                break
            if kind == "ack":
                deleted.add(value)
                continue
            if value == point and rng.random() < 0.7:
                break
            parent.send("go")
        kills[point] += not finished
        os.kill(deleter.pid, signal.SIGKILL)
        deleter.join(timeout=30)
        while parent.poll(0.1):
            kind, value = parent.recv()
            deleted |= {value} if kind == "ack" else set()
        reopened = FeedbackStore(store.folder)
        check = reopened.check()
        assert check.consistent and not check.in_progress, check.summary_lines()
        kept = {record.record_id for record in reopened.records()}
        assert not kept & deleted  # an acknowledged delete never comes back
        deleted |= set(records) - kept  # a delete killed after its row went is finished by the opening
        assert sorted(p.name for p in reopened.records_folder.iterdir()) == sorted(kept)
    print(f"{sum(kills.values())} kills of deletes per point {kills}")
    assert kills["row"] + kills["files"] >= 2
