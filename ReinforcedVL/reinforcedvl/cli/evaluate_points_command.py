"""``reinforcedvl evaluate-points --manifest M --data-root D --out DIR``: what a click on the lesion is worth."""

from __future__ import annotations

import argparse
import json
import sys

from .arguments import add_evaluation_options

__all__ = ["add_parser", "run"]

_PARTS = ("lidc", "brats", "whole-study")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate-points",
        help="evaluate point prompts (a click on the lesion) against the description alone",
        description="LIDC nodules: Dice with a click at the mask's centre, a random voxel inside, 3 and 6 mm off, "
        "against the description alone; BraTS: does a click on one part of a sub-region select that part; whole "
        "studies without the finding: lesions drawn with and without a click. Writes lidc.csv, brats.csv, "
        "whole_study.csv, summary.json and summary.md.",
    )
    add_evaluation_options(parser, out_help="folder for the tables")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random clicks")
    parser.add_argument("--lidc-limit", type=int, default=None, help="only the first N LIDC nodules of the split")
    parser.add_argument("--parts", nargs="+", default=list(_PARTS), choices=_PARTS, help="which parts to run")
    parser.add_argument(
        "--without-scope-gate",
        action="store_true",
        help="answer every description as written, without the model's scope (the network and the point rules "
        "alone): the whole studies' findings are otherwise not assessed there, so nothing would be drawn",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..evaluation.point_prompts import evaluate_brats_clicks, evaluate_lidc_clicks, evaluate_whole_studies
    from ..evaluation.point_summary import points_markdown, summarize_points
    from ..evaluation.summary import write_cases_csv
    from ..predictor import Predictor

    predictor = Predictor.from_model(args.model, args.device)
    if args.without_scope_gate:
        predictor.scope_gate = None
    print(
        f"Evaluating point prompts with {predictor.identity.model_id} {predictor.identity.version} on "
        f"{predictor.device.description}",
        file=sys.stderr,
    )

    def progress(part: str, done: int, total: int) -> None:
        print(f"{part}: {done}/{total}", file=sys.stderr)

    args.out.mkdir(parents=True, exist_ok=True)
    tables = {"lidc": [], "brats": [], "whole-study": []}
    if "lidc" in args.parts:
        tables["lidc"] = evaluate_lidc_clicks(
            args.manifest,
            args.data_root,
            predictor,
            split=args.split,
            seed=args.seed,
            limit=args.lidc_limit,
            progress=progress,
        )
    if "brats" in args.parts:
        tables["brats"] = evaluate_brats_clicks(
            args.manifest, args.data_root, predictor, split=args.split, progress=progress
        )
    if "whole-study" in args.parts:
        tables["whole-study"] = evaluate_whole_studies(args.data_root, predictor, seed=args.seed, progress=progress)
    for name, rows in tables.items():
        if rows:
            write_cases_csv(rows, args.out / f"{name.replace('-', '_')}.csv")
    summary = summarize_points(tables["lidc"], tables["brats"], tables["whole-study"])
    summary["model"] = predictor.identity.to_dict()
    summary["device"] = predictor.device.description
    summary["command"] = " ".join(sys.argv)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    markdown = points_markdown(
        summary, f"Point prompts: {predictor.identity.model_id} {predictor.identity.version} on the {args.split} split"
    )
    (args.out / "summary.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return 0
