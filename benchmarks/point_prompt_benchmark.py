"""How long a clicked prompt takes on a warm volume, beside the description alone.

Cases (real data from ``../shared/data``, as ``segment_benchmark.py`` builds them):
  (a) BraTS pat0001, FLAIR + T1c, 240 x 240 x 155: "enhancing tumour" clicked on the largest enhancing part;
  (b) the 512 x 512 x 300 CT of 0.7 x 0.7 x 1.0 mm built from the TotalSegmentator example DICOM CT:
      "solid lung nodule" clicked in the right lung (the study has no nodule: a nodule-sized target's windows).
The volume is set once (timed), then, in order: a first click (its window's features are computed), a second click
2 mm from the first (features cached), a click with a not-this point beside it, and the description alone over the
whole volume (left out with ``--no-whole-pass CASE``: on the CT it takes minutes). Each time is
``Predictor.segment`` from call to answer on the input grid (lesions measured); files are not written. Prints one
JSON line per case, with wall-clock and CPU seconds.

Usage:
    python benchmarks/point_prompt_benchmark.py [--cases brats ct] [--no-whole-pass ct] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import ndimage
from segment_benchmark import CT_SPACING_MM, SHARED, clinical_ct_file

CPU_SECONDS: dict[str, float] = {}


def _timed(call, name: str = ""):
    """The call's result and wall-clock seconds; its CPU seconds (all threads) go to ``CPU_SECONDS[name]``: on a
    shared machine they show the work done, which other processes' load does not inflate."""
    started, cpu = time.perf_counter(), time.process_time()
    result = call()
    if name:
        CPU_SECONDS[name] = round(time.process_time() - cpu, 3)
    return result, round(time.perf_counter() - started, 3)


def run_case(case: str, folder: Path, whole_pass: bool) -> dict:
    from reinforcedvl import Predictor, read_image
    from reinforcedvl.io import read_label_map
    from reinforcedvl.spatial.prompts import PromptPoint

    predictor = Predictor.from_model("reinforcedvl-starter", device="cpu")
    if case == "brats":
        brats = SHARED / "brats2015" / "brats_2013_pat0001_1"
        volume = read_image([brats / "Flair_subtrMeanDivStd.nii.gz", brats / "T1c_subtrMeanDivStd.nii.gz"])
        labels = read_label_map(brats / "OTMultiClass.nii.gz").array[0]
        parts, _ = ndimage.label(labels == 4, structure=np.ones((3, 3, 3), bool))
        largest = np.argmax(np.bincount(parts.ravel())[1:]) + 1
        voxels = np.argwhere(parts == largest)
        target = voxels[np.argmin(np.linalg.norm(voxels - voxels.mean(axis=0), axis=1))]
        finding = "enhancing tumour"
    else:
        volume = read_image(clinical_ct_file(folder, (512, 512, 300), CT_SPACING_MM))
        target = np.array([150, 256, 150])  # the patient's right lung, mid-height of the built CT
        finding = "solid lung nodule"
    _, set_seconds = _timed(lambda: predictor.set_volume(volume))
    point = volume.voxel_to_ras(target)[0]
    first, first_s = _timed(lambda: predictor.segment(finding, points=[PromptPoint(tuple(point))]), "first_click")
    _, second_s = _timed(
        lambda: predictor.segment(finding, points=[PromptPoint(tuple(point + [2.0, 0, 0]))]), "second_click"
    )
    _, negative_s = _timed(
        lambda: predictor.segment(
            finding, points=[PromptPoint(tuple(point)), PromptPoint(tuple(point + [0, 6.0, 0]), positive=False)]
        ),
        "click_and_not_this_point",
    )
    text_only, text_s = _timed(lambda: predictor.segment(finding), "description_alone") if whole_pass else (None, None)
    return {
        "case": case,
        "shape": list(volume.spatial_shape),
        "finding": finding,
        "set_volume_s": set_seconds,
        "first_click_s": first_s,
        "second_click_s": second_s,
        "click_and_not_this_point_s": negative_s,
        "description_alone_s": text_s,
        "cpu_seconds": dict(CPU_SECONDS),
        "first_click_lesions": len(first.lesions),
        "description_alone_lesions": None if text_only is None else len(text_only.lesions),
        "cpu": platform.processor() or platform.machine(),
        "device": predictor.device.description,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", default=["brats", "ct"], choices=("brats", "ct"))
    parser.add_argument("--out", type=Path, help="also write the lines as a JSON list here")
    parser.add_argument(
        "--no-whole-pass",
        nargs="*",
        default=[],
        choices=("brats", "ct"),
        help="cases not to time the description alone on",
    )
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as folder:
        for case in args.cases:
            line = run_case(case, Path(folder), case not in args.no_whole_pass)
            print(json.dumps(line), flush=True)
            lines.append(line)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(lines, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
