"""Fine-tuning on exported feedback: the training loop of :mod:`reinforcedvl.training.trainer` started from a
checkpoint, on the export's ``train`` patients (plus, optionally, a replayed sample of the original training data so
the model does not forget), evaluated on the export's held-out ``dev`` patients before and after.

Example:
    >>> result = fine_tune(FineTuneSettings(checkpoint=Path("models/starter"), feedback=Path("feedback-export"),
    ...                                     out_dir=Path("models/site-v2"), steps=300))  # doctest: +SKIP
    >>> print(result.comparison_markdown)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..data.manifest import Triplet, read_manifest, write_manifest
from ..errors import InputFileError, OutputExistsError
from ..model_store.checkpoint import Checkpoint
from ..model_store.registry import resolve_checkpoint
from ..training.trainer import TrainingSettings, train
from .export import MANIFEST_FILE
from .model_card import EvaluationPair, write_model_card

__all__ = ["FineTuneSettings", "FineTuneResult", "training_manifest", "fine_tune"]

TRAINING_MANIFEST = "finetune-manifest.jsonl"


@dataclass(frozen=True)
class FineTuneSettings:
    """A fine-tuning run.

    Attributes:
        checkpoint: the model to start from (installed id or checkpoint folder).
        feedback: a folder written by ``reinforcedvl feedback export`` (its ``manifest.jsonl`` and files).
        out_dir: the new checkpoint's folder.
        replay_manifest: the original training manifest to replay a sample of; None replays nothing.
        replay_data_root: the folder that manifest's paths are relative to.
        replay_triplets: how many of its ``train`` triplets to mix in.
        steps, learning_rate, warmup_steps, seed, device, workers, small_batch, large_batch: as for ``train``.
        model_id: the new model's id (default: the starting model's).
        version: the new version (default: the starting version with ``+feedback.<UTC date and time>``).
        evaluate: run the held-out evaluation before and after.
        paraphrase_consistency: as for ``train`` (0: off).
    """

    checkpoint: str | Path
    feedback: Path
    out_dir: Path
    replay_manifest: Path | None = None
    replay_data_root: Path | None = None
    replay_triplets: int = 0
    steps: int = 200
    learning_rate: float = 3e-4
    warmup_steps: int = 10
    seed: int = 0
    device: str = "auto"
    workers: int = 0
    small_batch: int = 8
    large_batch: int = 2
    model_id: str | None = None
    version: str | None = None
    evaluate: bool = True
    paraphrase_consistency: float = 0.0


@dataclass(frozen=True)
class FineTuneResult:
    """The new checkpoint, the held-out evaluation of the model before and after (None when not run), and the model
    card (None on ranks other than 0)."""

    checkpoint: Checkpoint
    evaluation: EvaluationPair | None
    model_card: Path | None


def training_manifest(settings: FineTuneSettings) -> tuple[Path, list[Triplet]]:
    """Write the run's training manifest in ``out_dir``: the feedback ``train`` triplets and the replayed sample,
    every path relative to the feedback folder (the run's data root).

    Raises:
        InputFileError: the export or the replay manifest is missing, or the export has no ``train`` triplet.
    """
    feedback_manifest = settings.feedback / MANIFEST_FILE
    if not feedback_manifest.is_file():
        raise InputFileError(
            f"{settings.feedback} holds no {MANIFEST_FILE}. Pass the folder written by 'reinforcedvl feedback "
            "export --out DIR'."
        )
    triplets = read_manifest(feedback_manifest, split="train")
    if not triplets:
        raise InputFileError(
            f"The feedback export {settings.feedback} has no train triplets (every patient is held out, or no record "
            "was accepted or corrected). Collect feedback on more patients, or export with a smaller --dev-fraction."
        )
    replayed = _replayed(settings)
    path = settings.out_dir / TRAINING_MANIFEST
    # Under torchrun every rank writes the same manifest: each under its own name, then renamed into place, so that
    # no rank ever reads another's half-written file.
    partial = write_manifest([*triplets, *replayed], path.with_name(f"{path.name}.{os.getpid()}.partial"))
    os.replace(partial, path)
    return path, [*triplets, *replayed]


def fine_tune(settings: FineTuneSettings) -> FineTuneResult:
    """Fine-tune, evaluate before and after on the held-out feedback, write the model card; see the module.

    Under ``torchrun`` every rank trains (DDP) and rank 0 alone evaluates and writes the card (the other ranks
    return without evaluation).

    Raises:
        InputFileError, ModelNotFoundError, CheckpointError, OutputExistsError: bad inputs, explained.
    """
    parent = resolve_checkpoint(settings.checkpoint)
    if (settings.out_dir / "config.json").exists():
        raise OutputExistsError(f"{settings.out_dir} already holds a checkpoint; choose another --out folder.")
    manifest, triplets = training_manifest(settings)
    evaluates = settings.evaluate and int(os.environ.get("RANK", 0)) == 0
    before = _evaluate(parent.folder, settings) if evaluates else None
    version = settings.version or f"{parent.identity.version}+feedback.{datetime.now(timezone.utc):%Y%m%d%H%M}"
    checkpoint = train(
        TrainingSettings(
            manifest=manifest,
            data_root=settings.feedback,
            out_dir=settings.out_dir,
            steps=settings.steps,
            learning_rate=settings.learning_rate,
            warmup_steps=settings.warmup_steps,
            seed=settings.seed,
            device=settings.device,
            workers=settings.workers,
            small_batch=settings.small_batch,
            large_batch=settings.large_batch,
            checkpoint_every=max(settings.steps, 1),
            init_from=parent.folder,
            model_id=settings.model_id or parent.identity.model_id,
            version=version,
            paraphrase_consistency=settings.paraphrase_consistency,
        )
    )
    if int(os.environ.get("RANK", 0)) != 0:
        return FineTuneResult(checkpoint=checkpoint, evaluation=None, model_card=None)
    after = _evaluate(checkpoint.folder, settings) if evaluates else None
    evaluation = None if before is None or after is None else EvaluationPair(before, after)
    card = write_model_card(checkpoint, parent, settings_record(settings), triplets, evaluation)
    return FineTuneResult(checkpoint=checkpoint, evaluation=evaluation, model_card=card)


def settings_record(settings: FineTuneSettings) -> dict[str, Any]:
    """The settings as JSON-ready values, for the model card."""
    return {key: str(value) if isinstance(value, Path) else value for key, value in settings.__dict__.items()}


def _replayed(settings: FineTuneSettings) -> list[Triplet]:
    """A seeded sample of the original ``train`` triplets, paths made relative to the feedback folder."""
    if settings.replay_triplets <= 0:
        return []
    if settings.replay_manifest is None or settings.replay_data_root is None:
        raise InputFileError(
            "Replaying original training data needs its manifest and data root: pass --replay-manifest FILE and "
            "--replay-data-root DIR (e.g. manifests/triplets.jsonl and ../shared/data), or --replay 0."
        )
    if not settings.replay_manifest.is_file():
        raise InputFileError(f"The replay manifest {settings.replay_manifest} does not exist; check the path.")
    candidates = read_manifest(settings.replay_manifest, split="train")
    chosen = random.Random(settings.seed).sample(candidates, min(settings.replay_triplets, len(candidates)))
    root = settings.replay_data_root.resolve()
    base = settings.feedback.resolve()

    def moved(path: str) -> str:
        return os.path.relpath(root / path, base)

    return [
        replace(
            triplet,
            id=f"replay/{triplet.id}",
            images=tuple(moved(image) for image in triplet.images),
            mask=None if triplet.mask is None else moved(triplet.mask),
        )
        for triplet in chosen
    ]


def _evaluate(checkpoint_folder: Path, settings: FineTuneSettings) -> dict[str, Any] | None:
    """The held-out summary of one model on the export's ``dev`` split (None when it has none)."""
    from ..evaluation.evaluate import evaluate_manifest
    from ..evaluation.summary import summarize
    from ..predictor import Predictor

    manifest = settings.feedback / MANIFEST_FILE
    if not read_manifest(manifest, split="dev"):
        return None
    predictor = Predictor.from_model(checkpoint_folder, settings.device)
    rows = evaluate_manifest(manifest, settings.feedback, predictor, split="dev")
    return {"rows": rows, "summary": summarize(rows, predictor.config.existence_threshold)}
