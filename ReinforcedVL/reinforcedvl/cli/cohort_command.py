"""``reinforcedvl cohort FOLDER_OR_LIST --prompt TEXT --out DIR``: segment every study of a cohort; under
``torchrun --nproc_per_node N`` the studies are shared among N processes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..vocabulary import LANGUAGES
from .arguments import add_lesion_confidence_option, add_model_options, modality_choice

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cohort",
        help="segment every study of a folder or a study list (several processes under torchrun)",
        description="Segment each study of a cohort into OUT/<study id>/ as 'segment' does, then write "
        "OUT/cohort_summary.csv and cohort_summary.md. Studies whose result.json answers the same prompts with the "
        "same model are skipped, so a stopped run continues where it stopped; results of another run (other prompts "
        "or model) stop the run unless --overwrite. Under 'torchrun --nproc_per_node N' each process takes every "
        "N-th study (one process per GPU, or several CPU processes). A study that cannot be read is marked failed in "
        "the summary and the run goes on.",
    )
    parser.add_argument(
        "source",
        type=Path,
        metavar="FOLDER_OR_LIST",
        help="a folder with one volume file or DICOM folder per study, or a CSV list of 'study_id,image[,image...]'",
    )
    parser.add_argument("--prompt", action="append", required=True, metavar="TEXT", help="finding description")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    add_model_options(parser)
    parser.add_argument("--modality", default="auto", type=modality_choice)
    parser.add_argument("--report", nargs="?", const="en", choices=LANGUAGES, metavar="LANG")
    parser.add_argument("--threads", type=int, help="CPU threads per process (default: the cores shared out)")
    add_lesion_confidence_option(parser)
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="segment again the studies whose result.json answers other prompts or comes from another model",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..cohort import find_studies, run_cohort
    from ..prompts import normalize_prompt

    prompts = [normalize_prompt(prompt) for prompt in args.prompt]
    studies = find_studies(args.source)
    outcome = run_cohort(
        studies,
        prompts,
        args.out,
        model=args.model,
        device=args.device,
        modality=args.modality,
        report_language=args.report,
        threads=args.threads,
        overwrite=args.overwrite,
        lesion_confidence=args.lesion_confidence,
    )
    rank = outcome.rank
    print(
        f"[rank {rank.rank}/{rank.world_size}] segmented {len(outcome.segmented)}, skipped {len(outcome.skipped)} "
        f"finished, failed {len(outcome.failed)}",
        file=sys.stderr,
    )
    for path in outcome.summary_files:
        print(f"Summary: {path}")
    # A failed study is reported in the summary, not by the exit status: under torchrun a non-zero exit reads as a
    # crashed worker (and with --max-restarts the run would start again).
    return 0
