"""Time and memory of the way back to the input grid, slab by slab (ours) beside MONAI's whole-volume inverse.

For each CT size (built from the TotalSegmentator example CT as in ``segment_benchmark.py``), a fresh process reads
and prepares the volume, puts two maps (probability and evidence) on the model grid, and brings them back to the
input grid with one method, while a sampling thread reads the process's resident memory every 5 ms: the step's
own memory is the peak during the step minus the resident memory before it. MONAI's route is the inverse of the
crop (zero padding to the whole model grid) and then of the orientation and resampling, as the engine did before.

Usage:
    python benchmarks/way_back_benchmark.py --out docs/benchmarks [--shapes 512x512x300 512x512x1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from segment_benchmark import CT_SPACING_MM, clinical_ct_file, machine_description  # noqa: E402

METHODS = ("slabs", "monai")


def resident_gb() -> float:
    """This process's resident memory now, in GB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024**3


class PeakSampler:
    """Highest resident memory seen while the ``with`` block runs."""

    def __enter__(self) -> PeakSampler:
        self.peak = resident_gb()
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while self._running:
            self.peak = max(self.peak, resident_gb())
            time.sleep(0.005)

    def __exit__(self, *exc: object) -> None:
        self._running = False
        self._thread.join()
        self.peak = max(self.peak, resident_gb())


def monai_inverse(preprocessor, prepared, maps):  # noqa: ANN001, ANN201
    """The engine's earlier way back: MONAI's recorded inverses, whole volume at once (the baseline)."""
    import copy

    import torch
    from monai.data import MetaTensor

    on_model_grid = MetaTensor(
        maps.float().as_subclass(torch.Tensor),
        affine=prepared.image.affine,
        applied_operations=copy.deepcopy(prepared.image.applied_operations),
    )
    uncropped = prepared.crop.inverse({"image": on_model_grid})
    return preprocessor._spatial.inverse(uncropped)["image"].as_tensor().numpy()


def child(image: str, method: str) -> dict:
    """In this fresh process: prepare ``image``, then one way back with ``method``; seconds and memory."""
    import torch

    from reinforcedvl.io import read_image
    from reinforcedvl.preprocessing import Preprocessor

    torch.set_num_threads(os.cpu_count() or 1)
    volume = read_image(image)
    preprocessor = Preprocessor(spacing_mm=(1.0, 1.0, 1.0), in_channels=1)
    prepared = preprocessor.prepare(volume)
    maps = torch.rand((2, *prepared.image.shape[1:]), generator=torch.Generator().manual_seed(0))
    before = resident_gb()
    started = time.perf_counter()
    with PeakSampler() as sampler:
        if method == "slabs":
            back = preprocessor.to_input_grid(prepared, maps)
        else:
            back = monai_inverse(preprocessor, prepared, maps)
    seconds = time.perf_counter() - started
    return {
        "method": method,
        "input_shape": list(volume.spatial_shape),
        "model_grid": list(prepared.image.shape[1:]),
        "seconds": round(seconds, 2),
        "step_memory_gb": round(sampler.peak - before, 2),
        "output_gb": round(back.nbytes / 1024**3, 2),
        "checksum": float(np.float64(back[:, ::7, ::7, ::7].sum())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmark-results"))
    parser.add_argument("--shapes", nargs="+", default=["512x512x300", "512x512x1000"])
    parser.add_argument("--child", nargs=2, metavar=("IMAGE", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for text in args.shapes:
        shape = tuple(int(n) for n in text.split("x"))
        image = clinical_ct_file(args.out, shape, CT_SPACING_MM)
        for method in METHODS:
            output = subprocess.run(
                [sys.executable, __file__, "--child", str(image), method], check=True, capture_output=True, text=True
            ).stdout
            rows.append({"shape": text, **json.loads(output.strip().splitlines()[-1])})
            print(json.dumps(rows[-1]), flush=True)
    report = {
        "machine": machine_description(),
        "command": "python benchmarks/way_back_benchmark.py " + " ".join(sys.argv[1:]),
        "rows": rows,
    }
    (args.out / "way_back.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "way_back.md").write_text(markdown(report), encoding="utf-8")
    print(markdown(report))


def markdown(report: dict) -> str:
    """The results as a Markdown table, slabs beside MONAI for each size."""
    lines = [
        "# Way back to the input grid: slabs against MONAI's whole-volume inverse",
        "",
        f"Machine: {report['machine']}. Command: `{report['command']}`.",
        "",
        "| input | model grid | method | seconds | memory of the step (GB) | output (GB) |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    for row in report["rows"]:
        grid = " x ".join(map(str, row["model_grid"]))
        lines.append(
            f"| {row['shape']} | {grid} | {row['method']} | {row['seconds']} | {row['step_memory_gb']} | "
            f"{row['output_gb']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
