"""``reinforcedvl finetune --model ID_OR_PATH --feedback EXPORT_DIR --out DIR``: a new model version from feedback."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..model_store.registry import DEFAULT_MODEL_ID
from ..vocabulary import device_choice
from .train_command import add_paraphrase_option

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "finetune",
        help="fine-tune a model on exported feedback",
        description="Train a new version of a model on the train patients of a feedback export (made by "
        "'reinforcedvl feedback export'), optionally replaying a sample of the original training data, and evaluate "
        "the model before and after on the export's held-out patients. Writes the checkpoint and its MODEL_CARD.md.",
    )
    parser.add_argument("--model", default=DEFAULT_MODEL_ID, metavar="ID_OR_PATH", help="the model to start from")
    parser.add_argument("--feedback", required=True, type=Path, metavar="DIR", help="feedback export folder")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="new checkpoint folder")
    parser.add_argument(
        "--replay-manifest", type=Path, metavar="FILE", help="original training manifest, e.g. manifests/triplets.jsonl"
    )
    parser.add_argument("--replay-data-root", type=Path, metavar="DIR", help="its data root, e.g. ../shared/data")
    parser.add_argument(
        "--replay", type=_count, default=0, metavar="N", help="original train triplets to mix in (default 0)"
    )
    parser.add_argument("--steps", type=_count, default=200)
    parser.add_argument("--learning-rate", type=float, default=3e-4)
    parser.add_argument("--warmup-steps", type=_count, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto", type=device_choice)
    parser.add_argument("--workers", type=_count, default=0, help="data-loading processes")
    parser.add_argument("--small-batch", type=_count, default=8, help="batch size of lung-crop patches")
    parser.add_argument("--large-batch", type=_count, default=2, help="batch size of whole-study patches")
    parser.add_argument("--model-id", help="the new model's id (default: the starting model's)")
    parser.add_argument("--version", help="the new version (default: the starting one + '+feedback.<date>')")
    add_paraphrase_option(parser)
    parser.add_argument("--no-evaluate", action="store_true", help="skip the before/after held-out evaluation")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..feedback.finetune import FineTuneSettings, fine_tune

    result = fine_tune(
        FineTuneSettings(
            checkpoint=args.model,
            feedback=args.feedback,
            out_dir=args.out,
            replay_manifest=args.replay_manifest,
            replay_data_root=args.replay_data_root,
            replay_triplets=args.replay,
            steps=args.steps,
            learning_rate=args.learning_rate,
            warmup_steps=args.warmup_steps,
            seed=args.seed,
            device=args.device,
            workers=args.workers,
            small_batch=args.small_batch,
            large_batch=args.large_batch,
            model_id=args.model_id,
            version=args.version,
            evaluate=not args.no_evaluate,
            paraphrase_consistency=args.paraphrase_consistency,
        )
    )
    identity = result.checkpoint.identity
    print(f"Checkpoint {identity.model_id} {identity.version} in {result.checkpoint.folder}")
    if result.evaluation is not None:
        print(result.evaluation.markdown())
    if result.model_card is not None:
        print(f"Model card: {result.model_card}")
    return 0


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a count: use a whole number, 0 or more")
    return int(text)
