"""``feedback export`` killed with SIGKILL at random points, many times, each time replacing the export of the round
before: the export folder is always a whole export or absent, an export that was finished is never lost (a kill
while replacing it leaves it set aside, and the next export puts it back or replaces it), and nothing else is left.
The writer-kill pattern is test_consistency.py's."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time

from feedback_helpers import correction
from reinforcedvl.data.manifest import read_manifest
from reinforcedvl.feedback import FeedbackStore, export_feedback
from reinforcedvl.io.file_hash import file_sha256

ROUNDS = 24
ROUNDS_PER_FOLDER = 8
# Where a round's kill lands: as a record's files are placed, as the manifest or the summary is written, at one of
# the renames that put the export in place (and set the earlier one aside), or anywhere.
KILL_POINTS = ("record", "manifest.jsonl", "export.json", "rename", "anywhere")


def _instrumented_exporter(store_folder, out, channel) -> None:
    """Export forever (replacing the last export); before each phase, tell the parent and wait for its go (so a kill
    lands exactly there); tell it each export once ``export_feedback`` returned."""
    from reinforcedvl.feedback import export as export_module

    place, write_durably, rename = export_module._export_record, export_module.write_durably, os.rename

    def announce(phase: str) -> None:
        channel.send(("phase", phase))
        channel.recv()

    def announced_place(store, record, stage):
        announce("record")
        return place(store, record, stage)

    def announced_write(path, write):
        announce(path.name)
        return write_durably(path, write)

    def announced_rename(source, target):
        announce("rename")
        return rename(source, target)

    export_module._export_record, export_module.write_durably = announced_place, announced_write
    os.rename = announced_rename
    store = FeedbackStore(store_folder)
    while True:
        export_feedback(store, out, overwrite=True)
        channel.send(("ack", None))


def _kill_one_exporter(context, store_folder, out, rng, *, first: bool) -> tuple[int, str]:
    parent, child = context.Pipe()
    exporter = context.Process(target=_instrumented_exporter, args=(store_folder, out, child))
    exporter.start()
    point, acknowledged, seen = rng.choice(KILL_POINTS[:-1] if first else KILL_POINTS), 0, 0
    wanted_acks = 0 if first else rng.randrange(2)
    deadline = time.monotonic() + (rng.uniform(0.0, 1.0) if point == "anywhere" else 60)
    skip = rng.randrange(2)  # which occurrence of the phase: the first or the second (two renames when replacing)
    while time.monotonic() < deadline and parent.poll(max(deadline - time.monotonic(), 0)):
        kind, value = parent.recv()
        if kind == "ack":
            acknowledged += 1
            continue
        if value == point and acknowledged >= wanted_acks:
            seen += 1
            if seen > skip:
                break  # the exporter waits right before this phase: kill it there
        parent.send("go")
    os.kill(exporter.pid, signal.SIGKILL)
    exporter.join(timeout=30)
    while parent.poll(0.1):
        acknowledged += parent.recv()[0] == "ack"
    return acknowledged, point


def _is_whole_export(folder, store) -> bool:
    """The export's manifest and summary, and every file of every record, each as the store keeps it."""
    stored = {f.path: f.sha256 for record in store.records() for f in record.files}
    triplets = read_manifest(folder / "manifest.jsonl")
    summary = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    assert sum(summary["triplets"].values()) == len(triplets) == 3
    assert {path for t in triplets for path in (*t.images, t.mask)} <= set(stored)
    assert all(file_sha256(folder / path) == sha256 for path, sha256 in stored.items())
    named = {folder / path for path in stored} | {folder / "manifest.jsonl", folder / "export.json"}
    assert {p for p in folder.rglob("*") if p.is_file()} == named  # nothing half-written beside them
    return True


def test_killed_exports_leave_a_whole_export_or_none(nodule, tmp_path):
    image, reference = nodule
    store = FeedbackStore(tmp_path / "store")
    for patient in ("p1", "p2", "p3"):
        store.add(correction(image, reference, patient=patient))
    context, rng = multiprocessing.get_context("fork"), random.Random(20261205)
    outcomes = {point: {"whole": 0, "absent": 0, "set aside": 0} for point in KILL_POINTS}
    finished_before = False
    for round_ in range(ROUNDS):
        out = tmp_path / "exports" / f"feedback-{round_ // ROUNDS_PER_FOLDER}"  # a new folder now and then
        first = round_ % ROUNDS_PER_FOLDER == 0
        finished_before = False if first else finished_before
        acknowledged, point = _kill_one_exporter(context, store.folder, out, rng, first=first)
        finished_before = finished_before or acknowledged > 0
        aside = out.with_name(f".{out.name}.replaced-export")
        if out.exists():
            assert _is_whole_export(out, store)
            outcomes[point]["whole"] += 1
        elif aside.exists():  # killed between setting the last export aside and renaming the new one in
            assert _is_whole_export(aside, store)
            outcomes[point]["set aside"] += 1
        else:
            assert not finished_before, "a finished export was lost"
            outcomes[point]["absent"] += 1
    print(f"{ROUNDS} kills of 'feedback export'; outcome per kill point: {outcomes}")
    assert sum(o["whole"] for o in outcomes.values()) >= 5 and sum(o["absent"] for o in outcomes.values()) >= 1
    folders = sorted({p.name.split(".")[1] if p.name.startswith(".") else p.name for p in out.parent.iterdir()})
    for name in folders:
        assert _is_whole_export(export_feedback(store, out.parent / name, overwrite=True).folder, store)
    assert sorted(p.name for p in out.parent.iterdir()) == folders  # what killed exports left is cleared
