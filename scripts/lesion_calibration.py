"""Fit the lesion-confidence calibration on the train split's drawn lesions, then measure it and sweep the lesion
confidence threshold with it on the dev split (reinforcedvl/lesions/calibration.py says what it is).

Usage: python scripts/lesion_calibration.py --train runs/lesions-train/studies.jsonl \
    --dev runs/lesions-dev/studies.jsonl [--table docs/evaluation/lesion-calibration-dev.md]

Both files come from scripts/existence_study_data.py (lesions recorded at lesion confidence 0; the train file with
``--outline-train``): whole BraTS brains asked the 6 brain-tumour findings and LIDC crops asked "lung nodule". A lesion
is real when it touches the expert label. Reported: the lesions' log-loss and expected calibration error with the mean
probability as their confidence and with the calibrated one (train and dev), then the dev sweep of
scripts/lesion_confidence_sweep.py with the calibrated confidence and the threshold its rule chooses.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from reinforcedvl.evaluation.calibration import expected_calibration_error, log_loss
from reinforcedvl.evaluation.lesion_sweep import dev_sweep
from reinforcedvl.lesions.calibration import LesionCalibration, fit_lesion_calibration, lesion_features

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, required=True)
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--table", type=Path)
    args = parser.parse_args()
    train, dev = _outlined(args.train, "train"), _outlined(args.dev, "dev")
    features, real = _lesion_table(train)
    calibration = fit_lesion_calibration(features, real)
    lines = [
        f"Train: {len(real)} lesions ({int(real.sum())} real) of {len(train)} answers; dev: "
        f"{sum(len(r['lesions']) for r in dev)} lesions of {len(dev)} answers.",
        "",
        f"Calibration (weights on the logit of the mean probability and log10 of the share of the largest; intercept): "
        f"{[round(v, 4) for v in calibration.to_config()]}",
        "",
        "| split | confidence | lesions | log-loss | ECE |",
        "|---|---|---:|---:|---:|",
    ]
    for name, rows in (("train", train), ("dev", dev)):
        truth = [bool(lesion["touched"]) for row in rows for lesion in row["lesions"]]
        raw = [lesion["confidence"] for row in rows for lesion in row["lesions"]]
        fitted = [lesion["confidence"] for row in rows for lesion in _rescored(row, calibration)["lesions"]]
        for label, values in (("mean probability", raw), ("calibrated", fitted)):
            lines.append(
                f"| {name} | {label} | {len(truth)} | {log_loss(values, truth):.3f} | "
                f"{expected_calibration_error(values, truth):.3f} |"
            )
    rescored = [_rescored(row, calibration) for row in dev]
    table, chosen = dev_sweep(rescored, THRESHOLDS)
    lines += ["", "Dev sweep, calibrated confidence:", "", *table, "", f"Chosen: {chosen:.2f}"]
    text = "\n".join(lines)
    print(text)
    if args.table:
        args.table.parent.mkdir(parents=True, exist_ok=True)
        args.table.write_text(text + "\n")


def _outlined(path: Path, split: str) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [
        row
        for row in rows
        if row["split"] == split and row["outlined"] and row["probability"] is not None and row["kind"] != "slab"
    ]


def _lesion_table(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    features, real = [], []
    for row in rows:
        largest = max((lesion["volume_ml"] for lesion in row["lesions"]), default=0.0)
        for lesion in row["lesions"]:
            features.append(lesion_features(lesion["confidence"], lesion["volume_ml"], largest))
            real.append(bool(lesion["touched"]))
    return np.array(features).reshape(-1, 2), np.array(real, bool)


def _rescored(row: dict, calibration: LesionCalibration) -> dict:
    largest = max((lesion["volume_ml"] for lesion in row["lesions"]), default=0.0)
    lesions = [
        {**lesion, "confidence": calibration(lesion["confidence"], lesion["volume_ml"], largest)}
        for lesion in row["lesions"]
    ]
    return {**row, "lesions": lesions}


if __name__ == "__main__":
    main()
