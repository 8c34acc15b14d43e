"""Short real training runs on real LIDC crops: the loss goes down, a resumed run equals an uninterrupted one,
and two DDP processes (gloo, CPU) keep identical replicas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from reinforcedvl.data.build_manifest import build_triplets
from reinforcedvl.data.manifest import read_manifest, write_manifest
from reinforcedvl.model_store.checkpoint import load_network, read_checkpoint
from reinforcedvl.modeling import ModelConfig
from reinforcedvl.training.progress_log import read_metrics
from reinforcedvl.training.trainer import TrainingSettings, train


@pytest.fixture(scope="module")
def small_manifest(shared_data, tmp_path_factory) -> Path:
    """Eight lung-crop triplets of the train split (six nodules, two absent probes)."""
    triplets = [t for t in build_triplets(shared_data) if t.source == "lidc" and t.split == "train"]
    chosen = [t for t in triplets if t.present][:6] + [t for t in triplets if not t.present][:2]
    return write_manifest(chosen, tmp_path_factory.mktemp("manifest") / "small.jsonl")


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("prepared")


# A narrow network keeps these CPU runs short; the training code is the same at any width.
NARROW = ModelConfig(encoder_channels=(4, 8, 16, 32), embed_dim=32, voxel_embed_dim=16)


def _settings(manifest, shared_data, cache, out, **changes) -> TrainingSettings:
    base = TrainingSettings(
        manifest=manifest,
        data_root=shared_data,
        out_dir=out,
        cache_dir=cache,
        steps=40,
        learning_rate=3e-3,
        warmup_steps=3,
        device="cpu",
        workers=0,
        log_every=1,
        checkpoint_every=1000,
        small_batch=4,
        seed=3,
        model_config=NARROW,
    )
    return replace(base, **changes)


def test_loss_goes_down_on_real_crops(small_manifest, shared_data, cache, tmp_path):
    checkpoint = train(_settings(small_manifest, shared_data, cache, tmp_path / "run"))
    losses = [record["total"] for record in read_metrics(tmp_path / "run" / "metrics.jsonl")]
    assert len(losses) == 40
    assert sum(losses[-8:]) / 8 < 0.7 * sum(losses[:8]) / 8
    assert checkpoint.metadata["training"]["steps_done"] == 40
    assert "lung nodule" in checkpoint.metadata["findings"]
    assert (tmp_path / "run" / "loss_curve.png").stat().st_size > 10_000


class _Crash(Exception):
    pass


def test_resumed_run_equals_an_uninterrupted_one(small_manifest, shared_data, cache, tmp_path, monkeypatch):
    from reinforcedvl.training import trainer

    straight = train(_settings(small_manifest, shared_data, cache, tmp_path / "straight", steps=6))
    save = trainer._save

    def save_then_crash(settings, network, config, optimizer, step, *rest):
        save(settings, network, config, optimizer, step, *rest)
        raise _Crash(f"killed after the checkpoint of step {step}")

    monkeypatch.setattr(trainer, "_save", save_then_crash)
    with pytest.raises(_Crash):
        train(_settings(small_manifest, shared_data, cache, tmp_path / "resumed", steps=6, checkpoint_every=3))
    monkeypatch.setattr(trainer, "_save", save)
    resumed = train(_settings(small_manifest, shared_data, cache, tmp_path / "resumed", steps=6, resume=True))
    assert resumed.metadata["training"]["steps_done"] == 6
    for (name, a), b in zip(
        load_network(straight).state_dict().items(), load_network(resumed).state_dict().values(), strict=True
    ):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=name)


def test_an_existing_run_is_not_overwritten(small_manifest, shared_data, cache, tmp_path):
    from reinforcedvl.errors import OutputExistsError

    train(_settings(small_manifest, shared_data, cache, tmp_path / "run", steps=1))
    with pytest.raises(OutputExistsError, match="--resume"):
        train(_settings(small_manifest, shared_data, cache, tmp_path / "run", steps=1))


def test_two_ddp_processes_stay_in_sync(small_manifest, shared_data, cache, tmp_path):
    train(_settings(small_manifest, shared_data, cache, tmp_path / "warm", steps=1))  # prepares the cache once
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        "29533",
        "-m",
        "reinforcedvl.cli.main",
        "train",
        "--manifest",
        str(small_manifest),
        "--data-root",
        str(shared_data),
        "--cache",
        str(cache),
        "--out",
        str(tmp_path / "ddp"),
        "--device",
        "cpu",
        "--workers",
        "0",
        "--steps",
        "4",
        "--small-batch",
        "2",
        "--checkpoint-every",
        "2",
        "--seed",
        "5",
    ]
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)
    assert completed.returncode == 0, completed.stderr[-3000:]
    training = json.loads((tmp_path / "ddp" / "config.json").read_text())["metadata"]["training"]
    checksums = training["replica_checksums"]
    assert len(checksums) == 2 and checksums[0] == pytest.approx(checksums[1], rel=1e-9)
    assert training["steps_done"] == 4
    assert read_checkpoint(tmp_path / "ddp").identity.model_id == "reinforcedvl-custom"


@pytest.fixture(scope="module")
def brats_manifest(shared_data, tmp_path_factory) -> Path:
    """The sub-region and absent-finding triplets of one BraTS training case."""
    triplets = [t for t in build_triplets(shared_data) if t.source == "brats" and t.split == "train"]
    first = triplets[0].patient
    return write_manifest([t for t in triplets if t.patient == first], tmp_path_factory.mktemp("brats") / "b.jsonl")


def test_prompts_share_a_patch_and_the_frozen_encoder_stays_put(brats_manifest, shared_data, tmp_path):
    from reinforcedvl.modeling import build_network
    from reinforcedvl.preprocessing import Preprocessor
    from reinforcedvl.training.batches import BatchSource
    from reinforcedvl.training.trainer import _patch_groups

    settings = _settings(
        brats_manifest,
        shared_data,
        tmp_path / "cache",
        tmp_path / "run",
        steps=3,
        large_patch=32,
        large_batch=4,
        prompts_per_patch=4,
        freeze_image_encoder=True,
    )
    trained = load_network(train(settings)).state_dict()
    torch.manual_seed(settings.seed)
    initial = build_network(NARROW).state_dict()
    for name, value in initial.items():
        changed = not torch.equal(value, trained[name])
        assert changed != name.startswith("vision_encoder."), name  # only the prompt-dependent parts learn

    triplets = [t for t in read_manifest(brats_manifest, split="train")]
    source = BatchSource(
        _patch_groups(triplets, settings),
        data_root=shared_data,
        cache_dir=settings.cache_folder,
        prompt_table=settings.prompt_table_path,
        preprocessor=Preprocessor(spacing_mm=NARROW.spacing_mm, in_channels=NARROW.in_channels),
        seed=0,
        steps=6,
    )
    for step in range(6):
        batch = source[step]
        assert len(batch["findings"]) == 4 and len(set(batch["findings"])) == 4
        for image in batch["image"][1:]:
            torch.testing.assert_close(image, batch["image"][0])  # one patch, four questions about it
        whole = [i for i, f in enumerate(batch["findings"]) if f == "whole tumour"]
        for row, finding in enumerate(batch["findings"]):
            if whole and not finding.startswith("absent"):
                assert not (batch["mask"][row] > batch["mask"][whole[0]]).any()  # every sub-region lies in it


def test_a_fine_tuned_checkpoint_keeps_its_parents_licence_and_lineage(small_manifest, shared_data, cache, tmp_path):
    from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID, installed_models

    parent = installed_models()[DEFAULT_MODEL_ID]
    settings = _settings(small_manifest, shared_data, cache, tmp_path / "run", steps=1, small_batch=2)
    child = read_checkpoint(train(replace(settings, init_from=parent.folder, model_config=None)).folder)

    assert child.metadata["weights_licence"] == parent.metadata["weights_licence"]  # BRATS data: CC BY-NC-SA
    assert child.metadata["training_data"] == parent.metadata["training_data"]
    assert child.metadata["training"]["steps_done"] == 1
    lineage = child.metadata["fine_tuned_from"]
    assert (lineage["id"], lineage["version"]) == (parent.identity.model_id, parent.identity.version)
    assert lineage["training"] == parent.metadata["training"]
    assert set(parent.metadata["findings"]) <= set(child.metadata["findings"])  # organs, tumour regions and nodules


def test_a_batch_that_does_not_hold_whole_patches_is_refused(small_manifest, shared_data, cache, tmp_path):
    from reinforcedvl.errors import TrainingSettingsError

    with pytest.raises(TrainingSettingsError, match="multiple of --prompts-per-patch"):
        _settings(small_manifest, shared_data, cache, tmp_path / "run", large_batch=3, prompts_per_patch=2)
