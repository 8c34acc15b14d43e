"""Exporting feedback as a triplet manifest: accepted and corrected records become triplets, rejected ones do not,
every patient lies wholly in one split, and the export folder is self-contained."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from feedback_helpers import LIDC_CASES, correction, lidc_case
from reinforcedvl.data.manifest import read_manifest
from reinforcedvl.errors import OutputExistsError
from reinforcedvl.feedback import FeedbackAction, FeedbackStore, export_feedback
from reinforcedvl.feedback.export import patient_split
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.volume import LabelMap

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
    assert len(triplets) == 6 and export.left_out == {"without_final_mask": 1}
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


def test_the_points_a_prompt_was_asked_with_travel_to_the_export(shared_data, tmp_path):
    from reinforcedvl.spatial_prompts import PromptBox, PromptPoint, SpatialPrompts

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
