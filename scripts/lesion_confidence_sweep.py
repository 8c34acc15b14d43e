"""Lesion-level precision and recall on the dev split for a range of lesion-confidence thresholds.

Usage: python scripts/lesion_confidence_sweep.py --manifest manifests/triplets.jsonl --data-root ../shared/data \
    --out runs/lesion-confidence [--device cpu]

For every present dev triplet (first description), every lesion the model draws is kept with its confidence and
whether it touches the reference mask; a threshold then keeps the lesions at or above it. Precision: kept lesions
touching the reference / kept lesions; recall: reference components touched by a kept lesion / reference components.
Writes lesions.csv and sweep.md.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from scipy import ndimage

from reinforcedvl.data.manifest import read_manifest
from reinforcedvl.io import read_image, read_label_map
from reinforcedvl.io.resampling import resample_label_map
from reinforcedvl.predictor import Predictor
from reinforcedvl.vocabulary import Modality

THRESHOLDS = (0.0, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--data-root", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    predictor = Predictor.from_model(device=args.device)
    rows = []
    for triplet in read_manifest(args.manifest, split="dev"):
        if not triplet.present or triplet.mask is None:
            continue
        volume = read_image([args.data_root / image for image in triplet.images])
        predictor.set_volume(volume, modality=Modality(triplet.modality))
        labels = resample_label_map(read_label_map(args.data_root / triplet.mask), volume).array[0]
        reference = np.isin(labels, triplet.labels)
        components, count = ndimage.label(reference, structure=np.ones((3, 3, 3), bool))
        result = predictor.segment(triplet.descriptions[0])
        lesion_labels = result.lesion_map.array[0]
        for lesion in result.lesions:
            inside = lesion_labels == lesion.lesion_id
            touched = sorted(set(np.unique(components[inside]).tolist()) - {0})
            rows.append(
                {
                    "case": triplet.id,
                    "source": triplet.source,
                    "lesion": lesion.lesion_id,
                    "confidence": round(lesion.confidence, 4),
                    "volume_ml": round(lesion.volume_ml, 4),
                    "true": bool(touched),
                    "touched": " ".join(map(str, touched)),
                    "reference_components": count,
                }
            )
        if not result.lesions:
            rows.append(
                {
                    "case": triplet.id,
                    "source": triplet.source,
                    "lesion": 0,
                    "confidence": None,
                    "volume_ml": 0,
                    "true": False,
                    "touched": "",
                    "reference_components": count,
                }
            )
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "lesions.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    lines = ["| source | threshold | lesions kept | precision | recall |", "|---|---|---|---|---|"]
    for source in sorted({r["source"] for r in rows}):
        cases = {r["case"]: r["reference_components"] for r in rows if r["source"] == source}
        for threshold in THRESHOLDS:
            kept = [r for r in rows if r["source"] == source and r["lesion"] and r["confidence"] >= threshold]
            found = {(r["case"], c) for r in kept for c in r["touched"].split()}
            precision = sum(r["true"] for r in kept) / len(kept) if kept else float("nan")
            recall = len(found) / sum(cases.values())
            lines.append(f"| {source} | {threshold:.2f} | {len(kept)} | {precision:.3f} | {recall:.3f} |")
    (args.out / "sweep.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
