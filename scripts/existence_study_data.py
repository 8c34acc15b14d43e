"""Collect, for every in-scope question on the studies at hand, the windows' existence probabilities and the lesions
drawn, with the expert truth: the data behind the window combination, the existence calibration and the lesion
confidence threshold (scripts/existence_calibration.py and scripts/lesion_confidence_sweep.py read it).

Usage: python scripts/existence_study_data.py --manifest manifests/triplets.jsonl --data-root ../shared/data \
    --out runs/existence/studies.jsonl [--model M] [--device cpu] [--lidc-train 120] [--splits dev train] \
    [--slab-step-mm 20]

Studies and their truth (every answer is the shipped engine's, scope gate included; a question the gate does not
assess is recorded with its status and no probability):

* each BraTS brain, whole (240 x 240 x 155 mm), asked the 6 brain-tumour findings: all present (every sub-region's
  expert label is non-empty in all four brains);
* each BraTS brain cut into 40 mm axial slabs every 20 mm (``--slab-step-mm``; a partial-coverage brain MR: the
  region recogniser reads most of them as brain), asked the same 6 findings; present when the finding's expert label
  has a voxel in the slab. The slabs above and below the tumour, and the sub-regions a slab through the tumour's
  edge misses, are the assessed absent cases;
* LIDC crops (dev: all; train: every n-th, ``--lidc-train`` of them) asked "lung nodule": all present (each crop is
  centred on its nodule; no in-scope absent chest case exists in the data).

Split: BraTS pat0001 and LIDC patients whose number is 3 mod 8 are dev (the manifest's split), the rest train.
Lesions are outlined (and recorded at lesion confidence 0, for the lesion-confidence sweep) only for the dev split's
whole brain and LIDC crops (``--outline-train``: the train split's too); elsewhere only the existence pass runs (the
study's existence answer does not depend on the outline; with the mask threshold unreached, a row's status there is
the gate's: absent or not_assessed). One JSON line per (study, finding), written as it goes (a rerun appends to the
file and skips what it holds).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import torch
from scipy import ndimage

from reinforcedvl.data.manifest import read_manifest
from reinforcedvl.data.phrasing import BRAIN_SUBREGIONS
from reinforcedvl.evaluation.partial_studies import axial_slabs
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.io.resampling import resample_label_map
from reinforcedvl.lesions.connectivity import LESION_CONNECTIVITY
from reinforcedvl.predictor import Predictor
from reinforcedvl.vocabulary import Modality

SLAB_MM = 40
SLAB_STEP_MM = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--data-root", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", default="reinforcedvl-starter", help="installed model id or checkpoint folder")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--lidc-train", type=int, default=120, help="LIDC train crops (every n-th), 0 for none")
    parser.add_argument("--splits", nargs="+", default=["dev", "train"], choices=["dev", "train"])
    parser.add_argument("--slab-step-mm", type=int, default=SLAB_STEP_MM, help="distance between slab starts")
    parser.add_argument("--outline-train", action="store_true", help="outline the train split's brains and crops too")
    parser.add_argument("--parts", nargs="+", default=["brats", "lidc"], choices=["brats", "lidc"])
    args = parser.parse_args()
    predictor = Predictor.from_model(args.model, device=args.device)
    predictor.lesion_confidence = 0.0  # every lesion recorded, with its confidence: the sweep applies thresholds
    windows: list[float] = []
    ground = predictor.network.ground

    def recording_ground(*arguments, **keywords):  # noqa: ANN002, ANN003, ANN202
        output = ground(*arguments, **keywords)
        windows.extend(torch.sigmoid(output.existence_logits.float()).tolist())
        return output

    predictor.network.ground = recording_ground  # the windows' probabilities, as the predictor combines them
    outlining = predictor.checkpoint
    existence_only = dataclasses.replace(
        outlining, config=dataclasses.replace(outlining.config, existence_threshold=1.01)
    )  # no window reaches it: the outline pass never runs
    done = set()
    if args.out.exists():
        done = {(row["study"], row["finding"]) for row in map(json.loads, args.out.read_text().splitlines())}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "a") as out:
        for split in args.splits:
            for study, volume, labels, modality, findings in _studies(args, split):
                outline = (split == "dev" or args.outline_train) and not study.startswith("slab:")
                predictor.checkpoint = outlining if outline else existence_only
                predictor.set_volume(volume, modality=modality)
                for finding, values in findings.items():
                    if (study, finding) in done:
                        continue
                    windows.clear()
                    started = time.perf_counter()
                    result = predictor.segment(finding)
                    reference = np.isin(labels, values)
                    row = {
                        "study": study,
                        "split": split,
                        "kind": study.split(":")[0],
                        "finding": finding,
                        "truth_present": bool(reference.any()),
                        "reference_ml": round(float(reference.sum()) * float(np.prod(volume.spacing)) / 1000, 4),
                        "region": predictor.region.region.value if predictor.region else None,
                        "outlined": outline,
                        "status": result.status.value,
                        "probability": result.present_probability,
                        "windows": [round(p, 6) for p in windows],
                        "seconds": round(time.perf_counter() - started, 2),
                        **_lesion_record(result, reference),
                    }
                    out.write(json.dumps(row) + "\n")
                    out.flush()
                    print(study, finding, row["status"], row["probability"], len(windows), row["seconds"], flush=True)


def _studies(args: argparse.Namespace, split: str):  # noqa: ANN202
    triplets = [t for t in read_manifest(args.manifest, split=split) if t.present and t.mask]
    if "brats" in args.parts:
        brains = sorted({t.images for t in triplets if t.source == "brats"})
        for images in brains:
            mask = next(t.mask for t in triplets if t.images == images)
            volume = read_image([args.data_root / image for image in images])
            labels = resample_label_map(read_label_map(args.data_root / mask), volume).array[0]
            name = Path(images[0]).parent.name
            findings = {finding: values for finding, (values, _) in BRAIN_SUBREGIONS.items()}
            yield f"brain:{name}", volume, labels, Modality.MR, findings
            brain = read_label_map(args.data_root / Path(mask).parent / "brainmask.nii.gz").array[0] > 0
            for start, box in axial_slabs(volume, brain, SLAB_MM, args.slab_step_mm):
                yield f"slab:{name}:{start}", volume.crop(box), labels[box], Modality.MR, findings
    if "lidc" in args.parts:
        crops = [t for t in triplets if t.source == "lidc"]
        if split == "train":
            crops = crops[:: max(1, len(crops) // args.lidc_train)][: args.lidc_train] if args.lidc_train else []
        for triplet in crops:
            volume = read_image([args.data_root / image for image in triplet.images])
            labels = resample_label_map(read_label_map(args.data_root / triplet.mask), volume).array[0]
            yield f"lidc:{triplet.id.split('/')[-1]}", volume, labels, Modality.CT, {triplet.finding: triplet.labels}


def _lesion_record(result, reference: np.ndarray) -> dict:  # noqa: ANN001
    """Every drawn lesion with its confidence, voxels, voxels on the reference and the reference components it
    touches; the reference's component count and voxels (for lesion precision / recall and Dice by threshold)."""
    components, count = ndimage.label(reference, structure=LESION_CONNECTIVITY)
    lesion_labels = result.lesion_map.array[0]
    lesions = []
    for lesion in result.lesions:
        inside = lesion_labels == lesion.lesion_id
        touched = sorted(set(np.unique(components[inside]).tolist()) - {0})
        lesions.append(
            {
                "confidence": round(lesion.confidence, 5),
                "volume_ml": round(lesion.volume_ml, 5),
                "voxels": int(inside.sum()),
                "overlap": int((inside & reference).sum()),
                "touched": touched,
            }
        )
    return {"reference_components": int(count), "reference_voxels": int(reference.sum()), "lesions": lesions}


if __name__ == "__main__":
    main()
