"""``reinforcedvl report IMAGE [IMAGE ...] --mask LABELMAP --prompt TEXT --out DIR [--lang en|ja]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..vocabulary import LANGUAGES
from .arguments import modality_choice

__all__ = ["add_parser", "run"]


def label_values(text: str) -> list[int]:
    """``"4"`` or ``"1,3"``: the mask's label values that show one finding."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of label values: use e.g. 4 or 1,3") from None
    if not values or any(value <= 0 for value in values):
        raise argparse.ArgumentTypeError(f"{text!r}: label values are whole numbers above 0 (0 is background)")
    return values


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write a grounded report for a mask you already have",
        description="Measure and describe the lesions of a label map you already have (an expert's, or an edited "
        "one) and write report.md and report.json, every sentence linked to its segment, measurements and slice. "
        "No model runs; confidence is 1.0.",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="volume file(s) or DICOM folder(s) of the study")
    parser.add_argument("--mask", required=True, type=Path, metavar="LABELMAP", help="label map on the image's grid")
    parser.add_argument(
        "--prompt",
        action="append",
        required=True,
        metavar="TEXT",
        help="what the mask shows, e.g. 'solid lung nodule' (repeat with --label for several findings)",
    )
    parser.add_argument(
        "--label",
        action="append",
        type=label_values,
        metavar="VALUES",
        help="label values of the mask that show the matching --prompt, e.g. 4 or 1,3 (default: every non-zero)",
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    parser.add_argument("--lang", default="en", choices=LANGUAGES, help="report language (default en)")
    parser.add_argument(
        "--anatomy", type=Path, metavar="LABELMAP", help="TotalSegmentator label map: place lesions in organs"
    )
    parser.add_argument(
        "--anatomy-task",
        choices=("total", "total_mr"),
        help="numbering of --anatomy (default: total for CT, total_mr for MR)",
    )
    parser.add_argument(
        "--modality", default="auto", type=modality_choice, help="auto (DICOM tag or intensities), CT or MR"
    )
    parser.add_argument(
        "--dicom", action="store_true", help="also write a DICOM SEG and a DICOM SR (TID 1500); DICOM input only"
    )
    polish = parser.add_mutually_exclusive_group()
    polish.add_argument(
        "--polish-endpoint",
        metavar="URL",
        help="rewrite the text with an OpenAI-compatible endpoint (the report text is sent there); kept only when "
        "every number and side matches",
    )
    polish.add_argument(
        "--polish-model-path",
        type=Path,
        metavar="DIR",
        help="rewrite the text with a local transformers model folder (nothing leaves the machine)",
    )
    parser.add_argument("--polish-model", default="default", metavar="NAME", help="model name for --polish-endpoint")
    parser.add_argument("--overwrite", action="store_true", help="replace a report already in the output folder")
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    from ..report.polish import EndpointRewriter, LocalModelRewriter, Rewriter
    from ..study.report_job import report_study

    if args.label is not None and len(args.label) != len(args.prompt):
        args.parser.error(f"{len(args.prompt)} --prompt but {len(args.label)} --label: give one --label per --prompt")
    if args.label is None and len(args.prompt) > 1:
        args.parser.error("several --prompt need one --label each, saying which label values each prompt shows")
    if args.polish_model_path is not None and not args.polish_model_path.is_dir():
        args.parser.error(f"--polish-model-path {args.polish_model_path} is not a folder")
    rewriter: Rewriter | None = None
    if args.polish_endpoint:
        rewriter = EndpointRewriter(args.polish_endpoint, model=args.polish_model)
    elif args.polish_model_path is not None:
        rewriter = LocalModelRewriter(args.polish_model_path)
    result = report_study(
        args.images,
        args.mask,
        args.prompt,
        args.out,
        labels=args.label,
        language=args.lang,
        anatomy=args.anatomy,
        anatomy_task=args.anatomy_task,
        modality=args.modality,
        dicom=args.dicom,
        rewriter=rewriter,
        overwrite=args.overwrite,
    )
    for finding in result.report.findings:
        state = f"{len(finding.lesions)} lesion(s)" if finding.present else "not present"
        print(f"{finding.prompt}: {state}")
    polish = result.report.polish
    if polish is not None:
        print(f"Rewrite by {polish.source}: {'used' if polish.accepted else 'not used'}; {polish.reason}")
    print(f"Report in {result.markdown} and {result.json}")
    if result.dicom is not None:
        written = [
            *result.dicom.segmentations,
            *([result.dicom.measurement_report] if result.dicom.measurement_report else []),
        ]
        print("DICOM: " + (", ".join(str(path) for path in written) if written else "no lesion, nothing to export"))
    return 0
