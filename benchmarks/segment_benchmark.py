"""End-to-end timing and memory of ``segment``, beside MONAI SegResNet with the same windowing.

Cases (real data from ``../shared/data``):
  (a) BraTS pat0001, FLAIR + T1c, 240 x 240 x 155;
  (b) a CT of 512 x 512 x 300 voxels of 0.7 x 0.7 x 1.0 mm built from the TotalSegmentator example DICOM CT
      (resampled with SimpleITK; mirrored along z to cover 300 mm; the short mode makes 256 x 256 x 100);
  (c) an LIDC nodule crop (the bundled sample).
For each case a fresh process measures: *cold* (start of the process to the first prompt's files written: imports,
model load, reading, preprocessing, the network, the way back, lesions, files), then *warm* second and third prompts
on the same volume; its peak resident memory comes from the operating system (``wait4``, as ``/usr/bin/time``).
The same process then times the *baseline*: the same preprocessing, windows (size, overlap, Gaussian blending),
way back and lesion step with MONAI SegResNet (8 initial filters, untrained: the cost does not depend on weights)
in place of our network. A second process does the same through the worker (``python -m reinforcedvl.worker``).

Usage:
    python benchmarks/segment_benchmark.py --out docs/benchmarks [--short] [--cases brats ct lidc]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REINFORCEDVL_SHARED_DATA", REPOSITORY.parent / "shared" / "data"))
PROMPTS = {
    "brats": ("whole brain tumour", "enhancing tumour", "peritumoral oedema"),
    "ct": ("solid lung nodule", "liver", "enhancing tumour"),
    "lidc": ("solid lung nodule", "ground-glass nodule", "enhancing tumour"),
}


def make_inputs(folder: Path, short: bool) -> dict[str, list[Path]]:
    """The three cases as files (the CT is written once into ``folder``)."""
    brats = SHARED / "brats2015" / "brats_2013_pat0001_1"
    return {
        "brats": [brats / "Flair_subtrMeanDivStd.nii.gz", brats / "T1c_subtrMeanDivStd.nii.gz"],
        "ct": [clinical_ct_file(folder, short)],
        "lidc": [REPOSITORY / "Resources" / "Samples" / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"],
    }


def clinical_ct_file(folder: Path, short: bool) -> Path:
    import numpy as np
    import SimpleITK as sitk

    shape, spacing = ((256, 256, 100), (1.4, 1.4, 3.0)) if short else ((512, 512, 300), (0.7, 0.7, 1.0))
    path = folder / f"ct-{shape[0]}x{shape[1]}x{shape[2]}.nrrd"
    if path.exists():
        return path
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(str(SHARED / "totalsegmentator_examples" / "ct_dicom")))
    source = reader.Execute()
    array = sitk.GetArrayFromImage(source)  # z, y, x
    needed = int(np.ceil(shape[2] * spacing[2] / source.GetSpacing()[2])) + 1
    while array.shape[0] < needed:
        array = np.concatenate([array, array[::-1]])
    tiled = sitk.GetImageFromArray(array[:needed])
    tiled.SetSpacing(source.GetSpacing())
    tiled.SetOrigin(source.GetOrigin())
    tiled.SetDirection(source.GetDirection())
    reference = sitk.Image(list(shape), sitk.sitkInt16)
    reference.SetSpacing(spacing)
    reference.SetDirection(source.GetDirection())
    centre = tiled.TransformContinuousIndexToPhysicalPoint([(n - 1) / 2 for n in tiled.GetSize()])
    half = [(n - 1) * s / 2 for n, s in zip(shape, spacing, strict=True)]
    reference.SetOrigin([c - h for c, h in zip(centre, half, strict=True)])
    resampled = sitk.Resample(tiled, reference, sitk.Transform(), sitk.sitkLinear, -1024, sitk.sitkInt16)
    sitk.WriteImage(resampled, str(path), useCompression=True)
    return path


def run_child(arguments: list[str]) -> tuple[dict, float]:
    """Run this script as a child; its JSON report and its peak resident memory in GB (from ``wait4``)."""
    process = subprocess.Popen([sys.executable, __file__, *arguments], stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"benchmark child {arguments} failed with status {status}")
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024**2


def child_direct(images: list[str], prompts: list[str], out: Path) -> dict:
    """In this fresh process: three prompts through the Python API, then the SegResNet baseline."""
    started = time.perf_counter()
    from reinforcedvl.predictor import Predictor
    from reinforcedvl.segment_study import plan_study, run_study

    seconds = []
    plan = plan_study(images, prompts[:1], out / "first")
    predictor = Predictor.from_model("reinforcedvl-starter", "cpu")
    run_study(plan, predictor)
    seconds.append(time.perf_counter() - started)
    from reinforcedvl.result_files import write_finding_files

    for index, prompt in enumerate(prompts[1:], start=2):
        prompt_started = time.perf_counter()
        result = predictor.segment(prompt)
        write_finding_files(result, out, f"{index:02d}", predictor.identity, predictor.device.description)
        seconds.append(time.perf_counter() - prompt_started)
    report = {"cold_seconds": seconds[0], "warm_seconds": seconds[1:], "device": predictor.device.description,
              "model_grid": list(predictor.prepared_volume.image.shape[1:]),
              "baseline_seconds": baseline_prompt_seconds(predictor)}
    return report


def baseline_prompt_seconds(predictor) -> float:  # noqa: ANN001
    """One prompt's worth of work with SegResNet in place of our network (same windows, way back, lesions)."""
    import torch
    from monai.inferers import sliding_window_inference
    from monai.networks.nets import SegResNet

    from reinforcedvl.lesions import find_lesions

    prepared = predictor.prepared_volume
    network = SegResNet(spatial_dims=3, in_channels=prepared.image.shape[0], out_channels=1, init_filters=8).eval()
    image = prepared.image.as_tensor()[None]
    window = predictor._window_size(image.shape[2:])
    started = time.perf_counter()
    with torch.inference_mode():
        logits = sliding_window_inference(
            image, roi_size=window, sw_batch_size=1, predictor=network, overlap=predictor.config.window_overlap,
            mode="gaussian", padding_mode="constant", cval=prepared.background_value,
        )
        probability = torch.sigmoid(logits[0])
    on_input = predictor.preprocessor.to_input_grid(prepared, torch.cat([probability, probability]))
    find_lesions(on_input[0], prepared.volume, threshold=0.5, min_volume_mm3=3.0)
    return time.perf_counter() - started


def child_worker(images: list[str], prompts: list[str], out: Path) -> dict:
    """The same three prompts through the persistent worker process."""
    from reinforcedvl.worker.client import WorkerClient

    started = time.perf_counter()
    client = WorkerClient(model="reinforcedvl-starter", device="cpu")
    client.start()
    client.wait_until_ready(600)
    client.wait_for(client.set_volume(images), 1200)
    seconds = []
    for index, prompt in enumerate(prompts, start=1):
        prompt_started = time.perf_counter()
        client.wait_for(client.segment(prompt, str(out / f"worker-{index:02d}")), 1200)
        seconds.append(time.perf_counter() - (started if index == 1 else prompt_started))
    client.stop()
    return {"cold_seconds": seconds[0], "warm_seconds": seconds[1:]}


def markdown(results: dict, machine: str, command: str) -> str:
    lines = [
        "# segment benchmark", "", f"Machine: {machine}. Command: `{command}`.", "",
        "| case | model grid | cold (s) | warm 2nd / 3rd (s) | worker cold (s) | worker warm (s) | peak RSS (GB) "
        "| SegResNet prompt (s) | warm / SegResNet |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case, r in results.items():
        warm = r["direct"]["warm_seconds"]
        worker = r["worker"]
        lines.append(
            f"| {case} | {' x '.join(map(str, r['direct']['model_grid']))} | {r['direct']['cold_seconds']:.1f} "
            f"| {warm[0]:.1f} / {warm[1]:.1f} | {worker['cold_seconds']:.1f} | "
            f"{' / '.join(f'{s:.1f}' for s in worker['warm_seconds'])} | {r['peak_rss_gb']:.2f} "
            f"| {r['direct']['baseline_seconds']:.1f} | {min(warm) / r['direct']['baseline_seconds']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmark-results"))
    parser.add_argument("--short", action="store_true", help="small CT (256 x 256 x 100), for CI")
    parser.add_argument("--cases", nargs="+", default=["lidc", "brats", "ct"], choices=sorted(PROMPTS))
    parser.add_argument("--child", choices=("direct", "worker"), help=argparse.SUPPRESS)
    parser.add_argument("--images", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--prompts", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        work = Path(tempfile.mkdtemp(prefix="reinforcedvl-benchmark-"))
        action = child_direct if args.child == "direct" else child_worker
        print(json.dumps(action(args.images, args.prompts, work)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    inputs = make_inputs(args.out, args.short)
    results = {}
    for case in args.cases:
        common = ["--images", *map(str, inputs[case]), "--prompts", *PROMPTS[case]]
        direct, peak = run_child(["--child", "direct", *common])
        worker, _ = run_child(["--child", "worker", *common])
        results[case] = {"direct": direct, "worker": worker, "peak_rss_gb": peak}
        print(case, json.dumps(results[case]), flush=True)
    machine = f"{os.cpu_count()} CPU cores, {results[args.cases[0]]['direct']['device']}"
    command = "python benchmarks/segment_benchmark.py " + " ".join(sys.argv[1:])
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (args.out / "results.md").write_text(markdown(results, machine, command), encoding="utf-8")
    print(markdown(results, machine, command))


if __name__ == "__main__":
    main()
