"""How long a clicked prompt takes on a warm volume, beside the description alone.

Cases (real data from ``../shared/data``, as ``segment_benchmark.py`` builds them):
  (a) BraTS pat0001, FLAIR + T1c, 240 x 240 x 155: "enhancing tumour" clicked on the largest enhancing part;
  (b) a lung nodule: the bundled LIDC dev crop (Resources/Samples, 35 x 36 x 24 voxels), "solid lung nodule"
      clicked at the nodule's centre: a nodule-sized target, answered by one small window;
  (c) the 512 x 512 x 300 CT of 0.7 x 0.7 x 1.0 mm built from the TotalSegmentator example DICOM CT:
      "solid lung nodule" clicked in the right lung. The study has no nodule: what the small window outlines at the
      click reaches past it, so the click also runs the model's own windows there. The scope gate recognises this CT
      as an abdomen and would answer "not assessed" at once, so the prompts run without it (the volume is set with
      it): the time of the network's answer is what is measured.
Each round sets the volume (timed: that is where whole-volume work happens), then asks, in order: a first click
(its windows' features are computed), a second click 2 mm from the first (features cached), a click with a
not-this point beside it. Each click's stages are recorded: the small windows around the point, then the model's
own windows where those do not answer the click (``Predictor._segment_with_spatial_prompts``). The last round then
asks the description alone over the whole volume (left out with ``--no-whole-pass CASE``: on the CT it takes
minutes). Several rounds (``--rounds``) show the spread on a shared machine; the first round of a process also pays
for the first use of each operation. Each time is ``Predictor.segment`` from call to answer on the input grid
(lesions measured); files are not written. Prints one JSON line per case, with wall-clock and CPU seconds per round
and the load average around them.

Usage:
    python benchmarks/point_prompt_benchmark.py [--cases brats lidc ct] [--rounds 3] [--no-whole-pass ct] [--out FILE]
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from scipy import ndimage
from segment_benchmark import CT_SPACING_MM, SHARED, clinical_ct_file

CPU_SECONDS: dict[str, float] = {}
STAGES: list[dict] = []
SAMPLES = Path(__file__).resolve().parents[1] / "Resources" / "Samples"


def _record_stages() -> None:
    """Log each windowed stage of a clicked prompt into ``STAGES``: window size, windows, seconds."""
    from reinforcedvl.predictor import Predictor

    grow = Predictor._grow
    if getattr(grow, "records_stages", False):
        return
    signature = inspect.signature(grow)

    def timed_grow(self, *args, **kwargs):
        started, cpu = time.perf_counter(), time.process_time()
        result = grow(self, *args, **kwargs)
        STAGES.append(
            {
                "window": list(signature.bind(self, *args, **kwargs).arguments["window"]),
                "windows": result[3].window_count,
                "wall_s": round(time.perf_counter() - started, 3),
                "cpu_s": round(time.process_time() - cpu, 3),
            }
        )
        return result

    timed_grow.records_stages = True
    Predictor._grow = timed_grow


def _timed(call, name: str = ""):
    """The call's result and wall-clock seconds; its CPU seconds (all threads) go to ``CPU_SECONDS[name]``: on a
    shared machine they show the work done, which other processes' load does not inflate."""
    started, cpu = time.perf_counter(), time.process_time()
    result = call()
    if name:
        CPU_SECONDS[name] = round(time.process_time() - cpu, 3)
        if STAGES:
            CPU_SECONDS[name + "_stages"] = list(STAGES)
        STAGES.clear()
    return result, round(time.perf_counter() - started, 3)


def run_case(case: str, folder: Path, whole_pass: bool, rounds: int) -> dict:
    from reinforcedvl import Predictor, read_image
    from reinforcedvl.io import read_label_map
    from reinforcedvl.spatial.prompts import PromptPoint

    predictor = Predictor.from_model("reinforcedvl-starter", device="cpu")
    if hasattr(Predictor, "_grow"):
        _record_stages()
    if case == "brats":
        brats = SHARED / "brats2015" / "brats_2013_pat0001_1"
        volume = read_image([brats / "Flair_subtrMeanDivStd.nii.gz", brats / "T1c_subtrMeanDivStd.nii.gz"])
        labels = read_label_map(brats / "OTMultiClass.nii.gz").array[0]
        parts, _ = ndimage.label(labels == 4, structure=np.ones((3, 3, 3), bool))
        largest = np.argmax(np.bincount(parts.ravel())[1:]) + 1
        voxels = np.argwhere(parts == largest)
        target = voxels[np.argmin(np.linalg.norm(voxels - voxels.mean(axis=0), axis=1))]
        finding = "enhancing tumour"
    elif case == "lidc":
        volume = read_image(SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz")
        nodule = read_label_map(SAMPLES / "lidc_nodule_LIDC-IDRI-0003_R_4_mask.nii.gz").array[0] > 0
        target = np.asarray(ndimage.center_of_mass(nodule))
        finding = "solid lung nodule"
    else:
        volume = read_image(clinical_ct_file(folder, (512, 512, 300), CT_SPACING_MM))
        target = np.array([150, 256, 150])  # the patient's right lung, mid-height of the built CT
        finding = "solid lung nodule"
    point = volume.voxel_to_ras(target)[0]
    measured: list[dict] = []
    gate = predictor.scope_gate
    load = [round(x, 1) for x in os.getloadavg()]
    for _ in range(rounds):
        CPU_SECONDS.clear()
        predictor.scope_gate = gate
        _, set_seconds = _timed(lambda: predictor.set_volume(volume), "set_volume")
        if case == "ct":  # recognised as an abdomen: the nodule would not be assessed (module docstring)
            predictor.scope_gate = None
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
        measured.append(
            {
                "set_volume_s": set_seconds,
                "first_click_s": first_s,
                "second_click_s": second_s,
                "click_and_not_this_point_s": negative_s,
                "cpu_seconds": dict(CPU_SECONDS),
            }
        )
    text_only, text_s = _timed(lambda: predictor.segment(finding), "description_alone") if whole_pass else (None, None)
    load.extend(round(x, 1) for x in os.getloadavg())
    median = {
        key: statistics.median(row[key] for row in measured)
        for key in ("set_volume_s", "first_click_s", "second_click_s", "click_and_not_this_point_s")
    }
    median["cpu_seconds"] = {
        key: statistics.median(row["cpu_seconds"][key] for row in measured)
        for key in measured[0]["cpu_seconds"]
        if not key.endswith("_stages")
    }
    return {
        "case": case,
        "shape": list(volume.spatial_shape),
        "finding": finding,
        "scope_gate_while_asking": predictor.scope_gate is not None,
        "rounds": measured,
        "median": median,
        "description_alone_s": text_s,
        "description_alone_cpu_s": CPU_SECONDS.get("description_alone"),
        "first_click_lesions": len(first.lesions),
        "description_alone_lesions": None if text_only is None else len(text_only.lesions),
        "load_average_1_5_15_before_after": load,
        "torch_threads": torch.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "device": predictor.device.description,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", default=["brats", "lidc", "ct"], choices=("brats", "lidc", "ct"))
    parser.add_argument("--out", type=Path, help="also write the lines as a JSON list here")
    parser.add_argument("--rounds", type=int, default=3, help="volume set and clicked this many times (default 3)")
    parser.add_argument(
        "--no-whole-pass",
        nargs="*",
        default=[],
        choices=("brats", "lidc", "ct"),
        help="cases not to time the description alone on",
    )
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as folder:
        for case in args.cases:
            line = run_case(case, Path(folder), case not in args.no_whole_pass, args.rounds)
            print(json.dumps(line), flush=True)
            lines.append(line)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(lines, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
