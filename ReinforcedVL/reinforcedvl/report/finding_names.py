"""A finding's name in the report's language, from the pick-list of findings (``resources/findings.json``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from ..vocabulary import Language

__all__ = ["FINDINGS_PATH", "finding_name"]

FINDINGS_PATH = Path(__file__).resolve().parents[1] / "resources" / "findings.json"


@cache
def _pick_list() -> dict[str, dict[str, str]]:
    """English label (lower case) -> the pick-list entry's labels by language."""
    document = json.loads(FINDINGS_PATH.read_text(encoding="utf-8"))
    return {entry["en"].lower(): {"en": entry["en"], "ja": entry["ja"]} for entry in document["findings"]}


def finding_name(prompt: str, language: Language) -> str:
    """The prompt in ``language``: its pick-list label when the prompt is a pick-list entry, else the prompt.

    A Japanese report quotes a prompt it has no translation for in corner brackets (「spiculated mass」), so the
    reader sees it is the user's own words.

    Example:
        >>> finding_name("Solid lung nodule", "ja")
        '充実性肺結節'
    """
    entry = _pick_list().get(prompt.strip().lower())
    if language == "ja":
        return entry["ja"] if entry else f"「{prompt}」"
    return prompt
