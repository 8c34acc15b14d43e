"""The cohort's summary table, gathered from the studies' ``result.json`` files: one row per study and prompt
(``cohort_summary.csv``) and the same as Markdown with totals (``cohort_summary.md``)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from ..model_store.checkpoint import ModelIdentity
from ..prompts import normalize_prompt
from ..study.segment_job import RESULT_FILE
from ..vocabulary import LesionKey
from .finished import other_run_reason, read_result
from .studies import CohortStudy

__all__ = ["ERROR_FILE", "SUMMARY_CSV", "SUMMARY_MARKDOWN", "COLUMNS", "cohort_rows", "write_cohort_summary"]

ERROR_FILE = "error.json"
SUMMARY_CSV = "cohort_summary.csv"
SUMMARY_MARKDOWN = "cohort_summary.md"
COLUMNS = (
    "study",
    "status",
    "prompt",
    "present",
    "answer",
    "present_probability",
    "lesions",
    "largest_long_axis_mm",
    "total_volume_ml",
    "model",
    "device",
    "study_seconds",
    "result",
)


def cohort_rows(
    studies: list[CohortStudy],
    prompts: list[str],
    out_dir: Path,
    *,
    model: ModelIdentity | None = None,
    lesion_confidence: float | None = None,
) -> list[dict[str, Any]]:
    """One row per (study, prompt): ``status`` is ``done``, ``failed: <message>``, ``not run`` or ``not run: <why>``.

    Only a ``result.json`` that answers these prompts (and ``model`` and ``lesion_confidence``, when given) counts as
    done; another run's result in the folder is named in the status, its rows are not mixed in.
    """
    asked = [normalize_prompt(prompt) for prompt in prompts]
    rows = []
    for study in studies:
        folder = out_dir / study.study_id
        error_path = folder / ERROR_FILE
        result = read_result(folder)
        other = None if result is None else other_run_reason(result, asked, model, lesion_confidence)
        if result is not None and other is None:
            rows += _finding_rows(study.study_id, result)
            continue
        status = "not run" if other is None else f"not run: {RESULT_FILE} is another run's ({other})"
        if error_path.exists():
            status = "failed: " + _error_message(error_path)
        rows += [{**dict.fromkeys(COLUMNS, ""), "study": study.study_id, "status": status, "prompt": p} for p in asked]
    return rows


def write_cohort_summary(
    studies: list[CohortStudy],
    prompts: list[str],
    out_dir: Path,
    *,
    model: ModelIdentity | None = None,
    lesion_confidence: float | None = None,
) -> tuple[Path, Path]:
    """Write ``cohort_summary.csv`` and ``cohort_summary.md`` in ``out_dir``; returns their paths."""
    rows = cohort_rows(studies, prompts, out_dir, model=model, lesion_confidence=lesion_confidence)
    csv_path, markdown_path = out_dir / SUMMARY_CSV, out_dir / SUMMARY_MARKDOWN
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = csv_path.with_suffix(".csv.partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(partial, csv_path)
    partial = markdown_path.with_suffix(".md.partial")  # whole or absent, as the table: a run may be killed any time
    partial.write_text(_markdown(rows, len(studies)), encoding="utf-8")
    os.replace(partial, markdown_path)
    return csv_path, markdown_path


def _error_message(path: Path) -> str:
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["error"]).splitlines()[0]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return f"see {path.name}"


def _finding_rows(study_id: str, result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for finding in result["prompts"]:
        lesions = finding["lesions"]
        rows.append(
            {
                "study": study_id,
                "status": "done",
                "prompt": finding["prompt"],
                "present": finding["present"],
                "answer": finding.get("status", "present" if finding["present"] else "absent"),
                "present_probability": "" if finding["present_probability"] is None else finding["present_probability"],
                "lesions": len(lesions),
                "largest_long_axis_mm": max((lesion[LesionKey.LONG_AXIS_MM] for lesion in lesions), default=""),
                "total_volume_ml": round(sum(lesion[LesionKey.VOLUME_ML] for lesion in lesions), 3) if lesions else "",
                "model": f"{result['model']['id']} {result['model']['version']}",
                "device": result["device"],
                "study_seconds": result["seconds"],
                "result": (Path(study_id) / RESULT_FILE).as_posix(),
            }
        )
    return rows


_ANSWER_WORDS = {"present": "yes", "absent": "no", "not_assessed": "not assessed"}


def _markdown(rows: list[dict[str, Any]], study_count: int) -> str:
    done = {row["study"] for row in rows if row["status"] == "done"}
    failed = {row["study"] for row in rows if row["status"].startswith("failed")}
    present = sum(row["present"] is True for row in rows)
    lines = [
        "# Cohort summary",
        "",
        f"{study_count} studies: {len(done)} done, {len(failed)} failed, {study_count - len(done) - len(failed)} "
        f"not run; the finding was present in {present} of {sum(row['status'] == 'done' for row in rows)} answers.",
        "",
        "| study | prompt | status | present | probability | lesions | largest long axis (mm) | volume (mL) |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        present_text = _ANSWER_WORDS.get(row["answer"], "")
        keys = ("present_probability", "lesions", "largest_long_axis_mm", "total_volume_ml")
        cells = [row["study"], row["prompt"], row["status"], present_text, *(row[key] for key in keys)]
        lines.append("| " + " | ".join(str(cell).replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
