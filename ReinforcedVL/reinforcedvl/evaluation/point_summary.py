"""Tables of the point-prompt evaluation (:mod:`.point_prompts`): the rows summarised per click kind, per finding
and per study, as a dictionary for ``summary.json`` and as Markdown."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

__all__ = ["summarize_points", "points_markdown"]


def summarize_points(
    lidc: list[dict[str, Any]], brats: list[dict[str, Any]], whole: list[dict[str, Any]]
) -> dict[str, Any]:
    """Per click kind (LIDC), per finding (BraTS) and per (study, finding) (whole studies)."""
    return {
        "lidc": [_lidc_line(kind, rows) for kind, rows in _grouped(lidc, "kind").items()],
        "brats": [_brats_line(finding, rows) for finding, rows in _grouped(brats, "finding").items()],
        "whole_study": [
            _whole_line(study, finding, rows)
            for (study, finding), rows in _grouped(whole, ("study", "finding")).items()
        ],
    }


def points_markdown(summary: dict[str, Any], title: str) -> str:
    lines = [f"# {title}", "", "## LIDC nodules: the description alone and with a click", ""]
    lines += [
        "| prompt | nodules | mean Dice | median Dice | lesions away per nodule | nodules with a lesion away "
        "| s per prompt |",
        "|---|---|---|---|---|---|---|",
    ]
    for line in summary["lidc"]:
        lines.append(
            f"| {line['kind']} | {line['n']} | {line['mean_dice']:.3f} | {line['median_dice']:.3f} | "
            f"{line['lesions_away_per_nodule']:.2f} | {line['nodules_with_lesion_away']} | {line['mean_seconds']:.2f} |"
        )
    lines += ["", "## BraTS: a click on one part of a sub-region", ""]
    lines += [
        "| finding | parts clicked | part selected alone | mean share of the answer on the part "
        "| mean Dice vs the part | s per click |",
        "|---|---|---|---|---|---|",
    ]
    for line in summary["brats"]:
        lines.append(
            f"| {line['finding']} | {line['n']} | {line['selected']} | {line['mean_share_on_part']:.3f} | "
            f"{line['mean_dice_vs_part']:.3f} | {line['mean_seconds']:.2f} |"
        )
    lines += ["", "## Whole studies without the finding: lesions drawn", ""]
    lines += [
        "| study | finding | description alone: lesions (mL) | with a click: lesions per click (mL) | "
        "lesions away from the click | farthest lesion from its click (mm) | answers not assessed |",
        "|---|---|---|---|---|---|---|",
    ]
    for line in summary["whole_study"]:
        lines.append(
            f"| {line['study']} | {line['finding']} | {line['text_only_lesions']} ({line['text_only_ml']:.2f}) | "
            f"{line['clicked_lesions_per_click']:.2f} ({line['clicked_ml_per_click']:.2f}) | "
            f"{line['clicked_lesions_away']} | {line['clicked_farthest_mm']:.1f} | {line['not_assessed']} |"
        )
    return "\n".join(lines) + "\n"


def _grouped(rows: list[dict[str, Any]], key: str | tuple[str, ...]) -> dict[Any, list[dict[str, Any]]]:
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(row[k] for k in key) if isinstance(key, tuple) else row[key]].append(row)
    return groups


def _lidc_line(kind: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    dices = [row["dice"] for row in rows]
    return {
        "kind": kind,
        "n": len(rows),
        "mean_dice": float(np.mean(dices)),
        "median_dice": float(np.median(dices)),
        "lesions_away_per_nodule": float(np.mean([row["lesions_away"] for row in rows])),
        "nodules_with_lesion_away": sum(row["lesions_away"] > 0 for row in rows),
        "mean_seconds": float(np.mean([row["seconds"] for row in rows])),
    }


def _brats_line(finding: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "finding": finding,
        "n": len(rows),
        "selected": sum(bool(row["selected"]) for row in rows),
        "mean_share_on_part": float(np.mean([row["share_on_part"] for row in rows])),
        "mean_dice_vs_part": float(np.mean([row["dice_vs_part"] for row in rows])),
        "mean_seconds": float(np.mean([row["seconds"] for row in rows])),
    }


def _whole_line(study: str, finding: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    text = [row for row in rows if row["click"] == 0]
    clicked = [row for row in rows if row["click"] > 0]
    return {
        "study": study,
        "finding": finding,
        "text_only_lesions": sum(row["lesions"] for row in text),
        "text_only_ml": sum(row["lesion_ml"] for row in text),
        "clicks": len(clicked),
        "clicked_lesions_per_click": float(np.mean([row["lesions"] for row in clicked])) if clicked else 0.0,
        "clicked_ml_per_click": float(np.mean([row["lesion_ml"] for row in clicked])) if clicked else 0.0,
        "clicked_lesions_away": sum(row["lesions_away"] for row in clicked),
        "clicked_farthest_mm": max((row.get("farthest_lesion_mm") or 0.0 for row in clicked), default=0.0),
        "not_assessed": sum(row.get("status") == "not_assessed" for row in rows),
    }
