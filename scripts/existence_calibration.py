"""Expected calibration error and reliability plot of the study-level existence answer.

Usage: python scripts/existence_calibration.py --cases runs/eval/cases.csv \
    --trust runs/trust/trust_rows.csv [more trust_rows.csv] --out docs/evaluation/existence-reliability.png

Answers pooled: every assessed dev-split prompt of `reinforcedvl evaluate` (cases.csv), and every assessed
whole-study prompt of `reinforcedvl evaluate-trust` (trust_rows.csv). A finding not assessed has no probability to
calibrate and is left out (the script says how many).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from reinforcedvl.evaluation.calibration import expected_calibration_error, reliability_bins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, required=True)
    parser.add_argument("--trust", type=Path, nargs="*", default=[])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sets: dict[str, tuple[list[float], list[bool]]] = {"dev prompts": ([], []), "whole studies": ([], [])}
    with open(args.cases, newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("status") == "not_assessed":
                continue
            sets["dev prompts"][0].append(float(row["present_probability"] or 0.0))
            sets["dev prompts"][1].append(row["truth_present"] == "True")
    for path in args.trust:
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                if row["family"] == "untrained" or row["status"] == "not_assessed":
                    continue
                sets["whole studies"][0].append(float(row["probability"] or 0.0))
                sets["whole studies"][1].append(row["truth_present"] == "True")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(4.5, 4.5))
    axis.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    for name, (probabilities, truths) in sets.items():
        if not probabilities:
            continue
        ece = expected_calibration_error(probabilities, truths)
        table = reliability_bins(probabilities, truths)
        axis.plot(
            [b.mean_probability for b in table],
            [b.observed_frequency for b in table],
            marker="o",
            label=f"{name} (n={len(probabilities)}, ECE {ece:.3f})",
        )
        print(f"{name}: n={len(probabilities)} ECE={ece:.4f}")
        for b in table:
            print(
                f"  [{b.low:.1f}, {b.high:.1f}] n={b.count} mean p={b.mean_probability:.3f} "
                f"observed={b.observed_frequency:.3f}"
            )
    axis.set_xlabel("existence probability (bin mean)")
    axis.set_ylabel("share of prompts where the finding is there")
    axis.legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out, dpi=110)


if __name__ == "__main__":
    main()
