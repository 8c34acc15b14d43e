"""Feedback records as training triplets: a self-contained folder (manifest plus files) split by patient.

Accepted and corrected records become triplets whose mask is the final mask (an empty final mask makes an absent
finding: the model was right, or the reader erased its answer, that the finding is not there). Rejected records have
no final mask and are left out. Each patient goes wholly to ``train`` or ``dev``, decided by a hash of the patient
key, so a patient keeps its split as the store grows (see :func:`patient_split`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data.manifest import Split, Triplet, write_manifest
from ..errors import OutputExistsError, ReinforcedVLError
from ..io import read_image
from ..io.file_hash import file_sha256
from ..plain_text import printable
from .database import FeedbackStoreError
from .durable_files import remove_tree, sync_folder, write_durably
from .layout import RECORDS_FOLDER
from .records import StoredFeedback
from .store import FeedbackStore

__all__ = ["MANIFEST_FILE", "FeedbackExport", "patient_split", "export_feedback"]

MANIFEST_FILE = "manifest.jsonl"
SUMMARY_FILE = "export.json"
SOURCE = "feedback"
_STAGE_SUFFIX = ".partial-export"
_REPLACED_SUFFIX = ".replaced-export"


@dataclass(frozen=True)
class FeedbackExport:
    """An export folder: ``manifest`` (data root: ``folder``), what went into each split, and what was left out
    (``damaged``: record id -> what is wrong with its files, when damaged records were skipped)."""

    folder: Path
    manifest: Path
    triplets: dict[str, int]
    patients: dict[str, int]
    left_out: dict[str, int]
    damaged: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "manifest": self.manifest.name,
            "triplets": self.triplets,
            "patients": self.patients,
            "left_out": self.left_out,
            "damaged": self.damaged,
        }


def patient_split(patient_keys: set[str], dev_fraction: float) -> dict[str, Split]:
    """The split of each patient: ``dev`` when the hash of its key falls below ``dev_fraction``.

    ``train`` always gets a patient, and with two patients or more (and a fraction above 0) so does ``dev``: the
    patient whose hash lies nearest the missing side moves. Apart from that a patient's split never changes when
    others are added.
    """
    if not 0.0 <= dev_fraction < 1.0:
        raise ValueError(f"The held-out fraction must be at least 0 and below 1, got {dev_fraction}.")
    position = {key: int(hashlib.sha256(f"split:{key}".encode()).hexdigest()[:12], 16) / 16**12 for key in patient_keys}
    splits: dict[str, Split] = {key: "dev" if value < dev_fraction else "train" for key, value in position.items()}
    ordered = sorted(position, key=position.__getitem__)
    if ordered and "train" not in splits.values():
        splits[ordered[-1]] = "train"
    if len(ordered) >= 2 and dev_fraction > 0 and "dev" not in splits.values():
        splits[ordered[0]] = "dev"
    return splits


def export_feedback(
    store: FeedbackStore,
    out_dir: str | Path,
    *,
    dev_fraction: float = 0.2,
    overwrite: bool = False,
    skip_damaged: bool = False,
) -> FeedbackExport:
    """Write ``out_dir/manifest.jsonl`` and the files it names (hard links where possible, else copies).

    The folder holds no secret and no identifier: it can be moved to a training machine as it is. It is a
    snapshot: records deleted from the store later stay in it. Every file is checked against the SHA-256 and size it
    was stored with, and every image for NaN or infinite values, before it is exported. The export is built in a
    hidden folder beside ``out_dir`` (``.<name>.partial-export``) and renamed into place when complete, so that
    ``out_dir`` holds a whole export or none, even if the process is killed (the next export clears what a killed
    one left, and puts back a replaced export that a kill left aside).

    Args:
        store: the feedback store.
        out_dir: the export folder, the data root of its manifest: new, empty, or an earlier export.
        dev_fraction: the share of patients held out (``dev``) for evaluation.
        overwrite: replace an earlier export in ``out_dir``.
        skip_damaged: leave out records whose files are missing or damaged (listed in ``export.json``) instead of
            refusing to export.

    Raises:
        OutputExistsError: ``out_dir`` holds an export and ``overwrite`` is not set, holds other files, is a file, or
            lies inside the store.
        FeedbackStoreError: records whose files are missing or damaged, and ``skip_damaged`` is not set, or the
            export cannot be written (nothing is written).
    """
    out_dir = Path(os.path.abspath(Path(out_dir).expanduser()))
    _recover_interrupted_export(out_dir)
    _check_export_folder(out_dir, store, overwrite)
    records = store.records()
    usable = [r for r in records if r.final_present is not None]
    stage = _side_folder(out_dir, _STAGE_SUFFIX)
    try:
        stage.mkdir(parents=True)
        exported, damaged = [], {}
        for record in usable:
            problem = _export_record(store, record, stage)
            if problem is None:
                exported.append(record)
            else:
                damaged[record.record_id] = problem
        if damaged and not skip_damaged:
            raise FeedbackStoreError(_damaged_message(damaged, len(usable)))
        splits = patient_split({r.patient_key for r in exported}, dev_fraction)
        triplets = [
            _triplet(record, splits[record.patient_key], _spatial_prompts(store, record)) for record in exported
        ]
        export = FeedbackExport(
            folder=out_dir,
            manifest=out_dir / MANIFEST_FILE,
            triplets={split: sum(t.split == split for t in triplets) for split in ("train", "dev")},
            patients={split: sum(s == split for s in splits.values()) for split in ("train", "dev")},
            left_out={"without_final_mask": sum(r.final_present is None for r in records), "damaged": len(damaged)},
            damaged=damaged,
        )
        write_durably(stage / MANIFEST_FILE, lambda path: write_manifest(triplets, path))
        summary = json.dumps(export.to_dict(), indent=2, ensure_ascii=False) + "\n"
        write_durably(stage / SUMMARY_FILE, lambda path: path.write_text(summary, encoding="utf-8"))
        _move_into_place(stage, out_dir)
    except OSError as error:
        remove_tree(stage)
        raise FeedbackStoreError(
            f"The export could not be written to {out_dir} ({error.strerror or error}). Choose a folder you can "
            "write, on a disk with free space."
        ) from None
    except BaseException:
        remove_tree(stage)
        raise
    return export


def _side_folder(out_dir: Path, suffix: str) -> Path:
    """The hidden folder beside ``out_dir`` where its next version is built, or its last one set aside."""
    return out_dir.with_name(f".{out_dir.name}{suffix}")


def _recover_interrupted_export(out_dir: Path) -> None:
    """Clear what an export killed before its end left beside ``out_dir``; an earlier export it had set aside to
    replace it goes back in place when nothing took its place."""
    remove_tree(_side_folder(out_dir, _STAGE_SUFFIX))
    replaced = _side_folder(out_dir, _REPLACED_SUFFIX)
    if replaced.is_dir() and not out_dir.exists():
        os.rename(replaced, out_dir)
        sync_folder(out_dir.parent)
    remove_tree(replaced)


def _check_export_folder(out_dir: Path, store: FeedbackStore, overwrite: bool) -> None:
    store_folder = Path(os.path.abspath(store.folder))
    if out_dir == store_folder or store_folder in out_dir.parents:
        raise OutputExistsError(
            f"{out_dir} lies inside the feedback store {store_folder}; export to a folder outside it."
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputExistsError(f"{out_dir} is a file. Give the name of a new (or empty) folder for the export.")
    if not out_dir.is_dir() or not any(out_dir.iterdir()):
        return
    if not (out_dir / MANIFEST_FILE).exists():
        raise OutputExistsError(
            f"{out_dir} already holds other files, and an export replaces its whole folder. Choose a new or empty "
            "folder."
        )
    if not overwrite:
        raise OutputExistsError(
            f"{out_dir} already holds a feedback export. Choose another folder, or pass --overwrite to replace it."
        )


def _export_record(store: FeedbackStore, record: StoredFeedback, stage: Path) -> str | None:
    """Put ``record``'s files under ``stage``, each checked against what was stored, and its image checked for values
    that are not numbers; the problem in words, if any (then none of its files stay)."""
    problem = _place_files(store, record, stage)
    if problem is not None:
        remove_tree(stage / RECORDS_FOLDER / record.record_id)
    return problem


def _place_files(store: FeedbackStore, record: StoredFeedback, stage: Path) -> str | None:
    for stored in record.files:
        source, target = store.folder / stored.path, stage / stored.path
        if not source.is_file():
            return f"{stored.path} is missing"
        _link_or_copy(source, target)
        if target.stat().st_size != stored.size_bytes or file_sha256(target) != stored.sha256:
            return f"{stored.path} differs from what was stored (its SHA-256 or size changed)"
    try:
        image = read_image([stage / stored.path for stored in record.image_files])
    except ReinforcedVLError as error:
        return f"its image cannot be read ({error})"
    not_finite = int(image.array.size - np.count_nonzero(np.isfinite(image.array)))
    if not_finite:
        return f"its image holds {not_finite} NaN or infinite values (not training material)"
    return None


def _damaged_message(damaged: dict[str, str], usable: int) -> str:
    lines = [f"{len(damaged)} of {usable} records cannot be exported:"]
    lines += [f"  {record_id}: {printable(problem)}" for record_id, problem in damaged.items()]
    lines.append(
        "Nothing was written. Restore the store from a backup, or delete these records ('reinforcedvl feedback "
        "delete ID'), or export the others with --skip-damaged. 'reinforcedvl feedback check' lists every problem."
    )
    return "\n".join(lines)


def _move_into_place(stage: Path, out_dir: Path) -> None:
    """Rename the complete export ``stage`` to ``out_dir``; an earlier export there is set aside first and deleted
    after (a kill in between leaves it aside, and the next export puts it back)."""
    if out_dir.is_dir() and not any(out_dir.iterdir()):
        out_dir.rmdir()
    if out_dir.exists():
        replaced = _side_folder(out_dir, _REPLACED_SUFFIX)
        os.rename(out_dir, replaced)
        os.rename(stage, out_dir)
        sync_folder(out_dir.parent)
        remove_tree(replaced)
    else:
        os.rename(stage, out_dir)
        sync_folder(out_dir.parent)


def _spatial_prompts(store: FeedbackStore, record: StoredFeedback) -> dict | None:
    """The points and box the record's prompt was asked with, as the manifest keeps them (None: the text alone)."""
    spatial = store.read_spatial_prompts(record)
    return None if spatial is None else spatial.to_dict()


def _triplet(record: StoredFeedback, split: Split, spatial_prompts: dict | None) -> Triplet:
    final = record.file("final_mask")
    return Triplet(
        id=f"{SOURCE}/{record.record_id}",
        source=SOURCE,
        patient=record.patient_key,
        split=split,
        modality=record.modality,
        images=tuple(stored.path for stored in record.image_files),
        mask=None if final is None else final.path,
        labels=record.labels,
        present=bool(record.final_present),
        finding=record.prompt,
        descriptions=(record.prompt,),
        spatial_prompts=spatial_prompts,
    )


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)
