"""``reinforcedvl train --manifest M --data-root D --out DIR``: train (or resume, or fine-tune) a model."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..vocabulary import device_choice

__all__ = ["add_parser", "add_paraphrase_option", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a model on a triplet manifest",
        description="Train on the manifest's train split. Runs on the GPU with bf16 mixed precision when there is "
        "one; under torchrun the same command trains with DDP across processes.",
    )
    parser.add_argument("--manifest", required=True, type=Path, help="triplet manifest (JSON lines)")
    parser.add_argument("--data-root", required=True, type=Path, help="folder the manifest's paths are relative to")
    parser.add_argument("--out", required=True, type=Path, help="checkpoint folder to write")
    parser.add_argument("--cache", type=Path, help="prepared-study cache (default: OUT/prepared)")
    parser.add_argument("--prompt-table", type=Path, help="precomputed prompt token states (default: in the cache)")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--warmup-steps", type=int, default=200, help="steps of linear learning-rate warm-up")
    parser.add_argument(
        "--sources",
        nargs="+",
        metavar="SOURCE",
        help="train only on these manifest sources (e.g. lidc brats); default all",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="auto", type=device_choice)
    parser.add_argument("--workers", type=int, default=2, help="data-loading processes")
    parser.add_argument("--correlation-steps", type=int, help="K, the correlation loop iterations (0: one-way)")
    parser.add_argument("--small-batch", type=int, default=16, help="batch size of lung-crop patches")
    parser.add_argument("--large-batch", type=int, default=4, help="batch size of whole-study patches")
    parser.add_argument("--large-patch", type=int, default=96, help="edge in voxels of whole-study patches")
    parser.add_argument(
        "--prompts-per-patch",
        type=int,
        default=1,
        help="ask each whole-study patch this many different findings of its study (the prompt must decide the "
        "mask); --large-batch must be a multiple of it",
    )
    parser.add_argument(
        "--freeze-image-encoder",
        action="store_true",
        help="train only the prompt-dependent parts (text projection, decoder, existence head)",
    )
    add_paraphrase_option(parser)
    parser.add_argument("--checkpoint-every", type=int, default=500)
    parser.add_argument("--init-from", type=Path, help="start from this checkpoint's weights (fine-tuning)")
    parser.add_argument("--model-id", default="reinforcedvl-custom")
    parser.add_argument("--version", default="0.1.0")
    parser.add_argument("--resume", action="store_true", help="continue the run saved in OUT")
    parser.add_argument(
        "--time-limit-minutes",
        type=float,
        help="stop after this long (the learning-rate schedule follows time instead of steps)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..training.trainer import TrainingSettings, train

    checkpoint = train(
        TrainingSettings(
            manifest=args.manifest,
            data_root=args.data_root,
            out_dir=args.out,
            cache_dir=args.cache,
            prompt_table=args.prompt_table,
            steps=args.steps,
            learning_rate=args.learning_rate,
            warmup_steps=args.warmup_steps,
            sources=tuple(args.sources) if args.sources else None,
            seed=args.seed,
            device=args.device,
            workers=args.workers,
            correlation_steps=args.correlation_steps,
            small_batch=args.small_batch,
            large_batch=args.large_batch,
            large_patch=args.large_patch,
            prompts_per_patch=args.prompts_per_patch,
            freeze_image_encoder=args.freeze_image_encoder,
            checkpoint_every=args.checkpoint_every,
            init_from=args.init_from,
            model_id=args.model_id,
            version=args.version,
            resume=args.resume,
            time_limit_minutes=args.time_limit_minutes,
            paraphrase_consistency=args.paraphrase_consistency,
        )
    )
    print(f"Checkpoint {checkpoint.identity.model_id} {checkpoint.identity.version} in {checkpoint.folder}")
    return 0


def add_paraphrase_option(parser: argparse.ArgumentParser) -> None:
    """``--paraphrase-consistency WEIGHT``, shared by ``train`` and ``finetune``."""
    parser.add_argument(
        "--paraphrase-consistency",
        type=_weight,
        default=0.0,
        metavar="WEIGHT",
        help="ask every question in two different phrasings of its finding (from the manifest's descriptions and "
        "the checkpoint scope's phrasings, British and American spelling) and add this weight times a consistency "
        "term between the two answers (symmetric KL of mask and existence probabilities); each batch then holds "
        "half as many patches. 0 (default): off",
    )


def _weight(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value >= 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a weight: give a number, 0 (off) or more, e.g. 1.0")
    return value
