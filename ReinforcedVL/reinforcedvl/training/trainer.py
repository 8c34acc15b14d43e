"""The training loop: CPU or GPU (bf16 autocast), one process or many under ``torchrun`` (DDP), seeded, resumable.

Example:
    >>> settings = TrainingSettings(manifest=Path("manifests/triplets.jsonl"), data_root=Path("../shared/data"),
    ...                             out_dir=Path("runs/starter"), steps=4000)  # doctest: +SKIP
    >>> train(settings)  # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader
from tqdm import tqdm

from ..data.manifest import Triplet, read_manifest
from ..errors import OutputExistsError, TrainingSettingsError
from ..model_store.checkpoint import Checkpoint, ModelIdentity, load_network, read_checkpoint, save_checkpoint
from ..modeling import ModelConfig, build_network
from ..modeling.device import resolve_device
from ..preprocessing import Preprocessor
from ..scope.checkpoint_scope import CheckpointScope
from .batches import BatchSource
from .losses import LossWeights, training_losses
from .paraphrases import phrasing_pool
from .patches import PatchGroup
from .prepared_studies import ensure_prepared_study
from .progress_log import plot_loss_curve
from .scope_inheritance import canonical_findings, fine_tuned_scope
from .training_state import STATE_JSON, load_training_state, save_training_state

__all__ = ["TrainingSettings", "train"]


@dataclass(frozen=True)
class TrainingSettings:
    """Everything a training run depends on (saved with its checkpoint)."""

    manifest: Path
    data_root: Path
    out_dir: Path
    cache_dir: Path | None = None
    prompt_table: Path | None = None
    steps: int = 4000
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    warmup_steps: int = 200
    seed: int = 0
    device: str = "auto"
    workers: int = 2
    checkpoint_every: int = 500
    log_every: int = 10
    correlation_steps: int | None = None
    small_batch: int = 16
    large_batch: int = 4
    large_patch: int = 96
    prompts_per_patch: int = 1
    freeze_image_encoder: bool = False
    init_from: Path | None = None
    model_id: str = "reinforcedvl-custom"
    version: str = "0.1.0"
    resume: bool = False
    time_limit_minutes: float | None = None
    model_config: ModelConfig | None = None
    sources: tuple[str, ...] | None = None
    paraphrase_consistency: float = 0.0

    def __post_init__(self) -> None:
        if self.prompts_per_patch < 1 or self.large_batch % self.prompts_per_patch:
            raise TrainingSettingsError(
                f"--large-batch {self.large_batch} is not a multiple of --prompts-per-patch {self.prompts_per_patch}: "
                "each whole-study patch is asked that many findings, so choose a batch that holds whole patches."
            )
        if not (math.isfinite(self.paraphrase_consistency) and self.paraphrase_consistency >= 0):
            raise TrainingSettingsError(
                f"--paraphrase-consistency {self.paraphrase_consistency} is not a weight: give 0 (off) or more."
            )
        phrasings = self.phrasings_per_item
        if self.small_batch % phrasings or self.large_batch % (self.prompts_per_patch * phrasings):
            raise TrainingSettingsError(
                f"With --paraphrase-consistency every question is asked in {phrasings} phrasings: --small-batch "
                f"({self.small_batch}) must be a multiple of {phrasings} and --large-batch ({self.large_batch}) of "
                f"{self.prompts_per_patch * phrasings} (--prompts-per-patch x {phrasings})."
            )

    @property
    def phrasings_per_item(self) -> int:
        """How many phrasings each question is asked in: 2 with the paraphrase consistency term, else 1."""
        return 2 if self.paraphrase_consistency > 0 else 1

    @property
    def cache_folder(self) -> Path:
        return self.cache_dir or self.out_dir / "prepared"

    @property
    def prompt_table_path(self) -> Path:
        return self.prompt_table or self.cache_folder / "prompt_table.safetensors"


def train(settings: TrainingSettings) -> Checkpoint:
    """Train a network on the manifest's train split and save a checkpoint in ``settings.out_dir``."""
    rank, world_size = _start_distributed(settings)
    compute = resolve_device(settings.device)
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0))) if compute.is_gpu else compute.device
    torch.backends.cudnn.benchmark = compute.is_gpu
    triplets = [t for t in read_manifest(settings.manifest, split="train") if _included(t, settings)]
    config, network = _initial_network(settings)
    lasting_metadata = _lasting_metadata(settings, triplets)
    pools = _phrasing_pools(settings, triplets, lasting_metadata)
    preprocessor = Preprocessor(spacing_mm=config.spacing_mm, in_channels=config.in_channels)
    if rank == 0:
        _check_output_folder(settings)
        _prepare_inputs(settings, triplets, preprocessor, config, pools)
    if world_size > 1:
        dist.barrier()
    network.to(device).train()
    if settings.freeze_image_encoder:
        network.vision_encoder.requires_grad_(False)
    trainable = [p for p in network.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=settings.learning_rate, weight_decay=settings.weight_decay)
    start = 0
    if settings.resume and (settings.out_dir / STATE_JSON).exists():
        network.load_state_dict(load_network(read_checkpoint(settings.out_dir), device).state_dict())
        start = int(load_training_state(settings.out_dir, optimizer)["step"])
    model = DistributedDataParallel(network) if world_size > 1 else network
    source = BatchSource(
        _patch_groups(triplets, settings),
        data_root=settings.data_root,
        cache_dir=settings.cache_folder,
        prompt_table=settings.prompt_table_path,
        preprocessor=preprocessor,
        seed=settings.seed,
        steps=settings.steps,
        rank=rank,
        world_size=world_size,
        phrasings_per_item=settings.phrasings_per_item,
        phrasing_pools=pools,
    )
    loss_weights = LossWeights(consistency=settings.paraphrase_consistency)
    loader = DataLoader(
        source,
        batch_size=None,
        sampler=range(start, settings.steps),
        num_workers=settings.workers,
        persistent_workers=settings.workers > 0,
        pin_memory=compute.is_gpu,
    )
    log = settings.out_dir / "metrics.jsonl"
    started = time.perf_counter()
    samples = 0
    bar = tqdm(total=settings.steps, initial=start, desc="training", unit="step", disable=rank != 0)
    clock = _TrainingClock(settings)
    for step, batch in zip(range(start, settings.steps), loader, strict=True):
        for group in optimizer.param_groups:
            group["lr"] = settings.learning_rate * _schedule(clock.progress(step), step, settings.warmup_steps)
        losses = _step(model, optimizer, batch, device, compute.is_gpu, loss_weights)
        samples += len(batch["present"]) * world_size
        bar.update(1)
        if rank == 0 and (step % settings.log_every == 0 or step == settings.steps - 1):
            rate = samples / (time.perf_counter() - started)
            _append_log(
                log,
                {
                    "step": step,
                    "lr": optimizer.param_groups[0]["lr"],
                    "group": batch["group"],
                    "samples_per_second": round(rate, 2),
                    **losses,
                },
            )
            bar.set_postfix(loss=f"{losses['total']:.3f}")
        last = step == settings.steps - 1 or clock.out_of_time(world_size, device)
        if (step + 1) % settings.checkpoint_every == 0 or last:
            checksums = _replica_checksums(network, world_size, device)
            if rank == 0:
                _save(
                    settings,
                    network,
                    config,
                    lasting_metadata,
                    optimizer,
                    step + 1,
                    time.perf_counter() - started,
                    samples,
                    checksums,
                    compute.description,
                )
        if last:
            break
    bar.close()
    if world_size > 1:
        dist.barrier()
        dist.destroy_process_group()
    return read_checkpoint(settings.out_dir)


def _included(triplet: Triplet, settings: TrainingSettings) -> bool:
    return settings.sources is None or triplet.source in settings.sources


def _start_distributed(settings: TrainingSettings) -> tuple[int, int]:
    """Join the process group ``torchrun`` set up (NCCL on GPUs, gloo on CPUs); (0, 1) when run alone."""
    world_size = int(os.environ.get("WORLD_SIZE", 1))
    if world_size == 1:
        return 0, 1
    if not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() and settings.device != "cpu" else "gloo"
        dist.init_process_group(backend)
        if backend == "nccl":
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    return dist.get_rank(), world_size


def _initial_network(settings: TrainingSettings) -> tuple[ModelConfig, torch.nn.Module]:
    torch.manual_seed(settings.seed)
    if settings.init_from is not None:
        checkpoint = read_checkpoint(settings.init_from)
        return checkpoint.config, load_network(checkpoint).train()
    config = settings.model_config or ModelConfig()
    if settings.correlation_steps is not None:
        config = config.replace(correlation_steps=settings.correlation_steps)
    return config, build_network(config)


def _check_output_folder(settings: TrainingSettings) -> None:
    if settings.resume or not (settings.out_dir / "config.json").exists():
        settings.out_dir.mkdir(parents=True, exist_ok=True)
        return
    raise OutputExistsError(
        f"{settings.out_dir} already holds a trained checkpoint. Pass --resume to continue that run, or choose "
        "another --out folder."
    )


def _prepare_inputs(
    settings: TrainingSettings,
    triplets: list[Triplet],
    preprocessor: Preprocessor,
    config: ModelConfig,
    pools: dict[str, tuple[str, ...]],
) -> None:
    """Prepare every training study once (cached) and the prompt table, before workers start; a table made for
    fewer prompts (an earlier run without paraphrases) is made again for all of them."""
    from ..modeling.precomputed_text import PrecomputedTextEncoder, save_prompt_table

    studies = {(*t.images, t.mask or ""): t for t in triplets}
    for triplet in tqdm(studies.values(), desc="preparing studies", unit="study", leave=False):
        ensure_prepared_study(triplet, settings.data_root, settings.cache_folder, preprocessor)
    prompts = {d for t in triplets for d in t.descriptions} | {p for pool in pools.values() for p in pool}
    path = settings.prompt_table_path
    if path.exists():
        table = PrecomputedTextEncoder(path)
        if all(prompt in table for prompt in prompts):
            return
        prompts |= table.prompts
    from ..modeling import TextEncoder

    encoder = TextEncoder.from_bundled_weights(max_tokens=config.max_prompt_tokens)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    save_prompt_table(encoder, prompts, partial)
    os.replace(partial, path)


def _phrasing_pools(
    settings: TrainingSettings, triplets: list[Triplet], lasting_metadata: dict[str, Any]
) -> dict[str, tuple[str, ...]]:
    """Triplet id -> the phrasings it may be asked in (paraphrase training only; empty otherwise). The scope's
    phrasings count for the finding the checkpoint's ``metadata.scope`` reads a triplet's finding as (without a
    scope: the run's findings as named)."""
    if settings.phrasings_per_item == 1:
        return {}
    if "scope" in lasting_metadata:
        canonical = canonical_findings(triplets, CheckpointScope.from_metadata(lasting_metadata))
    else:
        canonical = {finding: finding for finding in lasting_metadata.get("findings", [])}
    return {t.id: phrasing_pool(t, canonical.get(t.finding)) for t in triplets}


def _patch_groups(triplets: list[Triplet], settings: TrainingSettings) -> list[PatchGroup]:
    small = tuple(t for t in triplets if t.source == "lidc")
    large = tuple(t for t in triplets if t.source != "lidc")
    groups = []
    if small:
        groups.append(PatchGroup("lung crops", small, (48, 48, 32), settings.small_batch, weight=0.45))
    if large:
        groups.append(
            PatchGroup(
                "whole studies",
                large,
                (settings.large_patch,) * 3,
                settings.large_batch,
                weight=0.55,
                prompts_per_patch=settings.prompts_per_patch,
            )
        )
    return groups


class _TrainingClock:
    """How far the run is: by steps, or by time when a time limit is set (whichever is further)."""

    def __init__(self, settings: TrainingSettings) -> None:
        self.settings = settings
        self.started = time.perf_counter()

    def progress(self, step: int) -> float:
        by_steps = step / max(self.settings.steps, 1)
        if self.settings.time_limit_minutes is None:
            return by_steps
        by_time = (time.perf_counter() - self.started) / (60 * self.settings.time_limit_minutes)
        return min(max(by_steps, by_time), 1.0)

    def out_of_time(self, world_size: int, device: torch.device) -> bool:
        """Whether the time limit is reached (agreed across DDP ranks, so all stop at the same step)."""
        if self.settings.time_limit_minutes is None:
            return False
        elapsed = time.perf_counter() - self.started
        done = torch.tensor([float(elapsed >= 60 * self.settings.time_limit_minutes)], device=device)
        if world_size > 1:
            dist.all_reduce(done, op=dist.ReduceOp.MAX)
        return bool(done.item())


def _schedule(progress: float, step: int, warmup_steps: int) -> float:
    """Learning-rate factor: linear warm-up over the first steps, then cosine decay to zero by progress 1."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    return 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))


def _step(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: dict,
    device: torch.device,
    use_amp: bool,
    weights: LossWeights,
) -> dict[str, float]:
    image = batch["image"].to(device, non_blocking=True)
    mask = batch["mask"].to(device, non_blocking=True)
    present = batch["present"].to(device)
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_amp):
        output = model(image, batch["text_states"].to(device), batch["text_mask"].to(device))
    losses = training_losses(output, mask, present, batch["findings"], weights, batch["pairs"])
    optimizer.zero_grad(set_to_none=True)
    losses["total"].backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return {name: round(float(value.detach()), 5) for name, value in losses.items()}


def _replica_checksums(network: torch.nn.Module, world_size: int, device: torch.device) -> list[float]:
    """Sum of every parameter on every rank: DDP replicas must agree (checked, not assumed)."""
    total = sum(float(p.detach().double().sum()) for p in network.parameters())
    if world_size == 1:
        return [total]
    checksum = torch.tensor([total], dtype=torch.float64, device=device)
    gathered = [torch.zeros_like(checksum) for _ in range(world_size)]
    dist.all_gather(gathered, checksum)
    values = [float(g) for g in gathered]
    if max(values) - min(values) > 1e-6 * max(1.0, abs(values[0])):
        raise RuntimeError(f"DDP replicas diverged: parameter checksums {values}")
    return values


def _save(
    settings: TrainingSettings,
    network: torch.nn.Module,
    config: ModelConfig,
    lasting_metadata: dict[str, Any],
    optimizer: torch.optim.Optimizer,
    step: int,
    seconds: float,
    samples: int,
    checksums: list[float],
    device: str,
) -> None:
    record = {
        "settings": {
            k: str(v) if isinstance(v, Path) else v for k, v in asdict(settings).items() if k != "model_config"
        },
        "steps_done": step,
        "seconds": round(seconds, 1),
        "samples_per_second": round(samples / max(seconds, 1e-9), 2),
        "device": device,
        "replica_checksums": checksums,
    }
    identity = ModelIdentity(settings.model_id, settings.version)
    save_checkpoint(settings.out_dir, network, config, identity, {"training": record, **lasting_metadata})
    save_training_state(settings.out_dir, optimizer, {"step": step})
    plot_loss_curve(settings.out_dir / "metrics.jsonl", settings.out_dir / "loss_curve.png")


def _append_log(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")


# What a fine-tuned checkpoint keeps from its parent: the weights still derive from the parent's training data, so
# its licence and attributions travel with them.
_INHERITED_METADATA = ("weights_licence", "training_data", "intended_use")


def _lasting_metadata(settings: TrainingSettings, triplets: list[Triplet]) -> dict[str, Any]:
    """What every checkpoint of the run records beside its training record, worked out once: the findings it is
    trained on (``triplets``, the run's train split) and, when it starts from a parent, the parent's licence, data,
    findings and lineage, and the parent's scope extended by the run's data (:mod:`.scope_inheritance`)."""
    findings = {t.finding for t in triplets if t.present}
    if settings.init_from is None:
        return {"findings": sorted(findings)}
    parent = read_checkpoint(settings.init_from)
    inherited = {key: parent.metadata[key] for key in _INHERITED_METADATA if key in parent.metadata}
    lineage = {key: parent.metadata[key] for key in ("training", "fine_tuned_from") if key in parent.metadata}
    scope = (
        {"scope": fine_tuned_scope(parent.metadata["scope"], triplets, settings.data_root)}
        if "scope" in parent.metadata
        else {}
    )
    return {
        **inherited,
        "findings": sorted({*findings, *parent.metadata.get("findings", [])}),
        "fine_tuned_from": {**parent.identity.to_dict(), **lineage},
        **scope,
    }
