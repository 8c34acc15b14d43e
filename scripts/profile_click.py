"""Profile one clicked prompt on a warm volume: where its time goes, function by function (cProfile).

The volume is set first (not profiled), then one click is asked under the profiler and the top entries by
cumulative time are printed, with the click's CPU seconds. Run it with ``OMP_NUM_THREADS=1`` (or on code where a
click already runs on one thread) to compare thread counts.

Usage:
    python scripts/profile_click.py brats|ct [--top 40]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from segment_benchmark import CT_SPACING_MM, SHARED, clinical_ct_file  # noqa: E402


def main() -> None:
    from reinforcedvl import Predictor, read_image
    from reinforcedvl.io import read_label_map
    from reinforcedvl.spatial.prompts import PromptPoint

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("case", choices=("brats", "ct"))
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    predictor = Predictor.from_model("reinforcedvl-starter", device="cpu")
    with tempfile.TemporaryDirectory() as folder:
        if args.case == "brats":
            brats = SHARED / "brats2015" / "brats_2013_pat0001_1"
            volume = read_image([brats / "Flair_subtrMeanDivStd.nii.gz", brats / "T1c_subtrMeanDivStd.nii.gz"])
            parts, _ = ndimage.label(read_label_map(brats / "OTMultiClass.nii.gz").array[0] == 4, np.ones((3, 3, 3)))
            voxels = np.argwhere(parts == np.argmax(np.bincount(parts.ravel())[1:]) + 1)
            target = voxels[np.argmin(np.linalg.norm(voxels - voxels.mean(axis=0), axis=1))]
            finding = "enhancing tumour"
        else:
            volume = read_image(clinical_ct_file(Path(folder), (512, 512, 300), CT_SPACING_MM))
            target, finding = np.array([150, 256, 150]), "solid lung nodule"
        predictor.set_volume(volume)
        if args.case == "ct":
            predictor.scope_gate = None  # as in point_prompt_benchmark.py: the built CT is recognised as an abdomen
        point = PromptPoint(tuple(volume.voxel_to_ras(target)[0]))
        profile = cProfile.Profile()
        cpu = time.process_time()
        profile.enable()
        result = predictor.segment(finding, points=[point])
        profile.disable()
        print(f"first click: {time.process_time() - cpu:.3f} CPU s, {len(result.lesions)} lesion(s)")
        pstats.Stats(profile).sort_stats("cumtime").print_stats(args.top)


if __name__ == "__main__":
    main()
