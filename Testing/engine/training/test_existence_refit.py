"""Refitting the existence head alone: window evidence read by study, class-balanced fitting, the step count chosen
by leaving a brain out, and the refit script's checkpoint differing from its parent in the head's classifier only
(the real starter checkpoint; the window evidence is the real data script's, on one real LIDC crop)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from reinforcedvl.model_store.checkpoint import load_network, read_checkpoint
from reinforcedvl.model_store.registry import resolve_checkpoint
from reinforcedvl.training.existence_refit import (
    WindowEvidence,
    choose_steps,
    fit_classifier,
    held_out_loss,
    read_window_evidence,
)

REPOSITORY = Path(__file__).resolve().parents[3]
EVIDENCE_WIDTH = 3 * 128 + 2


def _synthetic(rows: int, present_share: float, seed: int, group: str = "g") -> WindowEvidence:
    """Evidence whose first feature tells present from absent (with noise), the rest noise."""
    random = np.random.default_rng(seed)
    present = random.random(rows) < present_share
    evidence = random.normal(size=(rows, 8)).astype(np.float32)
    evidence[:, 0] += np.where(present, 2.0, -2.0)
    return WindowEvidence(evidence, present, np.full(rows, group, dtype=object), np.full(rows, "f", dtype=object))


def _classifier(width: int = 8) -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(width, 16), torch.nn.GELU(), torch.nn.Linear(16, 1))


def test_a_fit_lowers_the_balanced_loss_and_answers_a_rare_class_right():
    train, test = _synthetic(2000, 0.1, seed=1), _synthetic(1000, 0.1, seed=2)
    classifier = _classifier()
    before = held_out_loss(classifier, test)
    losses = fit_classifier(classifier, train, steps=200, learning_rate=1e-2, held_out=test)
    assert len(losses) == 200 and losses[-1] < before / 2
    with torch.no_grad():
        answers = classifier(torch.from_numpy(test.evidence)).squeeze(-1).numpy() > 0
    # balanced weights: the rare present windows are found as often as the common absent ones are rejected
    assert answers[test.present].mean() > 0.95 and (~answers[~test.present]).mean() > 0.95


def test_the_steps_are_chosen_on_the_left_out_group_only():
    data = _synthetic(600, 0.5, seed=3, group="brain-a")
    other = _synthetic(600, 0.5, seed=4, group="brain-b")
    joined = WindowEvidence(
        *(np.concatenate([getattr(data, n), getattr(other, n)]) for n in WindowEvidence.__annotations__)
    )
    chosen = choose_steps(
        _classifier(), joined, max_steps=40, held_out_groups=["brain-a", "brain-b"], learning_rate=1e-2
    )
    assert set(chosen) == {"brain-a", "brain-b"} and all(1 <= steps <= 40 for steps in chosen.values())
    with pytest.raises(ValueError, match="brain-c"):
        choose_steps(_classifier(), joined, max_steps=5, held_out_groups=["brain-c"])


def test_window_evidence_is_read_by_patient_and_label_voxels(tmp_path):
    for name, voxels in [
        ("brain-pat1", [0, 5]),
        ("slab40-pat1-20", [1, 0]),
        ("box-pat2-3", [2, 2]),
        ("lidc-X_R_1", [9]),
    ]:
        rows = len(voxels)
        np.savez_compressed(
            tmp_path / f"{name}.npz",
            evidence=np.zeros((rows, 4), np.float32),
            voxels=np.asarray(voxels),
            finding=np.asarray(["whole tumour"] * rows),
            text=np.asarray(["whole tumour"] * rows),
        )
    data = read_window_evidence(tmp_path)
    assert sorted(data.group) == ["lidc", "pat1", "pat1", "pat1", "pat1", "pat2", "pat2"]
    assert data.present.sum() == 5
    assert read_window_evidence(tmp_path, min_voxels=2).present.sum() == 4
    with pytest.raises(FileNotFoundError, match="existence_head_data"):
        read_window_evidence(tmp_path / "empty")


def test_the_refit_checkpoint_differs_from_its_parent_in_the_head_classifier_only(shared_data, tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY / "ReinforcedVL")}
    windows = tmp_path / "windows"
    manifest = tmp_path / "one-crop.jsonl"
    lines = (REPOSITORY / "manifests" / "triplets.jsonl").read_text().splitlines()
    manifest.write_text(next(line for line in lines if '"split": "train"' in line and '"lidc"' in line) + "\n")
    collect = [sys.executable, str(REPOSITORY / "scripts" / "existence_head_data.py"), "--manifest", str(manifest)]
    collect += ["--split", "train", "--device", "cpu"]
    collect += ["--data-root", str(shared_data), "--out", str(windows), "--parts", "lidc", "--lidc", "1"]
    subprocess.run(collect, check=True, env=environment, capture_output=True)
    data = read_window_evidence(windows)
    assert data.evidence.shape[1] == EVIDENCE_WIDTH
    # the crop asked about its nodule (present) and two brain-tumour findings (absent), one window each
    assert sorted(data.finding) == ["enhancing tumour", "lung nodule", "whole tumour"]
    assert data.present.tolist() == [f == "lung nodule" for f in data.finding]
    # the steps are chosen by leaving a brain out: let the crop's windows pass for two brains
    (path,) = windows.glob("*.npz")
    path.rename(windows / "brain-brats_a.npz")
    (windows / "brain-brats_b.npz").write_bytes((windows / "brain-brats_a.npz").read_bytes())
    out = tmp_path / "refit"
    refit = [sys.executable, str(REPOSITORY / "scripts" / "refit_existence_head.py"), "--windows", str(windows)]
    refit += ["--out", str(out), "--version", "9.9.9", "--max-steps", "3"]
    subprocess.run(refit, check=True, env=environment, capture_output=True)
    parent, child = resolve_checkpoint("reinforcedvl-starter"), read_checkpoint(out)
    assert child.identity.version == "9.9.9" and child.metadata["existence_refit"]["steps"] >= 1
    assert child.metadata["scope"] == parent.metadata["scope"]
    before, after = load_network(parent).state_dict(), load_network(child).state_dict()
    changed = {name for name in before if not torch.equal(before[name], after[name])}
    assert changed and all(name.startswith("existence_head.classifier.") for name in changed)
    rerun = subprocess.run(refit, env=environment, capture_output=True, text=True)
    assert rerun.returncode != 0 and "not empty" in rerun.stderr
