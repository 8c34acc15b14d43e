"""The model card of a fine-tuned checkpoint: where it came from, what it learnt from, and how it scores on the
held-out feedback before and after (``MODEL_CARD.md`` in the checkpoint folder, and ``model_card`` in its
``config.json`` metadata)."""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..data.manifest import Triplet
from ..evaluation.summary import write_cases_csv
from ..model_store.checkpoint import Checkpoint, load_network, save_checkpoint

__all__ = ["MODEL_CARD_FILE", "EvaluationPair", "write_model_card"]

MODEL_CARD_FILE = "MODEL_CARD.md"
_SOURCE_ROW = "feedback (all findings)"
# (label, summary section, key, digits)
_METRICS = (
    ("Dice (present findings)", "segmentation", "dice", 3),
    ("surface Dice", "segmentation", "surface_dice", 3),
    ("HD95 mm (median)", "segmentation", "hd95_mm", 1),
    ("lesion detection F1", "segmentation", "detection_f1", 3),
    ("existence accuracy", "existence", "accuracy", 3),
)


@dataclass(frozen=True)
class EvaluationPair:
    """The held-out evaluation of the starting model (``before``) and the fine-tuned one (``after``); each is
    ``{"rows": evaluation rows, "summary": summarize(rows)}``."""

    before: dict[str, Any]
    after: dict[str, Any]

    def comparison(self) -> list[dict[str, Any]]:
        """One entry per metric: ``metric``, ``before``, ``after``, ``change`` (NaN where undefined)."""
        entries = []
        for label, section, key, digits in _METRICS:
            before, after = (_metric(evaluation["summary"], section, key) for evaluation in (self.before, self.after))
            rounded = (round(value, digits) for value in (before, after, after - before))
            entries.append(dict(zip(("before", "after", "change"), rounded, strict=True), metric=label))
        return entries

    def markdown(self) -> str:
        """The side-by-side table."""
        cases = len(self.after["rows"])
        lines = [
            f"Held-out feedback: {cases} prompt(s) on the dev patients.",
            "",
            "| metric | before | after | change |",
            "| --- | ---: | ---: | ---: |",
        ]
        for entry in self.comparison():
            cells = [_text(entry[key]) for key in ("before", "after")]
            change = "n/a" if math.isnan(entry["change"]) else f"{entry['change']:+g}"
            lines.append(f"| {entry['metric']} | {cells[0]} | {cells[1]} | {change} |")
        return "\n".join(lines) + "\n"


def write_model_card(
    checkpoint: Checkpoint,
    parent: Checkpoint,
    settings: dict[str, Any],
    triplets: list[Triplet],
    evaluation: EvaluationPair | None,
) -> Path:
    """Write ``MODEL_CARD.md`` (and the per-case evaluation tables) in the checkpoint folder and record the card's
    facts in ``config.json``'s metadata."""
    sources = Counter("replay" if t.id.startswith("replay/") else t.source for t in triplets)
    entry = {
        "model": checkpoint.identity.to_dict(),
        "parent": parent.identity.to_dict(),
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "training_triplets": dict(sources),
        "feedback_patients": len({t.patient for t in triplets if not t.id.startswith("replay/")}),
        "weights_licence": checkpoint.metadata.get("weights_licence"),
        "settings": settings,
        "held_out_evaluation": None if evaluation is None else evaluation.comparison(),
    }
    folder = checkpoint.folder
    if evaluation is not None:
        (folder / "evaluation").mkdir(exist_ok=True)
        write_cases_csv(evaluation.before["rows"], folder / "evaluation" / "before.csv")
        write_cases_csv(evaluation.after["rows"], folder / "evaluation" / "after.csv")
    metadata = {**checkpoint.metadata, "model_card": entry}
    save_checkpoint(folder, load_network(checkpoint), checkpoint.config, checkpoint.identity, metadata)
    path = folder / MODEL_CARD_FILE
    path.write_text(_card_markdown(entry, evaluation, checkpoint.metadata.get("scope")), encoding="utf-8")
    return path


_NO_LICENCE = "none recorded by the parent checkpoint; check the licences of the data it was trained on."


def _card_markdown(entry: dict[str, Any], evaluation: EvaluationPair | None, scope: dict[str, Any] | None) -> str:
    model, parent = entry["model"], entry["parent"]
    data = ", ".join(f"{count} {source}" for source, count in sorted(entry["training_triplets"].items()))
    settings = entry["settings"]
    lines = [
        f"# {model['id']} {model['version']}",
        "",
        f"Fine-tuned from {parent['id']} {parent['version']} on {entry['created_at']} with `reinforcedvl finetune`.",
        "Research use only; not a medical device. It has seen this site's feedback: check it on your own cases.",
        "",
        "## Training data",
        "",
        f"- Training triplets: {data} ({entry['feedback_patients']} feedback patient(s), de-identified keys).",
        f"- Feedback export: `{settings['feedback']}`; replayed from `{settings['replay_manifest']}`.",
        f"- Steps: {settings['steps']}, learning rate {settings['learning_rate']}, seed {settings['seed']}.",
        f"- Weights licence: {entry['weights_licence'] or _NO_LICENCE}",
        "",
        *_scope_lines(scope),
        "## Held-out evaluation (feedback patients never trained on)",
        "",
        evaluation.markdown() if evaluation else "Not run (no held-out patient in the export, or --no-evaluate).\n",
        "",
        "```json",
        json.dumps({"model_card": entry}, indent=2, default=str),
        "```",
    ]
    return "\n".join(lines) + "\n"


def _scope_lines(scope: dict[str, Any] | None) -> list[str]:
    """The scope section: what the checkpoint answers (``config.json`` ``metadata.scope``), one family a row."""
    if not scope:
        return [
            "## Scope",
            "",
            "None declared (the parent declared none): every description is answered as written.",
            "",
        ]
    lines = [
        "## Scope",
        "",
        "Findings outside these families, modalities and body regions are answered not assessed.",
        "",
        "| family | findings | modality | body region | note |",
        "| --- | --- | --- | --- | --- |",
    ]
    for family in scope["families"]:
        note = f"withheld: {family['withheld']}" if family.get("withheld") else family.get("trained_on", "")
        lines.append(
            f"| {family['name']} | {', '.join(family['findings'])} | {', '.join(family['modalities'])} | "
            f"{', '.join(family['regions'])} | {note} |"
        )
    if "not_declared" in scope:
        lines.append(
            f"\nNot declared: {', '.join(scope['not_declared']['findings'])} ({scope['not_declared']['reason']})."
        )
    return [*lines, ""]


def _metric(summary: dict[str, Any], section: str, key: str) -> float:
    values = summary["segmentation"].get(_SOURCE_ROW, {}) if section == "segmentation" else summary[section]
    value = values.get(key, math.nan)
    return float(value) if value is not None else math.nan


def _text(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:g}"
