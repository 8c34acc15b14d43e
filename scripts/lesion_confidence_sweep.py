"""Lesion-level precision, recall and Dice on the dev split over a range of lesion-confidence thresholds, and the
threshold they choose.

Usage: python scripts/lesion_confidence_sweep.py --studies runs/existence/studies.jsonl \
    [--table runs/existence/lesion-confidence.md]

Reads the dev split's outlined answers collected by scripts/existence_study_data.py: the 115 LIDC dev nodules asked
"lung nodule" and the BraTS dev brain (pat0001) asked the 6 brain-tumour findings, every lesion drawn with its
confidence (mean probability over its voxels) and its overlap with the expert label. A threshold keeps the lesions
at or above it. Precision: kept lesions touching the reference / kept lesions; recall: reference components touched
by a kept lesion / reference components; Dice: the kept lesions' union against the reference, averaged over the
cases. The threshold chosen is the one with the best lesion F1 averaged over LIDC and BraTS among those that lower
neither the LIDC mean Dice, the BraTS mean Dice nor the BraTS whole-tumour Dice (reinforcedvl.evaluation.lesion_sweep).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from reinforcedvl.evaluation.lesion_sweep import dev_sweep
from reinforcedvl.lesions.confidence import DEFAULT_LESION_CONFIDENCE

THRESHOLDS = (0.0, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=Path, required=True)
    parser.add_argument("--table", type=Path)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.studies.read_text().splitlines() if line.strip()]
    dev = [row for row in rows if row["split"] == "dev" and row["probability"] is not None]
    outlined = [row for row in dev if row["kind"] in ("lidc", "brain")]
    unassessed = sum(1 for r in rows if r["split"] == "dev" and r["kind"] == "lidc" and r["probability"] is None)
    table, chosen = dev_sweep(outlined, THRESHOLDS)
    lidc = sum(row["kind"] == "lidc" for row in outlined)
    lines = [
        f"Dev split: {lidc} LIDC nodules, BraTS pat0001 x {len(outlined) - lidc} findings ({unassessed} LIDC crops not "
        "assessed by the scope gate, left out).",
        "",
        *table,
        "",
        f"Chosen: {chosen:.2f} (the engine's default now: {DEFAULT_LESION_CONFIDENCE:.2f})",
    ]
    text = "\n".join(lines)
    print(text)
    if args.table:
        args.table.parent.mkdir(parents=True, exist_ok=True)
        args.table.write_text(text + "\n")


if __name__ == "__main__":
    main()
