"""Is a rewritten report faithful to the template? Every number and every side must match the measurements.

The check is deliberately literal: the rewrite must quote exactly the template's numbers (none added, none
dropped; a number spelled out as a word counts as dropped), use the same side words overall, and never give a
lesion a side its template sentences do not give it. Numbers are compared as values, not occurrences: a value the
template quotes twice ("lesion 2", "2 lesions") need only appear once, so merging repeated sentences is allowed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from ..vocabulary import Language

__all__ = ["FaithfulnessCheck", "check_faithfulness", "numbers_in", "sides_in"]

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_SIDES = {
    "en": re.compile(r"\b(right|left|bilateral|both sides|midline)\b", re.IGNORECASE),
    "ja": re.compile(r"(右|左|両側|正中)"),
}
_SIDE_WORDS = {"both sides": "bilateral", "右": "right", "左": "left", "両側": "bilateral", "正中": "midline"}
_LESION = re.compile(r"(?:lesion\s*|病変)(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class FaithfulnessCheck:
    """The verdict, and each problem found in words (empty when faithful)."""

    faithful: bool
    problems: tuple[str, ...]


def numbers_in(text: str) -> set[float]:
    """The numbers a text quotes (Unicode minus and full-width digits normalised first)."""
    normalized = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    return {float(match) for match in _NUMBER.findall(normalized)}


def sides_in(text: str, language: Language) -> set[str]:
    """The side words of a text, as right / left / bilateral / midline."""
    return {_SIDE_WORDS.get(word.lower(), word.lower()) for word in _SIDES[language].findall(text)}


def check_faithfulness(template: str, rewrite: str, language: Language) -> FaithfulnessCheck:
    """Compare a rewrite with the template it was made from."""
    problems = []
    expected, found = numbers_in(template), numbers_in(rewrite)
    if missing := expected - found:
        problems.append(f"numbers dropped: {_listed(missing)}")
    if added := found - expected:
        problems.append(f"numbers not in the measurements: {_listed(added)}")
    template_words, rewrite_words = sides_in(template, language), sides_in(rewrite, language)
    if template_words != rewrite_words:
        problems.append(f"sides differ: template {sorted(template_words)}, rewrite {sorted(rewrite_words)}")
    template_sides = _sides_by_lesion(template, language)
    for lesion, sides in sorted(_sides_by_lesion(rewrite, language).items()):
        if wrong := sides - template_sides.get(lesion, set()):
            problems.append(f"lesion {lesion} is given side {sorted(wrong)} that its measurements do not give it")
    return FaithfulnessCheck(not problems, tuple(problems))


def _sides_by_lesion(text: str, language: Language) -> dict[int, set[str]]:
    """Side words in the stretch of text after each "Lesion n" up to the next lesion mention or line end."""
    sides: dict[int, set[str]] = defaultdict(set)
    for line in text.splitlines():
        mentions = list(_LESION.finditer(line))
        for index, mention in enumerate(mentions):
            end = mentions[index + 1].start() if index + 1 < len(mentions) else len(line)
            sides[int(mention.group(1))] |= sides_in(line[mention.end() : end], language)
    return sides


def _listed(values: set[float]) -> str:
    return ", ".join(f"{value:g}" for value in sorted(values))
