"""``reinforcedvl evaluate-trust --data-root D --out DIR``: the whole-study trust matrix (see
:mod:`reinforcedvl.evaluation.trust_matrix`)."""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import sys
from pathlib import Path

from ..errors import OutputExistsError
from .arguments import add_model_options

__all__ = ["add_parser", "run"]

_FILES = ("trust_rows.csv", "trust_summary.json", "trust_summary.md")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate-trust",
        help="ask every whole study at hand findings in and out of the model's scope, in several phrasings",
        description="Every whole study under --data-root (and a few dev-split LIDC crops) x every trained finding "
        "(as trained and in held-out paraphrases) x findings of no trained family. Writes trust_rows.csv (one row "
        "per study and description: answer, probability, lesions drawn, reason), trust_summary.json and "
        "trust_summary.md (per study and family, and the out-of-scope / in-scope / phrasing figures).",
    )
    parser.add_argument("--data-root", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path, help="folder for the three files")
    add_model_options(parser)
    parser.add_argument("--phrasings", type=int, default=3, help="phrasings per trained finding (default 3)")
    parser.add_argument("--out-of-scope", type=int, default=10, help="untrained findings asked (default 10)")
    parser.add_argument("--lidc-crops", type=int, default=4, help="dev-split LIDC crops added (default 4)")
    parser.add_argument(
        "--studies", nargs="+", metavar="TEXT", help="only the studies whose name contains one of these texts"
    )
    parser.add_argument(
        "--from-rows",
        nargs="+",
        type=Path,
        metavar="CSV",
        help="summarise trust_rows.csv files of earlier runs (e.g. runs split by --studies) instead of running",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace results already in --out")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..evaluation.trust_matrix import (
        discover_studies,
        matrix_prompts,
        read_rows,
        run_trust_matrix,
        summarize_trust,
    )
    from ..predictor import Predictor

    existing = [name for name in _FILES if (args.out / name).exists()]
    if existing and not args.overwrite:
        raise OutputExistsError(f"{args.out} already holds {', '.join(existing)}; choose another --out or --overwrite.")
    if not args.from_rows and not args.data_root.is_dir():
        print(f"reinforcedvl evaluate-trust: error: no data folder at {args.data_root}", file=sys.stderr)
        return 2
    if args.from_rows:
        rows = [row for path in args.from_rows for row in read_rows(path)]
        summary = summarize_trust(rows)
        summary["sources"] = [str(path) for path in args.from_rows]
        _write_summary(args.out, summary, _command(), "rows of earlier runs")
        return 0
    predictor = Predictor.from_model(args.model, args.device)
    studies = discover_studies(args.data_root, lidc_crops=args.lidc_crops)
    if args.studies:
        studies = [study for study in studies if any(text in study.name for text in args.studies)]
    prompts = matrix_prompts(args.phrasings, args.out_of_scope)
    print(f"{len(studies)} studies x {len(prompts)} descriptions on {predictor.device.description}", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    with open(args.out / "trust_rows.csv.partial", "w", newline="", encoding="utf-8") as handle:
        writer = None
        for row in run_trust_matrix(studies, predictor, prompts, lambda line: print(line, file=sys.stderr)):
            if writer is None:
                writer = csv.DictWriter(handle, fieldnames=list(dict.fromkeys([*row, "dice"])), extrasaction="ignore")
                writer.writeheader()
            writer.writerow(row)
            handle.flush()
            rows.append(row)
    (args.out / "trust_rows.csv.partial").replace(args.out / "trust_rows.csv")
    summary = summarize_trust(rows)
    summary["device"] = predictor.device.description
    summary["model"] = predictor.identity.to_dict()
    _write_summary(args.out, summary, _command(), predictor.device.description)
    return 0


def _command() -> str:
    return "reinforcedvl " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _write_summary(out: Path, summary: dict, command: str, device: str) -> None:
    from ..evaluation.trust_matrix import trust_markdown

    out.mkdir(parents=True, exist_ok=True)
    (out / "trust_summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    text = trust_markdown(summary, command, device)
    (out / "trust_summary.md").write_text(text, encoding="utf-8")
    print(text)
