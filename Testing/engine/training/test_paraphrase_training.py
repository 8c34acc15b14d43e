"""Paraphrase training on real LIDC crops and BraTS phrasings: every question is asked in two different phrasings
of its finding (the manifest's and the scope's, both spellings), the consistency term between the two answers is
computed, is zero exactly when they agree, and its gradient reaches the prompt-dependent network."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from reinforcedvl.data.build_manifest import build_triplets
from reinforcedvl.data.manifest import read_manifest, write_manifest
from reinforcedvl.errors import TrainingSettingsError
from reinforcedvl.modeling import ModelConfig, build_network
from reinforcedvl.preprocessing import Preprocessor
from reinforcedvl.training.batches import BatchSource
from reinforcedvl.training.losses import LossWeights, training_losses
from reinforcedvl.training.paraphrases import draw_phrasings, paraphrase_consistency, phrasing_pool
from reinforcedvl.training.progress_log import read_metrics
from reinforcedvl.training.trainer import TrainingSettings, _patch_groups, _phrasing_pools, train

NARROW = ModelConfig(encoder_channels=(4, 8, 16, 32), embed_dim=32, voxel_embed_dim=16)


@pytest.fixture(scope="module")
def lidc_manifest(shared_data, tmp_path_factory) -> Path:
    triplets = [t for t in build_triplets(shared_data) if t.source == "lidc" and t.split == "train"]
    chosen = [t for t in triplets if t.present][:4] + [t for t in triplets if not t.present][:2]
    return write_manifest(chosen, tmp_path_factory.mktemp("manifest") / "lidc.jsonl")


@pytest.fixture(scope="module")
def paraphrase_run(lidc_manifest, shared_data, tmp_path_factory) -> TrainingSettings:
    """Two training steps with the consistency term (prepares the cache and the prompt table of every phrasing)."""
    settings = _settings(lidc_manifest, shared_data, tmp_path_factory.mktemp("paraphrase") / "run")
    train(settings)
    return settings


def _settings(manifest: Path, shared_data: Path, out: Path, **changes) -> TrainingSettings:
    base = TrainingSettings(
        manifest=manifest,
        data_root=shared_data,
        out_dir=out,
        steps=2,
        learning_rate=1e-3,
        warmup_steps=1,
        device="cpu",
        workers=0,
        log_every=1,
        checkpoint_every=1000,
        small_batch=4,
        seed=5,
        model_config=NARROW,
        paraphrase_consistency=1.0,
    )
    return replace(base, **changes)


def test_pools_hold_the_scopes_phrasings_in_both_spellings(shared_data):
    brats = next(t for t in build_triplets(shared_data) if t.source == "brats" and t.finding == "whole tumour")
    pool = phrasing_pool(brats, "whole tumour")
    assert set(brats.descriptions) <= set(pool)
    assert {"whole tumour", "whole tumor", "brain tumour", "brain tumor"} <= set(pool)
    assert phrasing_pool(brats, None) == tuple(dict.fromkeys(  # no scope finding: its own words only
        variant for d in brats.descriptions for variant in (d, d.replace("tumour", "tumor").replace("oedema", "edema"))
    ))  # fmt: skip
    drawn = draw_phrasings(pool, 2, random.Random(0))
    assert len(set(drawn)) == 2 and set(drawn) <= set(pool)


def test_a_paraphrase_run_asks_each_question_twice_and_logs_the_term(paraphrase_run, lidc_manifest, shared_data):
    settings = paraphrase_run
    records = read_metrics(settings.out_dir / "metrics.jsonl")
    assert len(records) == 2 and all(record["paraphrase_consistency"] >= 0 for record in records)
    assert any(record["paraphrase_consistency"] > 0 for record in records)

    triplets = read_manifest(lidc_manifest, split="train")
    pools = _phrasing_pools(settings, triplets, {"findings": ["lung nodule"]})
    assert all({"lung nodule", "pulmonary nodule"} <= set(pools[t.id]) for t in triplets if t.present)
    source = BatchSource(
        _patch_groups(triplets, settings),
        data_root=shared_data,
        cache_dir=settings.cache_folder,
        prompt_table=settings.prompt_table_path,  # made by the run, holding every pool's phrasings
        preprocessor=Preprocessor(spacing_mm=NARROW.spacing_mm, in_channels=NARROW.in_channels),
        seed=0,
        steps=4,
        phrasings_per_item=2,
        phrasing_pools=pools,
    )
    for step in range(4):
        batch = source[step]
        assert batch["pairs"].tolist() == [[0, 1], [2, 3]]  # 4 items: 2 patches, each in 2 phrasings
        for first, second in batch["pairs"].tolist():
            assert batch["findings"][first] == batch["findings"][second]
            assert batch["descriptions"][first] != batch["descriptions"][second]
            torch.testing.assert_close(batch["image"][first], batch["image"][second])
            torch.testing.assert_close(batch["mask"][first], batch["mask"][second])


def test_the_term_is_zero_when_the_answers_agree_and_its_gradient_flows(paraphrase_run, lidc_manifest, shared_data):
    settings = paraphrase_run
    triplets = read_manifest(lidc_manifest, split="train")
    source = BatchSource(
        _patch_groups(triplets, settings),
        data_root=shared_data,
        cache_dir=settings.cache_folder,
        prompt_table=settings.prompt_table_path,
        preprocessor=Preprocessor(spacing_mm=NARROW.spacing_mm, in_channels=NARROW.in_channels),
        seed=1,
        steps=1,
        phrasings_per_item=2,
        phrasing_pools=_phrasing_pools(settings, triplets, {"findings": ["lung nodule"]}),
    )
    batch = source[0]
    torch.manual_seed(0)
    network = build_network(NARROW).train()
    output = network(batch["image"], batch["text_states"], batch["text_mask"])
    same = torch.tensor([[0, 0], [2, 2]])
    assert paraphrase_consistency(output.mask_logits, output.existence_logits, same).item() == 0.0
    term = paraphrase_consistency(output.mask_logits, output.existence_logits, batch["pairs"])
    assert float(term) > 0  # two phrasings, two different answers from an untrained network
    term.backward()
    text_path = [p.grad for name, p in network.named_parameters() if name.startswith("text_projection.")]
    assert text_path and all(g is not None for g in text_path) and any(float(g.abs().sum()) > 0 for g in text_path)

    network.zero_grad()
    output = network(batch["image"], batch["text_states"], batch["text_mask"])
    mask, present = batch["mask"], batch["present"]
    off = training_losses(output, mask, present, batch["findings"], LossWeights(), batch["pairs"])
    on = training_losses(output, mask, present, batch["findings"], LossWeights(consistency=2.0), batch["pairs"])
    assert float(on["total"] - off["total"]) == pytest.approx(2.0 * float(on["paraphrase_consistency"]), rel=1e-4)


def test_a_batch_that_cannot_hold_pairs_is_refused(lidc_manifest, shared_data, tmp_path):
    with pytest.raises(TrainingSettingsError, match="multiple of 2"):
        _settings(lidc_manifest, shared_data, tmp_path / "run", small_batch=3)
    with pytest.raises(TrainingSettingsError, match="not a weight"):
        _settings(lidc_manifest, shared_data, tmp_path / "run", paraphrase_consistency=-1.0)
