"""``reinforcedvl evaluate --manifest M --data-root D --out DIR [--model ID_OR_PATH]``."""

from __future__ import annotations

import argparse
import json
import sys

from .arguments import add_evaluation_options

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate a model on a manifest's held-out split",
        description="Dice, surface Dice, HD95, lesion detection F1, existence accuracy and ROC AUC on a manifest "
        "split; writes cases.csv, summary.json and summary.md.",
    )
    add_evaluation_options(parser, out_help="folder for cases.csv, summary.json, summary.md")
    parser.add_argument("--descriptions", type=int, default=1, help="descriptions asked per triplet")
    parser.add_argument("--tolerance-mm", type=float, default=2.0, help="surface Dice tolerance")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..evaluation.evaluate import evaluate_manifest
    from ..evaluation.summary import summarize, summary_markdown, write_cases_csv
    from ..predictor import Predictor

    predictor = Predictor.from_model(args.model, args.device)
    print(
        f"Evaluating {predictor.identity.model_id} {predictor.identity.version} on {predictor.device.description}",
        file=sys.stderr,
    )
    bar = tqdm(desc="studies", unit="study", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    rows = evaluate_manifest(
        args.manifest,
        args.data_root,
        predictor,
        split=args.split,
        descriptions_per_triplet=args.descriptions,
        tolerance_mm=args.tolerance_mm,
        progress=progress,
    )
    bar.close()
    args.out.mkdir(parents=True, exist_ok=True)
    write_cases_csv(rows, args.out / "cases.csv")
    summary = summarize(rows, predictor.config.existence_threshold)
    summary["model"] = predictor.identity.to_dict()
    summary["command"] = " ".join(sys.argv)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    title = f"{predictor.identity.model_id} {predictor.identity.version} on the {args.split} split"
    markdown = summary_markdown(summary, title)
    (args.out / "summary.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return 0
