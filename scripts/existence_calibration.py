"""Choose how the windows' existence answers combine into a study's answer, fit its calibration on the train split,
and report expected calibration error and a reliability plot on the dev split.

Usage: python scripts/existence_calibration.py --studies runs/existence/studies.jsonl \
    --out docs/evaluation/existence-reliability.png [--table runs/existence/calibration.md]

Reads the answers collected by scripts/existence_study_data.py (whole BraTS brains, 40 mm axial brain slabs and
LIDC crops, each with its expert truth). Only assessed questions count: a question the scope gate did not assess
has no probability. For every rule of reinforcedvl.modeling.study_existence.WINDOW_RULES: a Platt map fitted on
the train split's studies, then on the dev split the ROC AUC, the accuracy at 0.5 and the ECE before and after the
map. The rule chosen is the one with the lowest train log-loss after its map (the dev split is only reported); it
is worth shipping (as the checkpoint's existence_window_rule and existence_calibration) only where it lowers the
dev ECE of the highest window without losing a present answer.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from reinforcedvl.evaluation.calibration import expected_calibration_error, log_loss, reliability_bins
from reinforcedvl.modeling.study_existence import WINDOW_RULES, PlattCalibration, combine_windows, fit_platt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True, help="reliability plot (PNG)")
    parser.add_argument("--table", type=Path, help="write the markdown table here too")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.studies.read_text().splitlines() if line.strip()]
    assessed = [row for row in rows if row["probability"] is not None and row["windows"]]
    skipped = len(rows) - len(assessed)
    lines = [
        f"{len(assessed)} assessed questions ({skipped} not assessed by the scope gate, left out).",
        "",
        _counts(assessed),
        "",
        "| rule | Platt map (train) | train log-loss | dev ROC AUC | dev accuracy at 0.5 | dev ECE raw | "
        "dev ECE calibrated | dev present accepted |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    fitted: dict[str, tuple[PlattCalibration, float]] = {}
    for rule in WINDOW_RULES:
        train = _scores(assessed, "train", rule)
        dev = _scores(assessed, "dev", rule)
        platt = fit_platt(*train)
        loss = log_loss([platt(s) for s in train[0]], train[1])
        fitted[rule] = (platt, loss)
        calibrated = [platt(s) for s in dev[0]]
        present = [p for p, t in zip(calibrated, dev[1], strict=True) if t]
        lines.append(
            f"| {rule} | slope {platt.slope:.2f}, intercept {platt.intercept:.2f} | {loss:.3f} | "
            f"{_auc(*dev):.3f} | {_accuracy(calibrated, dev[1]):.3f} | "
            f"{expected_calibration_error(*dev):.3f} | {expected_calibration_error(calibrated, dev[1]):.3f} | "
            f"{sum(p >= 0.5 for p in present)}/{len(present)} |"
        )
    chosen = min(fitted, key=lambda rule: fitted[rule][1])
    lines += ["", f"Chosen on the train split: {chosen}, {fitted[chosen][0].to_dict()}"]
    dev = _scores(assessed, "dev", "max")
    calibrated = [fitted[chosen][0](s) for s in _scores(assessed, "dev", chosen)[0]]
    before, after = expected_calibration_error(*dev), expected_calibration_error(calibrated, dev[1])
    kept_before = sum(s >= 0.5 for s, t in zip(dev[0], dev[1], strict=True) if t)
    kept_after = sum(p >= 0.5 for p, t in zip(calibrated, dev[1], strict=True) if t)
    ships = after < before and kept_after >= kept_before
    lines.append(
        f"Worth shipping (lower dev ECE than the highest window, no present answer lost): {'yes' if ships else 'no'} "
        f"(dev ECE {before:.3f} -> {after:.3f}, present accepted {kept_before} -> {kept_after})"
    )
    lines += ["", "Dev split by kind of study (chosen rule, calibrated):", ""]
    lines += _by_kind(assessed, chosen, fitted[chosen][0])
    text = "\n".join(lines)
    print(text)
    if args.table:
        args.table.parent.mkdir(parents=True, exist_ok=True)
        args.table.write_text(text + "\n")
    _plot(assessed, chosen, fitted[chosen][0], args.out)


def _scores(rows: list[dict], split: str, rule: str) -> tuple[list[float], list[bool]]:
    chosen = [row for row in rows if row["split"] == split]
    return [combine_windows(row["windows"], rule) for row in chosen], [row["truth_present"] for row in chosen]


def _counts(rows: list[dict]) -> str:
    table = ["| split | kind | present | absent |", "|---|---|---:|---:|"]
    for split in ("train", "dev"):
        for kind in sorted({row["kind"] for row in rows}):
            group = [row for row in rows if row["split"] == split and row["kind"] == kind]
            present = sum(row["truth_present"] for row in group)
            table.append(f"| {split} | {kind} | {present} | {len(group) - present} |")
    return "\n".join(table)


def _by_kind(rows: list[dict], rule: str, platt: PlattCalibration) -> list[str]:
    table = [
        "| kind | truth | n | answered present: highest window (shipped rule) | answered present: chosen, calibrated |",
        "|---|---|---:|---:|---:|",
    ]
    for kind in sorted({row["kind"] for row in rows}):
        for truth in (True, False):
            group = [r for r in rows if r["split"] == "dev" and r["kind"] == kind and r["truth_present"] == truth]
            if not group:
                continue
            raw = sum(max(r["windows"]) >= 0.5 for r in group)
            chosen = sum(platt(combine_windows(r["windows"], rule)) >= 0.5 for r in group)
            table.append(f"| {kind} | {'present' if truth else 'absent'} | {len(group)} | {raw} | {chosen} |")
    table += ["", "| dev questions | n | ECE: highest window | ECE: chosen, calibrated |", "|---|---:|---:|---:|"]
    subsets = {kind: [kind] for kind in sorted({row["kind"] for row in rows})}
    subsets["whole brains and LIDC crops"] = ["brain", "lidc"]
    subsets["all"] = sorted({row["kind"] for row in rows})
    for name, kinds in subsets.items():
        group = [r for r in rows if r["split"] == "dev" and r["kind"] in kinds]
        if not group:
            continue
        truths = [r["truth_present"] for r in group]
        raw = expected_calibration_error([max(r["windows"]) for r in group], truths)
        chosen = expected_calibration_error([platt(combine_windows(r["windows"], rule)) for r in group], truths)
        table.append(f"| {name} | {len(group)} | {raw:.3f} | {chosen:.3f} |")
    return table


def _accuracy(probabilities: list[float], truths: list[bool]) -> float:
    return float(np.mean([(p >= 0.5) == t for p, t in zip(probabilities, truths, strict=True)]))


def _auc(scores: list[float], truths: list[bool]) -> float:
    positives = [s for s, t in zip(scores, truths, strict=True) if t]
    negatives = [s for s, t in zip(scores, truths, strict=True) if not t]
    if not positives or not negatives:
        return math.nan
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def _plot(rows: list[dict], rule: str, platt: PlattCalibration, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores, truths = _scores(rows, "dev", "max")
    chosen, _ = _scores(rows, "dev", rule)
    figure, axis = plt.subplots(figsize=(4.8, 4.8))
    axis.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    for name, probabilities in (
        ("highest window (shipped rule)", scores),
        (f"{rule}, calibrated", [platt(s) for s in chosen]),
    ):
        table = reliability_bins(probabilities, truths)
        ece = expected_calibration_error(probabilities, truths)
        axis.plot(
            [b.mean_probability for b in table],
            [b.observed_frequency for b in table],
            marker="o",
            label=f"{name}: ECE {ece:.3f}",
        )
        for b in table:
            axis.annotate(str(b.count), (b.mean_probability, b.observed_frequency), fontsize=6)
    axis.set_title(f"Dev split, {len(truths)} assessed questions", fontsize=9)
    axis.set_xlabel("existence probability (bin mean; numbers: answers in the bin)")
    axis.set_ylabel("share of questions where the finding is there")
    axis.legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=110)


if __name__ == "__main__":
    main()
