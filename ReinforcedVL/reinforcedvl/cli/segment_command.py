"""``reinforcedvl segment IMAGE [IMAGE ...] --prompt TEXT [--prompt TEXT ...] --out DIR [--point R,A,S ...]
[--negative-point R,A,S ...] [--box R1,A1,S1,R2,A2,S2]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from ..finding_answer import AnswerStatus
from ..model_store.registry import DEFAULT_MODEL_ID
from ..spatial.prompts import PromptPoint, SpatialPrompts
from ..vocabulary import LANGUAGES, device_choice
from .arguments import add_lesion_confidence_option, box_corners, modality_choice, ras_point

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
    parser.add_argument(
        "--point",
        action="append",
        default=[],
        type=ras_point,
        metavar="R,A,S",
        help="a point on the lesion to outline, in RAS mm as 3D Slicer shows them (repeat for several lesions): "
        "only the lesions at the points are answered, and only the windows around them are computed",
    )
    parser.add_argument(
        "--negative-point",
        action="append",
        default=[],
        type=ras_point,
        metavar="R,A,S",
        help="a point on something that is not the finding (RAS mm): what it touches is removed",
    )
    parser.add_argument(
        "--box",
        type=box_corners,
        metavar="R1,A1,S1,R2,A2,S2",
        help="two opposite corners (RAS mm) of the region to search; nothing outside it is answered",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace results already in the output folder")
    add_lesion_confidence_option(parser)
    parser.add_argument(
        "--report",
        nargs="?",
        const="en",
        choices=LANGUAGES,
        metavar="LANG",
        help="also write the grounded report (report.md, report.json), in en (default) or ja",
    )
    parser.add_argument(
        "--dicom",
        action="store_true",
        help="also write a DICOM SEG per finding (segments AUTOMATIC, the model named) and a DICOM SR with the "
        "lesions' measurements and the model's confidence, and every finding not assessed with its reason, under "
        "OUT/dicom (DICOM series input only)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..predictor import Predictor  # torch and MONAI load here, not for --help
    from ..report import REPORT_FILES
    from ..study.segment_job import RESULT_FILE, plan_study, run_study

    points = [PromptPoint(ras) for ras in args.point] + [PromptPoint(ras, False) for ras in args.negative_point]
    plan = plan_study(
        args.images,
        args.prompt,
        args.out,
        modality=args.modality,
        overwrite=args.overwrite,
        spatial_prompts=SpatialPrompts(tuple(points), args.box),
        dicom=args.dicom,
    )
    predictor = Predictor.from_model(args.model, args.device)
    predictor.lesion_confidence = args.lesion_confidence
    print(
        f"Model {predictor.identity.model_id} {predictor.identity.version} on {predictor.device.description}",
        file=sys.stderr,
    )
    with _ProgressBar() as progress:
        report = run_study(plan, predictor, progress, report_language=args.report)
    for finding in report["prompts"]:
        print(answer_line(finding))
    print(f"Results in {args.out / RESULT_FILE} ({report['seconds']:.1f} s on {report['device']})")
    if args.report:
        print(f"Report in {' and '.join(str(args.out / name) for name in REPORT_FILES)}")
    if args.dicom:
        written = sorted(path.name for path in (args.out / "dicom").glob("*.dcm"))
        print(f"DICOM in {args.out / 'dicom'}: {', '.join(written) if written else 'nothing (no lesion drawn)'}")
    return 0


def answer_line(finding: dict) -> str:
    """One prompt's answer from its ``result.json`` entry, worded as its ``status`` says (with the reason when not
    assessed)."""
    head = f"{finding['prompt']}: "
    status = AnswerStatus(finding["status"])
    if status is AnswerStatus.NOT_ASSESSED:
        return f"{head}{finding['reason']}; nothing drawn"
    probability = f"p={finding['present_probability']:.2f}"
    if status is AnswerStatus.PRESENT:
        sizes = ", ".join(
            f"{lesion['id']} ({lesion['color_name']}) {lesion['long_axis_mm']:.1f} x {lesion['short_axis_mm']:.1f} mm"
            + (f" at point {', '.join(map(str, lesion['marked_points']))}" if "marked_points" in lesion else "")
            for lesion in finding["lesions"]
        )
        return f"{head}present ({probability}); lesions {sizes}"
    return f"{head}not identified ({probability})"


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
