"""Whether a study's ``result.json`` answers this cohort run: the same prompts, in the same order, from the same
model with the same lesion-confidence threshold. Only such a result lets a rerun skip the study and puts its rows in
the summary; a result of another run (other prompts, another model, another threshold) is never mixed in, and never
replaced without ``--overwrite``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..model_store.checkpoint import ModelIdentity
from ..prompts import normalize_prompt
from ..study.segment_job import RESULT_FILE

__all__ = ["read_result", "other_run_reason"]


def read_result(folder: Path) -> dict[str, Any] | None:
    """The study folder's ``result.json``, or None when there is none or it cannot be read as a result."""
    path = folder / RESULT_FILE
    try:
        result = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(result, dict) or not isinstance(result.get("prompts"), list):
        return None
    return result


def other_run_reason(
    result: dict[str, Any], prompts: list[str], model: ModelIdentity | None, lesion_confidence: float | None = None
) -> str | None:
    """Why ``result`` does not answer a run of ``prompts`` with ``model`` and ``lesion_confidence`` (None for either:
    unknown, it does not decide), or None when it does."""
    asked = [normalize_prompt(prompt) for prompt in prompts]
    answered = [entry.get("prompt") for entry in result["prompts"] if isinstance(entry, dict)]
    if answered != asked:
        return f"it answers {_listed(answered)}, not {_listed(asked)}"
    written_by = result.get("model") if isinstance(result.get("model"), dict) else {}
    if model is not None and (written_by.get("id"), written_by.get("version")) != (model.model_id, model.version):
        return (
            f"it was made by model {written_by.get('id')} {written_by.get('version')}, not {model.model_id} "
            f"{model.version}"
        )
    if lesion_confidence is not None and result.get("lesion_confidence") != lesion_confidence:
        return (
            f"its lesions passed lesion confidence {result.get('lesion_confidence', 'not recorded')}, "
            f"not {lesion_confidence}"
        )
    return None


def _listed(prompts: list[Any]) -> str:
    return ", ".join(repr(prompt) for prompt in prompts) or "no prompt"
