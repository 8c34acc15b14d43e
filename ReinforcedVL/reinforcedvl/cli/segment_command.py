"""``reinforcedvl segment IMAGE [IMAGE ...] --prompt TEXT [--prompt TEXT ...] --out DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from ..lesion_confidence import DEFAULT_LESION_CONFIDENCE
from ..model_registry import DEFAULT_MODEL_ID
from ..predictor import Predictor
from ..report import REPORT_FILES
from ..segment_study import RESULT_FILE, plan_study, run_study
from .arguments import device_choice, fraction, modality_choice

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "segment",
        help="segment findings described in words",
        description="Segment each described finding in one study and write label maps, Slicer segmentations, "
        "evidence maps and result.json.",
    )
    parser.add_argument(
        "images",
        nargs="+",
        metavar="IMAGE",
        help="volume file(s) or DICOM folder(s); several are the channels of one study (FLAIR T1c)",
    )
    parser.add_argument(
        "--prompt",
        action="append",
        required=True,
        metavar="TEXT",
        help="finding description, e.g. 'spiculated solid nodule' (repeat for several findings)",
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    parser.add_argument(
        "--model",
        default=DEFAULT_MODEL_ID,
        metavar="ID_OR_PATH",
        help=f"installed model id or checkpoint folder (default {DEFAULT_MODEL_ID})",
    )
    parser.add_argument(
        "--device", default="auto", type=device_choice, help="auto (GPU if available, else CPU), cpu or cuda"
    )
    parser.add_argument(
        "--modality", default="auto", type=modality_choice, help="auto (DICOM tag or intensities), CT or MR"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace results already in the output folder")
    parser.add_argument(
        "--lesion-confidence",
        default=DEFAULT_LESION_CONFIDENCE,
        type=fraction,
        metavar="P",
        help=f"lesions with a confidence under P are neither drawn nor reported (default {DEFAULT_LESION_CONFIDENCE})",
    )
    parser.add_argument(
        "--report",
        nargs="?",
        const="en",
        choices=("en", "ja"),
        metavar="LANG",
        help="also write the grounded report (report.md, report.json), in en (default) or ja",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    plan = plan_study(args.images, args.prompt, args.out, modality=args.modality, overwrite=args.overwrite)
    predictor = Predictor.from_model(args.model, args.device)
    predictor.lesion_confidence = args.lesion_confidence
    print(
        f"Model {predictor.identity.model_id} {predictor.identity.version} on {predictor.device.description}",
        file=sys.stderr,
    )
    with _ProgressBar() as progress:
        report = run_study(plan, predictor, progress, report_language=args.report)
    for finding in report["prompts"]:
        if finding["present"]:
            sizes = ", ".join(
                f"{lesion['id']} ({lesion['color_name']}) "
                f"{lesion['long_axis_mm']:.1f} x {lesion['short_axis_mm']:.1f} mm"
                for lesion in finding["lesions"]
            )
            print(f"{finding['prompt']}: present (p={finding['present_probability']:.2f}); lesions {sizes}")
        elif finding["status"] == "not_assessed":
            print(f"{finding['prompt']}: {finding['reason']}; nothing drawn")
        else:
            print(f"{finding['prompt']}: not identified (p={finding['present_probability']:.2f})")
    print(f"Results in {args.out / RESULT_FILE} ({report['seconds']:.1f} s on {report['device']})")
    if args.report:
        print(f"Report in {' and '.join(str(args.out / name) for name in REPORT_FILES)}")
    return 0


class _ProgressBar:
    """A terminal progress bar over the sliding windows of each prompt."""

    def __enter__(self) -> _ProgressBar:
        self._bar: tqdm | None = None
        return self

    def __call__(self, stage: str, done: int, total: int) -> bool:
        if stage != "segmenting":
            self._close()
            return True
        if self._bar is None:
            self._bar = tqdm(total=total, desc="segmenting", unit="window", file=sys.stderr, leave=False)
        self._bar.update(done - self._bar.n)
        return True

    def __exit__(self, *exc_info: object) -> None:
        self._close()

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
