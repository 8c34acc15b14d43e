"""Collect what the existence head reads in every window the engine runs on the train split's studies, with the
window's truth: the data on which scripts/refit_existence_head.py retrains the head alone.

Usage: python scripts/existence_head_data.py --manifest manifests/triplets.jsonl --data-root ../shared/data \
    --out runs/existence-head/train --split train [--device cpu] [--lidc 120] [--slab-mm 30 40 60] \
    [--slab-step-mm 10] [--boxes 40]

Studies (``--split train``; ``--split dev``, the default, collects the dev split's in the same way, to evaluate a
refitted head):

* each train BraTS brain whole, asked the 6 brain-tumour findings in the words the network reads and two findings of
  other families ("lung nodule", "liver": absent);
* the same brains cut into axial slabs of ``--slab-mm`` thicknesses every ``--slab-step-mm`` (partial-coverage brain
  MR, whose windows are as thin as the slab) and into ``--boxes`` random boxes, asked the 6 brain-tumour findings;
* the train LIDC crops (every n-th, ``--lidc`` of them) asked "lung nodule" and two brain-tumour findings (absent);
* the train abdominal studies (TotalSegmentator's MR and DICOM CT) asked the brain-tumour findings and "lung nodule":
  absent.

Every window is the engine's own (the shipped predictor's sliding windows, sizes and padding; the scope gate off so
that other families' questions reach the network); a window's truth is the number of the finding's expert-label
voxels inside it. One compressed NumPy file per study (``evidence`` float32 ``(N, F)``, ``voxels`` int ``(N,)``,
``finding`` and ``text`` per row), written as it goes; a rerun skips the studies it holds.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import numpy as np

from reinforcedvl.cli.arguments import add_evaluation_options
from reinforcedvl.data.manifest import read_manifest
from reinforcedvl.data.phrasing import BRAIN_SUBREGIONS
from reinforcedvl.evaluation.partial_studies import axial_slabs
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.io.resampling import resample_label_map
from reinforcedvl.predictor import Predictor
from reinforcedvl.vocabulary import Modality

OTHER_FAMILIES_ON_BRAINS = ("lung nodule", "liver")
BRAIN_FINDINGS_ON_CROPS = ("whole tumour", "enhancing tumour")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_evaluation_options(parser, out_help="folder of one .npz per study (a rerun skips those it holds)")
    parser.add_argument("--lidc", type=int, default=120, help="train LIDC crops (every n-th), 0 for none")
    parser.add_argument("--slab-mm", type=int, nargs="+", default=[30, 40, 60])
    parser.add_argument("--slab-step-mm", type=int, default=10)
    parser.add_argument("--boxes", type=int, default=40, help="random boxes cut from each train brain")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--parts", nargs="+", default=["brats", "lidc", "abdomen"], choices=["brats", "lidc", "abdomen"]
    )
    args = parser.parse_args()

    predictor = Predictor.from_model(args.model, device=args.device)
    predictor.scope_gate = None  # other families' questions must reach the network
    predictor.checkpoint = dataclasses.replace(
        predictor.checkpoint, config=dataclasses.replace(predictor.config, existence_threshold=1.01)
    )  # no window reaches it: only the existence pass runs
    keys: list = []
    rows: list[np.ndarray] = []
    cache_features = predictor._features.features

    def recording_features(windows, window_keys, encode):  # noqa: ANN001, ANN202
        keys.extend(window_keys)
        return cache_features(windows, window_keys, encode)

    predictor._features.features = recording_features
    predictor.network.existence_head.classifier.register_forward_hook(
        lambda module, inputs, output: rows.append(inputs[0].detach().float().cpu().numpy())
    )
    args.out.mkdir(parents=True, exist_ok=True)
    for name, volume, labels, modality, questions in _studies(args):
        path = args.out / f"{name}.npz"
        if path.exists():
            continue
        started = time.perf_counter()
        prepared = predictor.set_volume(volume, modality=modality)
        grid = predictor.preprocessor.labels_to_model_grid(prepared, labels)[0].numpy().round().astype(np.int16)
        window = predictor._window_size(grid.shape)
        grid = _padded_as_sliding_window(grid, window)
        evidence, voxels, findings, texts = [], [], [], []
        for finding, text, values in questions:
            keys.clear()
            rows.clear()
            predictor.segment(text)
            got = np.concatenate(rows)
            if len(got) != len(keys):
                raise RuntimeError(f"{name} {text}: {len(got)} head rows for {len(keys)} windows")
            for key, row in zip(keys, got, strict=True):
                box = tuple(slice(start, stop) for start, stop in key)
                voxels.append(int(np.isin(grid[box], values).sum()) if values else 0)
                evidence.append(row)
                findings.append(finding)
                texts.append(text)
        np.savez_compressed(
            path,
            evidence=np.stack(evidence).astype(np.float32),
            voxels=np.asarray(voxels),
            finding=np.asarray(findings),
            text=np.asarray(texts),
            window=np.asarray(window),
        )
        present = sum(v > 0 for v in voxels)
        print(f"{name}: {len(voxels)} rows, {present} present, {time.perf_counter() - started:.0f} s", flush=True)


def _padded_as_sliding_window(grid: np.ndarray, window: tuple[int, ...]) -> np.ndarray:
    """The label grid padded as MONAI's sliding-window inference pads the image (half before, half after), so that
    the window keys index it."""
    pads = []
    for size, roi in zip(grid.shape, window, strict=True):
        extra = max(roi - size, 0)
        pads.append((extra // 2, extra - extra // 2))
    return np.pad(grid, pads)


def _random_boxes(brain: np.ndarray, spacing, count: int, random: np.random.Generator):  # noqa: ANN001, ANN202
    """``count`` boxes with sides of 50-150 mm, each holding its centre inside the brain mask: partial-coverage
    brain studies whose windows may hold all, part or none of the tumour."""
    inside = np.argwhere(brain)
    for _ in range(count):
        centre = inside[random.integers(len(inside))]
        box = []
        for axis in range(3):
            half = int(random.uniform(25, 75) / spacing[axis])
            box.append(slice(max(int(centre[axis]) - half, 0), min(int(centre[axis]) + half, brain.shape[axis])))
        yield tuple(box)


def _studies(args: argparse.Namespace):  # noqa: ANN202
    triplets = list(read_manifest(args.manifest, split=args.split))
    random = np.random.default_rng(args.seed)
    brain_questions = [(finding, finding, values) for finding, (values, _) in BRAIN_SUBREGIONS.items()]
    if "brats" in args.parts:
        brains = sorted({t.images for t in triplets if t.source == "brats"})
        others = [(finding, finding, ()) for finding in OTHER_FAMILIES_ON_BRAINS]
        for images in brains:
            mask = next(t.mask for t in triplets if t.images == images and t.mask)
            volume = read_image([args.data_root / image for image in images])
            labels = resample_label_map(read_label_map(args.data_root / mask), volume).array[0]
            name = Path(images[0]).parent.name
            yield f"brain-{name}", volume, labels, Modality.MR, brain_questions + others
            brain = read_label_map(args.data_root / Path(mask).parent / "brainmask.nii.gz").array[0] > 0
            for slab_mm in args.slab_mm:
                for start, box in axial_slabs(volume, brain, slab_mm, args.slab_step_mm):
                    yield f"slab{slab_mm}-{name}-{start}", volume.crop(box), labels[box], Modality.MR, brain_questions
            for number, box in enumerate(_random_boxes(brain, volume.spacing, args.boxes, random)):
                yield f"box-{name}-{number}", volume.crop(box), labels[box], Modality.MR, brain_questions
    if "lidc" in args.parts and args.lidc:
        crops = [t for t in triplets if t.source == "lidc" and t.present and t.mask]
        crops = sorted({t.id: t for t in crops}.values(), key=lambda t: t.id)
        crops = crops[:: max(1, len(crops) // args.lidc)][: args.lidc]
        for triplet in crops:
            volume = read_image([args.data_root / image for image in triplet.images])
            labels = resample_label_map(read_label_map(args.data_root / triplet.mask), volume).array[0]
            questions = [("lung nodule", "lung nodule", tuple(triplet.labels))]
            questions += [(finding, finding, ()) for finding in BRAIN_FINDINGS_ON_CROPS]
            yield f"lidc-{triplet.id.split('/')[-1]}", volume, labels, Modality.CT, questions
    if "abdomen" in args.parts:
        studies = {t.images: t for t in triplets if t.source == "totalsegmentator"}
        for images, triplet in sorted(studies.items()):
            volume = read_image([args.data_root / image for image in images])
            labels = np.zeros(volume.spatial_shape, np.int16)
            questions = [(finding, finding, ()) for finding, _, _ in brain_questions] + [
                ("lung nodule", "lung nodule", ())
            ]
            name = Path(images[0]).name.split(".")[0]
            yield f"abdomen-{name}", volume, labels, Modality(triplet.modality), questions


if __name__ == "__main__":
    main()
