"""The whole loop on real LIDC crops: the model answers, a reader corrects, the store keeps it, the export splits it
by patient, ``reinforcedvl finetune`` trains a new version (a few CPU steps, original data replayed) and evaluates it
before and after on the held-out patients, and ``reinforcedvl evaluate`` agrees with its model card.

The network is untrained (the ``untrained_checkpoint`` fixture): this checks the mechanics, not the gain."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from feedback_helpers import LIDC_CASES, correction, lidc_case
from reinforcedvl.cli.main import main
from reinforcedvl.data.manifest import read_manifest
from reinforcedvl.feedback import FeedbackStore, export_feedback
from reinforcedvl.feedback.finetune import TRAINING_MANIFEST
from reinforcedvl.feedback.model_card import MODEL_CARD_FILE
from reinforcedvl.model_store.checkpoint import load_network, read_checkpoint
from reinforcedvl.model_store.checkpoint_files import seal_checkpoint
from reinforcedvl.predictor import Predictor
from reinforcedvl.vocabulary import Modality

ORIGINAL_MANIFEST = Path(__file__).resolve().parents[3] / "manifests" / "triplets.jsonl"


@pytest.fixture(scope="module")
def feedback_export(shared_data, untrained_checkpoint, tmp_path_factory):
    """The model's answers on five nodules of four patients, each corrected to the reference mask, exported."""
    predictor = Predictor.from_model(untrained_checkpoint, "cpu")
    store = FeedbackStore(tmp_path_factory.mktemp("loop") / "store")
    for patient, name in LIDC_CASES:
        image, reference = lidc_case(shared_data, name)
        predictor.set_volume(image, modality=Modality.CT)
        answer = predictor.segment("solid lung nodule")
        store.add(replace(correction(image, reference, patient), model_mask=answer.lesion_map))
    return export_feedback(store, store.folder.parent / "export", dev_fraction=0.3)


def _run(capsys, *arguments) -> tuple[int, str, str]:
    code = main([str(a) for a in arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _licensed_copy(checkpoint: Path, folder: Path, licence: str) -> Path:
    """``checkpoint`` copied to ``folder`` with a weights licence in its metadata, as the starter has."""
    shutil.copytree(checkpoint, folder)
    document = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    document["metadata"]["weights_licence"] = licence
    (folder / "config.json").write_text(json.dumps(document), encoding="utf-8")
    seal_checkpoint(folder)  # a deliberate edit: its integrity record is renewed
    return folder


def test_store_export_finetune_evaluate(feedback_export, untrained_checkpoint, shared_data, tmp_path, capsys):
    out = tmp_path / "site-model"
    licence = "CC BY-NC-SA 3.0 (trained on BRATS data)"
    parent = _licensed_copy(untrained_checkpoint, tmp_path / "parent", licence)
    code, stdout, stderr = _run(
        capsys, "finetune", "--model", parent, "--feedback", feedback_export.folder, "--out", out,
        "--steps", "3", "--warmup-steps", "1", "--device", "cpu", "--small-batch", "2", "--large-batch", "1",
        "--replay-manifest", ORIGINAL_MANIFEST, "--replay-data-root", shared_data, "--replay", "2",
        "--version", "0.0.0+site.1",
    )  # fmt: skip
    assert code == 0, stderr
    assert f"Checkpoint untrained-test-model 0.0.0+site.1 in {out}" in stdout
    assert "| metric | before | after | change |" in stdout and "| Dice (present findings) |" in stdout

    training = read_manifest(out / TRAINING_MANIFEST)
    feedback_train = [t for t in training if t.source == "feedback"]
    replayed = [t for t in training if t.id.startswith("replay/")]
    assert len(feedback_train) == feedback_export.triplets["train"] and len(replayed) == 2
    assert all(t.split == "train" for t in training)
    for triplet in replayed:  # paths now relative to the export folder, the run's data root
        assert all((feedback_export.folder / path).is_file() for path in triplet.images)
    held_out_patients = {t.patient for t in read_manifest(feedback_export.manifest, split="dev")}
    assert held_out_patients and not held_out_patients & {t.patient for t in feedback_train}

    checkpoint = read_checkpoint(out)
    card = checkpoint.metadata["model_card"]
    assert card["parent"] == {"id": "untrained-test-model", "version": "0.0.0"}
    assert card["training_triplets"] == {"feedback": len(feedback_train), "replay": 2}
    assert [entry["metric"] for entry in card["held_out_evaluation"]][:2] == ["Dice (present findings)", "surface Dice"]
    assert checkpoint.metadata["training"]["steps_done"] == 3
    assert checkpoint.metadata["weights_licence"] == card["weights_licence"] == licence  # travels with the weights
    card_text = (out / MODEL_CARD_FILE).read_text(encoding="utf-8")
    assert card_text.startswith("# untrained-test-model 0.0.0+site.1") and f"Weights licence: {licence}" in card_text
    with (out / "evaluation" / "after.csv").open(encoding="utf-8") as handle:
        after_rows = list(csv.DictReader(handle))
    assert len(after_rows) == feedback_export.triplets["dev"]
    parent, child = load_network(read_checkpoint(untrained_checkpoint)), load_network(checkpoint)
    changed = [
        not torch.equal(a, b) for a, b in zip(parent.state_dict().values(), child.state_dict().values(), strict=True)
    ]
    assert any(changed)  # the fine-tuned weights moved

    code, stdout, stderr = _run(
        capsys, "evaluate", "--manifest", feedback_export.manifest, "--data-root", feedback_export.folder,
        "--out", tmp_path / "evaluation", "--model", out, "--device", "cpu",
    )  # fmt: skip
    assert code == 0, stderr
    summary = json.loads((tmp_path / "evaluation" / "summary.json").read_text(encoding="utf-8"))
    after_dice = next(e["after"] for e in card["held_out_evaluation"] if e["metric"] == "Dice (present findings)")
    assert summary["segmentation"]["feedback (all findings)"]["dice"] == pytest.approx(after_dice, abs=1e-3)
    assert summary["model"]["version"] == "0.0.0+site.1"
