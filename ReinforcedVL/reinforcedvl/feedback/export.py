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
from dataclasses import dataclass
from pathlib import Path

from ..data.manifest import Split, Triplet, write_manifest
from ..errors import OutputExistsError
from .records import StoredFeedback
from .store import FeedbackStore

__all__ = ["MANIFEST_FILE", "FeedbackExport", "patient_split", "export_feedback"]

MANIFEST_FILE = "manifest.jsonl"
SUMMARY_FILE = "export.json"
SOURCE = "feedback"


@dataclass(frozen=True)
class FeedbackExport:
    """An export folder: ``manifest`` (data root: ``folder``) and what went into each split."""

    folder: Path
    manifest: Path
    triplets: dict[str, int]
    patients: dict[str, int]
    left_out: dict[str, int]

    def to_dict(self) -> dict[str, object]:
        return {
            "manifest": self.manifest.name,
            "triplets": self.triplets,
            "patients": self.patients,
            "left_out": self.left_out,
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
    store: FeedbackStore, out_dir: str | Path, *, dev_fraction: float = 0.2, overwrite: bool = False
) -> FeedbackExport:
    """Write ``out_dir/manifest.jsonl`` and the files it names (hard links where possible, else copies).

    The folder holds no secret and no identifier: it can be moved to a training machine as it is. It is a
    snapshot: records deleted from the store later stay in it.

    Args:
        store: the feedback store.
        out_dir: the export folder, the data root of its manifest.
        dev_fraction: the share of patients held out (``dev``) for evaluation.
        overwrite: replace an earlier export in ``out_dir``.

    Raises:
        OutputExistsError: ``out_dir`` holds an export and ``overwrite`` is not set.
    """
    out_dir = Path(out_dir)
    if (out_dir / MANIFEST_FILE).exists() and not overwrite:
        raise OutputExistsError(
            f"{out_dir} already holds a feedback export. Choose another folder, or pass --overwrite to replace it."
        )
    records = store.records()
    usable = [r for r in records if r.final_present is not None]
    splits = patient_split({r.patient_key for r in usable}, dev_fraction)
    out_dir.mkdir(parents=True, exist_ok=True)
    triplets = []
    for record in usable:
        for stored in record.files:
            _link_or_copy(store.folder / stored.path, out_dir / stored.path)
        spatial = store.read_spatial_prompts(record)
        triplets.append(_triplet(record, splits[record.patient_key], None if spatial is None else spatial.to_dict()))
    manifest = write_manifest(triplets, out_dir / MANIFEST_FILE)
    export = FeedbackExport(
        folder=out_dir,
        manifest=manifest,
        triplets={split: sum(t.split == split for t in triplets) for split in ("train", "dev")},
        patients={split: sum(s == split for s in splits.values()) for split in ("train", "dev")},
        left_out={"without_final_mask": sum(r.final_present is None for r in records)},
    )
    (out_dir / SUMMARY_FILE).write_text(json.dumps(export.to_dict(), indent=2) + "\n", encoding="utf-8")
    return export


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
