"""End-to-end timing and memory of ``segment``, beside MONAI SegResNet with the same windowing.

Cases (real data from ``../shared/data``):
  (a) BraTS pat0001, FLAIR + T1c, 240 x 240 x 155;
  (b) a CT of 512 x 512 x 300 voxels of 0.7 x 0.7 x 1.0 mm built from the TotalSegmentator example DICOM CT
      (resampled with SimpleITK; mirrored along z to cover 300 mm; the short mode makes 96 x 96 x 60);
  (c) an LIDC nodule crop (the bundled sample).
For each case a fresh process measures: *cold* (start of the process to the first prompt's files written: imports,
model load, reading, preprocessing, the network, the way back, lesions, files), then *warm* second and third prompts
on the same volume, and a fourth, warm, for a finding that is not there (an absent answer needs no mask); its peak
resident memory comes from the operating system (``wait4``, as ``/usr/bin/time``).
The same process then times the *baseline*: the same preprocessing, windows (size, overlap, Gaussian blending),
way back and lesion step with MONAI SegResNet (8 initial filters, untrained: the cost does not depend on weights)
in place of our network. A second process does the same through the worker (``python -m reinforcedvl.worker``).
The direct and scaling runs time the network on every prompt, the scope gate off (a brain-tumour finding on the
abdominal CT would otherwise be answered not_assessed without running it); the worker runs as users get it, so there
out-of-scope prompts are answered without the network.

With ``--scaling`` the same CT is also built at growing sizes (128 x 128 x 75 up to 512 x 512 x 1000 voxels of
0.7 x 0.7 x 1.0 mm) and a two-prompt study is timed on each, its peak memory measured, and both plotted.

Usage:
    python benchmarks/segment_benchmark.py --out docs/benchmarks [--short] [--cases brats ct lidc] [--scaling]
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

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("REINFORCEDVL_SHARED_DATA", REPOSITORY.parent / "shared" / "data"))
PROMPTS = {
    "brats": ("whole brain tumour", "enhancing tumour", "peritumoral oedema"),
    "ct": ("solid lung nodule", "liver", "enhancing tumour"),
    "lidc": ("solid lung nodule", "ground-glass nodule", "enhancing tumour"),
}
ABSENT_PROMPTS = {"brats": "solid lung nodule", "ct": "peritumoral oedema", "lidc": "peritumoral oedema"}


CT_SPACING_MM = (0.7, 0.7, 1.0)
SCALING_SHAPES = ((128, 128, 75), (256, 256, 150), (384, 384, 225), (512, 512, 300), (512, 512, 1000))
SHORT_SCALING_SHAPES = ((48, 48, 30), (64, 64, 40), (96, 96, 60), (128, 128, 75))


def case_images(case: str, folder: Path, short: bool) -> list[Path]:
    """The image files of one case (the CT is built once into ``folder``)."""
    if case == "brats":
        brats = SHARED / "brats2015" / "brats_2013_pat0001_1"
        return [brats / "Flair_subtrMeanDivStd.nii.gz", brats / "T1c_subtrMeanDivStd.nii.gz"]
    if case == "ct":
        return [clinical_ct_file(folder, (96, 96, 60) if short else (512, 512, 300), CT_SPACING_MM)]
    return [REPOSITORY / "Resources" / "Samples" / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"]


def clinical_ct_file(folder: Path, shape: tuple[int, int, int], spacing: tuple[float, float, float]) -> Path:
    """The TotalSegmentator example CT resampled to ``shape`` voxels of ``spacing`` mm around its centre (mirrored
    along z where the scan is shorter than asked)."""
    import SimpleITK as sitk

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
    from reinforcedvl.study.segment_job import plan_study, run_study

    seconds = []
    plan = plan_study(images, prompts[:1], out / "first")
    predictor = Predictor.from_model("reinforcedvl-starter", "cpu")
    predictor.scope_gate = None  # the network's speed on every prompt, in the model's scope or not
    first = run_study(plan, predictor)["prompts"][0]["seconds"]  # the predictor's own time for the first prompt
    seconds.append(time.perf_counter() - started)
    from reinforcedvl.study.finding_files import write_finding_files

    probabilities = []
    for index, prompt in enumerate(prompts[1:], start=2):
        prompt_started = time.perf_counter()
        result = predictor.segment(prompt)
        write_finding_files(result, out, f"{index:02d}", predictor.identity, predictor.device.description)
        seconds.append(time.perf_counter() - prompt_started)
        probabilities.append(result.present_probability)
    report = {
        "cold_seconds": seconds[0],
        "first_prompt_seconds": first,
        "warm_seconds": seconds[1:],
        "warm_present_probabilities": probabilities,
        "device": predictor.device.description,
        "model_grid": list(predictor.prepared_volume.image.shape[1:]),
        "baseline_seconds": baseline_prompt_seconds(predictor),
    }
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
    with torch.inference_mode(), predictor.device.mixed_precision():  # the same precision as our network
        logits = sliding_window_inference(
            image,
            roi_size=window,
            sw_batch_size=1,
            predictor=network,
            overlap=predictor.config.window_overlap,
            mode="gaussian",
            padding_mode="constant",
            cval=prepared.background_value,
        )
        probability = torch.sigmoid(logits[0].float())
    on_input = predictor.preprocessor.to_input_grid(prepared, torch.cat([probability, probability]))
    find_lesions(on_input[0], prepared.volume, threshold=0.5, min_volume_mm3=3.0)
    return time.perf_counter() - started


def child_scaling(images: list[str], prompts: list[str], out: Path) -> dict:
    """One volume size: reading and preparing, then the first and a second prompt with their files."""
    started = time.perf_counter()
    from reinforcedvl.predictor import Predictor
    from reinforcedvl.study.segment_job import plan_study, run_study

    predictor = Predictor.from_model("reinforcedvl-starter", "cpu")
    predictor.scope_gate = None  # the network's speed on every prompt, in the model's scope or not
    plan = plan_study(images, prompts, out / "scaling")
    loaded = time.perf_counter()
    run_study(plan, predictor)
    return {
        "load_seconds": loaded - started,
        "study_seconds": time.perf_counter() - loaded,
        "model_grid": list(predictor.prepared_volume.image.shape[1:]),
    }


def scaling(folder: Path, shapes: tuple[tuple[int, int, int], ...]) -> list[dict]:
    """Time and peak memory of a two-prompt study against the CT's size (voxels of 0.7 x 0.7 x 1.0 mm)."""
    rows = []
    for shape in shapes:
        image = clinical_ct_file(folder, shape, CT_SPACING_MM)
        report, peak = run_child(["--child", "scaling", "--images", str(image), "--prompts", *PROMPTS["ct"][:2]])
        rows.append({"shape": list(shape), "voxels": int(np.prod(shape)), "peak_rss_gb": peak, **report})
        print("scaling", json.dumps(rows[-1]), flush=True)
    return rows


def plot_scaling(rows: list[dict], path: Path) -> None:
    """Seconds and peak memory against input voxels (log-log, with the slope of linear growth drawn)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    voxels = np.array([row["voxels"] for row in rows], float)
    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    for axis, key, label in (
        (axes[0], "study_seconds", "two prompts, files written (s)"),
        (axes[1], "peak_rss_gb", "peak resident memory (GB)"),
    ):
        values = np.array([row[key] for row in rows], float)
        axis.loglog(voxels, values, "o-", label="measured")
        axis.loglog(voxels, values[0] * voxels / voxels[0], "--", color="grey", label="linear in voxels")
        axis.set_xlabel("input voxels")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.suptitle("reinforcedvl segment on CT of growing size (0.7 x 0.7 x 1.0 mm voxels), CPU")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def growth_exponent(rows: list[dict], key: str) -> float:
    """Slope of log(cost) against log(voxels) over the sizes measured (1.0 is linear growth)."""
    voxels = np.log([row["voxels"] for row in rows])
    return float(np.polyfit(voxels, np.log([row[key] for row in rows]), 1)[0])


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


def scaling_markdown(rows: list[dict]) -> str:
    lines = [
        "",
        "## Scaling",
        "",
        "![time and memory against size](scaling.png)",
        "",
        "| input voxels (shape) | model grid after crop | load (s) | two prompts with files (s) | peak RSS (GB) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['voxels'] / 1e6:.1f} M ({' x '.join(map(str, row['shape']))}) "
            f"| {' x '.join(map(str, row['model_grid']))} | {row['load_seconds']:.1f} | {row['study_seconds']:.1f} "
            f"| {row['peak_rss_gb']:.2f} |"
        )
    lines += [
        "",
        f"Growth exponent (log-log slope, 1.0 = linear in voxels): time "
        f"{growth_exponent(rows, 'study_seconds'):.2f}, memory {growth_exponent(rows, 'peak_rss_gb'):.2f}.",
    ]
    return "\n".join(lines) + "\n"


def markdown(results: dict, machine: str, command: str) -> str:
    lines = [
        "# segment benchmark",
        "",
        f"Machine: {machine}.",
        "",
        f"Command: `{command}`.",
        "",
        "| case | model grid | cold (s) | 1st prompt (s) | warm 2nd / 3rd (s) | warm, absent finding (s, p) "
        "| worker cold (s) | worker warm (s) | peak RSS (GB) | SegResNet prompt (s) | 1st prompt / SegResNet "
        "| warm / SegResNet |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case, r in results.items():
        direct, worker = r["direct"], r["worker"]
        warm, baseline = direct["warm_seconds"], direct["baseline_seconds"]
        absent = f"{warm[2]:.1f} (p = {direct['warm_present_probabilities'][2]:.2f})"
        lines.append(
            f"| {case} | {' x '.join(map(str, direct['model_grid']))} | {direct['cold_seconds']:.1f} "
            f"| {direct['first_prompt_seconds']:.1f} | {warm[0]:.1f} / {warm[1]:.1f} | {absent} "
            f"| {worker['cold_seconds']:.1f} "
            f"| {' / '.join(f'{s:.1f}' for s in worker['warm_seconds'])} | {r['peak_rss_gb']:.2f} | {baseline:.1f} "
            f"| {direct['first_prompt_seconds'] / baseline:.2f} | {min(warm[:2]) / baseline:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmark-results"))
    parser.add_argument("--short", action="store_true", help="small sizes, to keep the script working in CI")
    parser.add_argument("--cases", nargs="*", default=["lidc", "brats", "ct"], choices=sorted(PROMPTS))
    parser.add_argument("--scaling", action="store_true", help="also time a CT study at growing sizes")
    parser.add_argument("--child", choices=("direct", "worker", "scaling"), help=argparse.SUPPRESS)
    parser.add_argument("--images", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--prompts", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        work = Path(tempfile.mkdtemp(prefix="reinforcedvl-benchmark-"))
        action = {"direct": child_direct, "worker": child_worker, "scaling": child_scaling}[args.child]
        print(json.dumps(action(args.images, args.prompts, work)))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "machine": machine_description(),
        "command": "python benchmarks/segment_benchmark.py " + " ".join(sys.argv[1:]),
        "cases": {},
    }
    for case in args.cases:
        prompts = [*PROMPTS[case], ABSENT_PROMPTS[case]]
        common = ["--images", *map(str, case_images(case, args.out, args.short)), "--prompts", *prompts]
        direct, peak = run_child(["--child", "direct", *common])
        worker, _ = run_child(["--child", "worker", *common])
        results["cases"][case] = {"direct": direct, "worker": worker, "peak_rss_gb": peak}
        print(case, json.dumps(results["cases"][case]), flush=True)
    text = markdown(results["cases"], results["machine"], results["command"])
    if args.scaling:
        results["scaling"] = scaling(args.out, SHORT_SCALING_SHAPES if args.short else SCALING_SHAPES)
        plot_scaling(results["scaling"], args.out / "scaling.png")
        text += scaling_markdown(results["scaling"])
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (args.out / "results.md").write_text(text, encoding="utf-8")
    print(text)


def machine_description() -> str:
    """CPU model, the kernels PyTorch picks on it and whether the engine runs bf16 there, cores and memory (the
    figures depend on them)."""
    import torch

    from reinforcedvl.modeling.device import cpu_has_bf16_instructions

    names = [line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")]
    model = names[0].split(":", 1)[1].strip() if names else "unknown CPU"
    kernels = torch.backends.cpu.get_cpu_capability()
    bf16 = "with" if cpu_has_bf16_instructions() else "without"
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{model} ({kernels} kernels, {bf16} bf16 instructions), {len(os.sched_getaffinity(0))} cores available, "
        f"{memory_gb:.0f} GB memory, CPU build of torch"
    )


if __name__ == "__main__":
    main()
