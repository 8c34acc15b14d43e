"""Aggregating evaluation rows: per-finding segmentation and detection, existence accuracy and ROC AUC, the
prompt-decides-the-mask table; written as a per-case CSV and a Markdown summary."""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from monai.metrics import compute_roc_auc

__all__ = ["summarize", "write_cases_csv", "summary_markdown"]


def summarize(rows: list[dict[str, Any]], existence_threshold: float = 0.5) -> dict[str, Any]:
    """Summary statistics of evaluation rows (see the module docstring)."""
    by_finding: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        if row["truth_present"]:
            by_finding[(row["source"], row["finding"])].append(row)
    segmentation = {
        f"{source}: {finding}": _segmentation(group) for (source, finding), group in sorted(by_finding.items())
    }
    by_source = {
        f"{source} (all findings)": _segmentation([r for (s, _), g in by_finding.items() if s == source for r in g])
        for source in sorted({s for s, _ in by_finding})
    }
    return {
        "segmentation": {**by_source, **segmentation},
        "existence": _existence(rows, existence_threshold),
        "prompt_decides_mask": _prompt_table([r for r in rows if r["source"] == "brats" and r["truth_present"]]),
    }


def _mean(values: list[float]) -> float:
    finite = [v for v in values if not (isinstance(v, float) and math.isnan(v))]
    return float(np.mean(finite)) if finite else math.nan


def _segmentation(group: list[dict]) -> dict[str, float]:
    found = sum(r["found_reference_lesions"] for r in group)
    reference = sum(r["reference_lesions"] for r in group)
    true_predicted = sum(r["true_predicted_lesions"] for r in group)
    predicted = sum(r["predicted_lesions"] for r in group)
    recall = found / reference if reference else math.nan
    precision = true_predicted / predicted if predicted else math.nan
    f1 = 2 * precision * recall / (precision + recall) if predicted and reference and precision + recall else 0.0
    return {
        "cases": len(group),
        "dice": _mean([r["dice"] for r in group]),
        "surface_dice": _mean([r["surface_dice"] for r in group]),
        "hd95_mm": float(np.nanmedian([r["hd95_mm"] for r in group])) if group else math.nan,
        "detection_precision": precision,
        "detection_recall": recall,
        "detection_f1": f1,
    }


def _existence(rows: list[dict], threshold: float) -> dict[str, float]:
    present = [r for r in rows if r["truth_present"]]
    absent = [r for r in rows if not r["truth_present"]]
    accepted = sum(r["present_probability"] >= threshold for r in present)
    rejected = sum(r["present_probability"] < threshold for r in absent)
    summary = {
        "present_prompts": len(present),
        "absent_prompts": len(absent),
        "present_accepted": accepted / len(present) if present else math.nan,
        "absent_rejected": rejected / len(absent) if absent else math.nan,
        "accuracy": (accepted + rejected) / len(rows) if rows else math.nan,
        "roc_auc": math.nan,
    }
    if present and absent:
        scores = torch.tensor([r["present_probability"] for r in rows], dtype=torch.float32)
        truth = torch.tensor([float(r["truth_present"]) for r in rows])
        summary["roc_auc"] = float(compute_roc_auc(scores, truth))
    return summary


def _prompt_table(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Mean Dice of each prompted BraTS finding against every sub-region's reference."""
    table: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        for key, value in row.items():
            if key.startswith("dice_vs:"):
                table[row["finding"]][key.removeprefix("dice_vs:")].append(value)
    return {
        prompted: {target: _mean(values) for target, values in targets.items()} for prompted, targets in table.items()
    }


def write_cases_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _format(value: float, digits: int = 3) -> str:
    return "n/a" if isinstance(value, float) and math.isnan(value) else f"{value:.{digits}f}"


def summary_markdown(summary: dict[str, Any], title: str) -> str:
    """The summary as Markdown tables."""
    lines = [
        f"# {title}",
        "",
        "## Segmentation (present findings)",
        "",
        "| finding | cases | Dice | surface Dice | HD95 (mm, median) | detection P | detection R | detection F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in summary["segmentation"].items():
        lines.append(
            f"| {name} | {s['cases']} | {_format(s['dice'])} | {_format(s['surface_dice'])} "
            f"| {_format(s['hd95_mm'], 1)} | {_format(s['detection_precision'])} "
            f"| {_format(s['detection_recall'])} | {_format(s['detection_f1'])} |"
        )
    e = summary["existence"]
    lines += [
        "",
        "## Existence (is the finding there at all?)",
        "",
        "| present prompts | accepted | absent prompts | rejected | accuracy | ROC AUC |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {e['present_prompts']} | {_format(e['present_accepted'])} | {e['absent_prompts']} | "
        f"{_format(e['absent_rejected'])} | {_format(e['accuracy'])} | {_format(e['roc_auc'])} |",
    ]
    table = summary["prompt_decides_mask"]
    if table:
        targets = list(next(iter(table.values())))
        lines += [
            "",
            "## Does the prompt decide the mask? (BraTS: Dice of each prompt's mask against each label)",
            "",
            "| prompt \\ reference | " + " | ".join(targets) + " |",
            "| --- | " + " | ".join("---:" for _ in targets) + " |",
        ]
        for prompted, values in table.items():
            best = max(values, key=lambda k: values[k])
            cells = [f"**{_format(values[t])}**" if t == best else _format(values[t]) for t in targets]
            lines.append(f"| {prompted} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
