"""A fine-tuned checkpoint declares its scope: the shipped model's ``metadata.scope``, carried forward and extended
by what the fine-tuning data adds (a finding the parent never had, with the modality and the body region its images
show), sealed, and listed in the new MODEL_CARD.md. One real `reinforcedvl finetune` step on real crops and CT."""

from __future__ import annotations

import copy
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from reinforcedvl.cli.main import main
from reinforcedvl.data.build_manifest import build_triplets
from reinforcedvl.data.manifest import Triplet, write_manifest
from reinforcedvl.feedback.export import MANIFEST_FILE
from reinforcedvl.feedback.model_card import MODEL_CARD_FILE
from reinforcedvl.model_store.checkpoint import read_checkpoint
from reinforcedvl.model_store.checkpoint_files import check_integrity
from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID, installed_models
from reinforcedvl.scope.checkpoint_scope import CheckpointScope
from reinforcedvl.training.scope_inheritance import fine_tuned_scope


@pytest.fixture(scope="module")
def lidc_crop(shared_data) -> Triplet:
    return next(t for t in build_triplets(shared_data) if t.source == "lidc" and t.split == "train" and t.present)


def _relative(triplet: Triplet, data_root: Path, folder: Path) -> Triplet:
    def moved(path: str) -> str:
        return os.path.relpath(data_root.resolve() / path, folder.resolve())

    return replace(triplet, images=tuple(moved(p) for p in triplet.images), mask=moved(triplet.mask))


@pytest.fixture(scope="module")
def site_export(shared_data, lidc_crop, tmp_path_factory) -> Path:
    """A feedback-export folder: a nodule crop a reader called "solid lung nodule" (the parent's lung nodule, in
    other words) and the aorta of the abdominal CT (TotalSegmentator label 52), a finding the parent never had."""
    folder = tmp_path_factory.mktemp("site-export")
    nodule = replace(lidc_crop, id="feedback/nodule", source="feedback", finding="solid lung nodule",
                     descriptions=("solid lung nodule",))  # fmt: skip
    aorta = Triplet(
        id="feedback/aorta",
        source="feedback",
        patient="site-1",
        split="train",
        modality="CT",
        images=("totalsegmentator_examples/example_ct_sm.nii.gz",),
        mask="totalsegmentator_examples/example_seg.nii.gz",
        labels=(52,),
        present=True,
        finding="aorta",
        descriptions=("abdominal aorta",),
    )
    write_manifest([_relative(t, shared_data, folder) for t in (nodule, aorta)], folder / MANIFEST_FILE)
    return folder


def test_finetune_carries_the_scope_forward_and_extends_it(site_export, tmp_path, capsys):
    parent = installed_models()[DEFAULT_MODEL_ID]
    out = tmp_path / "site-model"
    code = main([
        "finetune", "--model", DEFAULT_MODEL_ID, "--feedback", str(site_export), "--out", str(out), "--steps", "1",
        "--warmup-steps", "1", "--device", "cpu", "--small-batch", "1", "--large-batch", "1", "--no-evaluate",
    ])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    document = json.loads((out / "config.json").read_text(encoding="utf-8"))
    check_integrity(out, document)  # sealed: the record matches the files as written, weights included
    child = read_checkpoint(out)
    scope, before = child.metadata["scope"], parent.metadata["scope"]
    families = {family["id"]: family for family in scope["families"]}
    for family in before["families"]:  # every parent family kept as it was: the nodule is the parent's finding
        assert families[family["id"]] == family
    added = [family for family in scope["families"] if family["id"] not in {f["id"] for f in before["families"]}]
    assert added == [
        {
            "id": "fine-tuned-aorta",
            "name": "aorta",
            "modalities": ["CT"],
            "regions": ["abdomen"],  # recognised in the image, not assumed
            "findings": ["aorta"],
            "trained_on": "fine-tuning data",
        }
    ]
    assert "withheld" in families["abdominal-organ"]  # fine-tuning does not undo a failed evaluation
    assert CheckpointScope.from_metadata(child.metadata).family_of("aorta").regions[0].value == "abdomen"
    card = (out / MODEL_CARD_FILE).read_text(encoding="utf-8")
    assert "## Scope" in card and "| aorta | aorta | CT | abdomen | fine-tuning data |" in card


def test_a_known_finding_in_a_new_modality_extends_its_family(shared_data, lidc_crop):
    parent = installed_models()[DEFAULT_MODEL_ID].metadata["scope"]
    mr_only = copy.deepcopy(parent)
    nodules = next(f for f in mr_only["families"] if f["id"] == "lung-nodule")
    nodules["modalities"] = ["MR"]
    scope = fine_tuned_scope(mr_only, [lidc_crop], shared_data)
    extended = next(f for f in scope["families"] if f["id"] == "lung-nodule")
    assert extended["modalities"] == ["MR", "CT"] and extended["regions"] == ["chest"]
    assert extended["trained_on"].endswith("; fine-tuned on CT")
    assert nodules["modalities"] == ["MR"]  # the parent's scope is not changed
