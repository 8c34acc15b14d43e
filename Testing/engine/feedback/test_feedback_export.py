"""Exporting feedback as a triplet manifest: accepted and corrected records become triplets, rejected ones do not,
every patient lies wholly in one split, and the export folder is self-contained."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from feedback_helpers import LIDC_CASES, correction, lidc_case
from reinforcedvl.cli.main import main
from reinforcedvl.data.manifest import read_manifest
from reinforcedvl.errors import OutputExistsError
from reinforcedvl.feedback import FeedbackAction, FeedbackStore, FeedbackStoreError, database, export_feedback
from reinforcedvl.feedback.export import patient_split
from reinforcedvl.io import read_image, read_label_map, write_volume
from reinforcedvl.io.file_hash import file_sha256
from reinforcedvl.volume import LabelMap, ScalarVolume

# patients, held-out fraction, expected number of dev patients
SPLIT_CASES = [
    ({"a"}, 0.5, 0),  # one patient: nothing can be held out
    ({"a", "b"}, 0.01, 1),  # at least one of each split
    ({"a", "b"}, 0.99, 1),
    ({f"p{n}" for n in range(200)}, 0.0, 0),
]


@pytest.mark.parametrize(("patients", "fraction", "dev"), SPLIT_CASES)
def test_patient_split_sizes(patients, fraction, dev):
    splits = patient_split(patients, fraction)
    assert set(splits) == patients and sum(s == "dev" for s in splits.values()) == dev


def test_a_patients_split_does_not_change_as_patients_are_added():
    first = patient_split({f"p{n}" for n in range(50)}, 0.2)
    later = patient_split({f"p{n}" for n in range(400)}, 0.2)
    assert all(later[key] == split for key, split in first.items())
    assert 0.12 < sum(s == "dev" for s in later.values()) / 400 < 0.28


@pytest.fixture(scope="module")
def store(shared_data, tmp_path_factory) -> FeedbackStore:
    """Corrections of five LIDC nodules of four patients, one rejection, and an accepted 'not present'."""
    store = FeedbackStore(tmp_path_factory.mktemp("export") / "store")
    for patient, name in LIDC_CASES:
        store.add(correction(*lidc_case(shared_data, name), patient=patient))
    image, reference = lidc_case(shared_data, "LIDC-IDRI-0001_R_1")
    store.add(replace(correction(image, reference, "LIDC-IDRI-0001"), action=FeedbackAction.REJECT))
    empty = LabelMap(np.zeros_like(reference.array), reference.affine)
    store.add(
        replace(
            correction(image, reference, "LIDC-IDRI-0001"),
            action=FeedbackAction.ACCEPT,
            prompt="ground-glass nodule",
            model_mask=empty,
        )
    )
    return store


def test_export_writes_a_manifest_split_by_patient(store, tmp_path):
    export = export_feedback(store, tmp_path / "export", dev_fraction=0.3)
    triplets = read_manifest(export.manifest)
    assert len(triplets) == 6 and export.left_out == {"without_final_mask": 1, "damaged": 0} and not export.damaged
    assert export.triplets["train"] + export.triplets["dev"] == 6 and export.patients["dev"] >= 1
    splits_of = {}
    for triplet in triplets:
        splits_of.setdefault(triplet.patient, set()).add(triplet.split)
    assert len(splits_of) == 4 and all(len(splits) == 1 for splits in splits_of.values())
    absent = [t for t in triplets if not t.present]
    assert [(t.finding, t.labels, t.descriptions) for t in absent] == [
        ("ground-glass nodule", (), ("ground-glass nodule",))
    ]
    for triplet in triplets:
        assert triplet.source == "feedback" and triplet.modality == "CT" and not triplet.patient.startswith("LIDC")
        image = read_image([export.folder / path for path in triplet.images])
        mask = read_label_map(export.folder / triplet.mask)
        assert image.same_grid(mask) and (mask.array.any() == triplet.present)


def test_an_export_is_not_overwritten_unless_asked(store, tmp_path):
    export_feedback(store, tmp_path / "export")
    with pytest.raises(OutputExistsError, match="--overwrite"):
        export_feedback(store, tmp_path / "export")
    assert export_feedback(store, tmp_path / "export", overwrite=True).triplets["train"] >= 1
    assert not (tmp_path / "export" / "secret").exists()  # the export holds no key to the patient hashes


@pytest.fixture
def store_copy(store, tmp_path):
    """A copy of the export store (its files made writable, to be damaged), opened."""
    folder = shutil.copytree(store.folder, tmp_path / "store", copy_function=shutil.copy)
    return FeedbackStore(folder)


def _missing(store, record):
    (store.folder / record.file("final_mask").path).unlink()
    return "final-mask.nrrd is missing"


def _altered(store, record):
    path = store.folder / record.file("image:0").path
    path.chmod(0o644)
    content = bytearray(path.read_bytes())
    content[-3] ^= 0x01  # one voxel a little different: the file still reads
    path.write_bytes(bytes(content))
    return "image-0.nrrd differs from what was stored"


def _not_finite(store, record):
    """As a record stored before NaN images were refused: its image file holds NaN, and its row says so."""
    path = store.folder / record.file("image:0").path
    image = read_image(path)
    path.chmod(0o644)
    write_volume(ScalarVolume(np.full_like(image.array, np.nan), image.affine), path)
    with database.connect(store.database_path) as connection, database.transaction(connection):
        connection.execute(
            "UPDATE record_files SET sha256 = ?, size_bytes = ? WHERE path = ?",
            (file_sha256(path), path.stat().st_size, record.file("image:0").path),
        )
    return "NaN or infinite values"


@pytest.mark.parametrize("damage", [_missing, _altered, _not_finite])
def test_a_damaged_record_stops_the_export_and_nothing_is_written(store_copy, tmp_path, damage, capsys):
    record = store_copy.records()[2]
    problem = damage(store_copy, record)
    out = tmp_path / "exports" / "round-1"
    with pytest.raises(
        FeedbackStoreError, match=f"1 of 6 records cannot be exported:\n  {record.record_id}: .*{problem}"
    ):
        export_feedback(store_copy, out)
    assert not (tmp_path / "exports").exists() or list((tmp_path / "exports").iterdir()) == []

    code = main(["feedback", "export", "--store", str(store_copy.folder), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "--skip-damaged" in err and record.record_id in err and "Traceback" not in err
    assert not out.exists()

    code = main(["feedback", "export", "--store", str(store_copy.folder), "--out", str(out), "--skip-damaged"])
    captured = capsys.readouterr()
    assert code == 0 and f"record {record.record_id} left out: " in captured.err
    triplets = read_manifest(out / "manifest.jsonl")
    assert len(triplets) == 5 and f"feedback/{record.record_id}" not in {t.id for t in triplets}
    summary = json.loads((out / "export.json").read_text(encoding="utf-8"))
    assert summary["left_out"]["damaged"] == 1 and problem.split()[-1] in summary["damaged"][record.record_id]
    assert not (out / "records" / record.record_id).exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["round-1"]  # no staging folder left beside it


def test_the_export_folder_is_checked_before_anything_is_written(store, tmp_path):
    (tmp_path / "a-file").write_text("mine", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "draft.txt").write_text("mine", encoding="utf-8")
    cases = [
        (tmp_path / "a-file", "is a file"),
        (tmp_path / "notes", "already holds other files"),
        (store.folder / "exports", "lies inside the feedback store"),
    ]
    for out, message in cases:
        with pytest.raises(OutputExistsError, match=message):
            export_feedback(store, out, overwrite=True)
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "mine"
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["draft.txt"]
    assert not (store.folder / "exports").exists()
    with pytest.raises(FeedbackStoreError, match="could not be written to .*a-file/export"):
        export_feedback(store, tmp_path / "a-file" / "export")
    (tmp_path / "empty").mkdir()
    assert export_feedback(store, tmp_path / "empty").manifest == tmp_path / "empty" / "manifest.jsonl"


def test_the_points_a_prompt_was_asked_with_travel_to_the_export(shared_data, tmp_path):
    from reinforcedvl.spatial.prompts import PromptBox, PromptPoint, SpatialPrompts

    store = FeedbackStore(tmp_path / "store")
    image, reference = lidc_case(shared_data, "LIDC-IDRI-0003_R_4")
    centre = tuple(image.voxel_to_ras(np.argwhere(reference.array[0] > 0).mean(axis=0))[0])
    prompts = SpatialPrompts(
        (PromptPoint(centre), PromptPoint((centre[0] + 9.0, centre[1], centre[2]), positive=False)),
        PromptBox(tuple(np.subtract(centre, 15.0)), tuple(np.add(centre, 15.0))),
    )
    clicked = store.add(replace(correction(image, reference, "LIDC-IDRI-0003"), spatial_prompts=prompts))
    words_only = store.add(correction(*lidc_case(shared_data, "LIDC-IDRI-0004_R_1"), patient="LIDC-IDRI-0004"))
    assert store.read_spatial_prompts(clicked) == SpatialPrompts.from_dict(prompts.to_dict())
    assert store.read_spatial_prompts(words_only) is None
    assert store.check().consistent  # the prompts' file is checked like the images

    export = export_feedback(store, tmp_path / "export")
    lines = (export.manifest).read_text(encoding="utf-8").splitlines()
    by_id = {triplet.id: triplet for triplet in read_manifest(export.manifest)}
    with_points = by_id[f"feedback/{clicked.record_id}"]
    assert SpatialPrompts.from_dict(with_points.spatial_prompts) == SpatialPrompts.from_dict(prompts.to_dict())
    assert by_id[f"feedback/{words_only.record_id}"].spatial_prompts is None
    assert sum('"spatial_prompts"' in line for line in lines) == 1  # older readers see no new key elsewhere
