"""GPU inference timing on a 512 x 512 x 300 CT made from real CT, beside MONAI SegResNet with the same windowing.

The CT is the TotalSegmentator example DICOM series (real HU, 0.98 x 0.98 x 2 mm, 20 slices) as prepared for
training (1 mm, RAS), mirrored along z to 300 mm and resampled to 512 x 512 x 300 voxels of 0.7 x 0.7 x 1.0 mm,
the size of a clinical chest CT. It runs where SimpleITK is not installed (the GPU machine), so file reading and
writing are left out: the timings cover preprocessing, windowed inference, the way back to the input grid and the
lesion measurements. ``benchmarks/segment_benchmark.py`` times the full command on files.

Usage:
    python benchmarks/gpu_inference.py --checkpoint runs/k2 --prompt-table prompts.safetensors \
        --prepared-ct CACHE/<key>.npz --out results.json [--device cuda]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from monai.inferers import sliding_window_inference
from monai.networks.nets import SegResNet

from reinforcedvl.model_store.checkpoint import load_network, read_checkpoint
from reinforcedvl.modeling.device import resolve_device
from reinforcedvl.modeling.precomputed_text import PrecomputedTextEncoder
from reinforcedvl.predictor import Predictor
from reinforcedvl.vocabulary import Modality
from reinforcedvl.volume import ScalarVolume

PROMPTS = ("solid lung nodule", "liver", "enhancing tumour")


def clinical_ct(prepared_ct: Path, shape: tuple[int, int, int], spacing: tuple[float, float, float]) -> ScalarVolume:
    """A CT of ``shape`` voxels of ``spacing`` mm built from a prepared real CT (see the module docstring)."""
    with np.load(prepared_ct) as stored:
        hounsfield = torch.from_numpy(stored["image"][:1].astype(np.float32) * 1000.0)
    extent_mm = [n * s for n, s in zip(shape, spacing, strict=True)]
    while hounsfield.shape[-1] < extent_mm[2]:
        hounsfield = torch.cat([hounsfield, hounsfield.flip(-1)], dim=-1)
    hounsfield = hounsfield[..., : int(extent_mm[2])]
    hounsfield = hounsfield[:, : int(extent_mm[0]), : int(extent_mm[1])]
    resampled = F.interpolate(hounsfield[None], size=shape, mode="trilinear", align_corners=False)[0]
    affine = np.diag([-spacing[0], -spacing[1], spacing[2], 1.0])
    return ScalarVolume(resampled.round().to(torch.int16).numpy(), affine, name="clinical-size CT")


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _timed(device: torch.device, action):  # noqa: ANN001, ANN202
    _synchronize(device)
    started = time.perf_counter()
    result = action()
    _synchronize(device)
    return result, time.perf_counter() - started


def _peak_gb(device: torch.device) -> float:
    return torch.cuda.max_memory_allocated(device) / 1024**3 if device.type == "cuda" else float("nan")


def benchmark(args: argparse.Namespace) -> dict:
    compute = resolve_device(args.device)
    device = compute.device
    volume = clinical_ct(args.prepared_ct, tuple(args.shape), tuple(args.spacing))
    report: dict = {
        "device": compute.description,
        "input_shape": list(volume.spatial_shape),
        "input_spacing_mm": list(volume.spacing),
        "torch": torch.__version__,
    }

    def load() -> Predictor:
        checkpoint = read_checkpoint(args.checkpoint)
        return Predictor(
            network=load_network(checkpoint, device),
            checkpoint=checkpoint,
            text_encoder=PrecomputedTextEncoder(args.prompt_table),
            device=compute,
        )

    predictor, report["model_load_seconds"] = _timed(device, load)
    prepared, report["preprocess_seconds"] = _timed(device, lambda: predictor.set_volume(volume, modality=Modality.CT))
    report["model_grid_shape"] = list(prepared.image.shape[1:])
    for index, prompt in enumerate(PROMPTS, start=1):
        if device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(device)
        result, seconds = _timed(device, lambda p=prompt: predictor.segment(p))
        report[f"prompt_{index}"] = {
            "prompt": prompt,
            "seconds": round(seconds, 3),
            "peak_gpu_gb": _peak_gb(device),
            "present_probability": result.present_probability,
            "lesions": len(result.lesions),
        }
    report["cold_seconds"] = report["model_load_seconds"] + report["preprocess_seconds"] + report["prompt_1"]["seconds"]
    image = prepared.image.as_tensor()[None].to(device)
    report["windowed_network_seconds"] = _windowed(predictor, image, device, args)
    report["segresnet_windowed_seconds"] = _segresnet(image, device, args)
    report["ratio_ours_to_segresnet"] = report["windowed_network_seconds"] / report["segresnet_windowed_seconds"]
    return report


def _window_settings(args: argparse.Namespace, device: torch.device) -> dict:
    return dict(roi_size=(96, 96, 96), sw_batch_size=4 if device.type == "cuda" else 1, overlap=0.25, mode="gaussian")


def _windowed(predictor: Predictor, image: torch.Tensor, device: torch.device, args: argparse.Namespace) -> float:
    """Our network over the same windows as the baseline (encoder and decoder every window, no feature cache)."""
    states = predictor.text_encoder.encode(PROMPTS[0]).states[None].to(device)
    mask = torch.ones(states.shape[:2], dtype=torch.bool, device=device)

    def network(windows: torch.Tensor) -> torch.Tensor:
        batch = windows.shape[0]
        return predictor.network(windows, states.expand(batch, -1, -1), mask.expand(batch, -1)).mask_logits

    return _best_of(
        lambda: sliding_window_inference(image, predictor=network, **_window_settings(args, device)), device
    )


def _segresnet(image: torch.Tensor, device: torch.device, args: argparse.Namespace) -> float:
    baseline = SegResNet(spatial_dims=3, in_channels=image.shape[1], out_channels=1).to(device).eval()
    return _best_of(
        lambda: sliding_window_inference(image, predictor=baseline, **_window_settings(args, device)), device
    )


def _best_of(action, device: torch.device, repeats: int = 3) -> float:  # noqa: ANN001
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")
    times = []
    with torch.inference_mode(), autocast:
        for _ in range(repeats):
            times.append(_timed(device, action)[1])
    return round(min(times), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", required=True, type=Path)
    parser.add_argument("--prompt-table", required=True, type=Path)
    parser.add_argument("--prepared-ct", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--shape", type=int, nargs=3, default=(512, 512, 300))
    parser.add_argument("--spacing", type=float, nargs=3, default=(0.7, 0.7, 1.0))
    args = parser.parse_args()
    report = benchmark(args)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
