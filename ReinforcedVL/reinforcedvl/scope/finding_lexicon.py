"""How radiologists name each trained finding (``resources/finding_phrasings.json``): templates whose slots stand for
each of their words, expanded into the phrasings the finding matcher knows for a finding besides its training and
pick-list ones."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

__all__ = [
    "lexicon_phrasings",
    "defining_words",
    "finding_nouns",
    "generic_words",
    "largest_size_mm",
    "larger_named",
    "look_words",
    "region_words",
    "signal_words",
    "study_words",
    "tumour_nouns",
    "tumour_words",
    "vague_words",
    "anomaly_words",
    "volume_words",
]

_RESOURCES = Path(__file__).resolve().parents[1] / "resources"
_SLOT = re.compile(r"\{([a-z_]+)\}")


def lexicon_phrasings(finding: str) -> tuple[str, ...]:
    """Every phrasing the lexicon's templates give for the canonical ``finding`` (none for a finding it lacks)."""
    return _expanded().get(finding, ())


def defining_words(finding: str) -> tuple[str, ...]:
    """The words that name the canonical ``finding`` and none of its family's other findings (none when the lexicon
    lists none)."""
    return tuple(_document().get("defining_words", {}).get(finding, ()))


def largest_size_mm(finding: str) -> float | None:
    """The largest size across the canonical ``finding`` has by its definition (a lung nodule's 30 mm; None where its
    definition sets none)."""
    size = _document().get("largest_size_mm", {}).get(finding)
    return None if size is None else float(size)


def larger_named(finding: str) -> frozenset[str]:
    """The words that name what the canonical ``finding`` is called when larger than :func:`largest_size_mm` (a lung
    nodule's "mass"; none where its definition sets no size)."""
    return frozenset(_document().get("larger_named", {}).get(finding, ()))


@cache
def all_larger_named() -> frozenset[str]:
    """The words that name what any finding is called when larger than its largest size (:func:`larger_named`)."""
    return frozenset(word for words in _document().get("larger_named", {}).values() for word in words)


@cache
def region_words() -> dict[str, tuple[str, ...]]:
    """The words that name a part of a tumour no one finding is -> the findings whose union that part is ("solid": the
    enhancing and the non-enhancing tumour)."""
    return {word: tuple(findings) for word, findings in _document().get("region_words", {}).items()}


@cache
def tumour_words() -> frozenset[str]:
    """The words that name a tumour, the whole of it or a part of it and nothing more ("glioma", "entire", "portion";
    the lexicon's ``tumor``, ``whole`` and ``part`` slots)."""
    return _slot_words("tumor", "whole", "part")


@cache
def tumour_nouns() -> frozenset[str]:
    """The words that name a tumour and nothing of it ("glioma", "mass"; the lexicon's ``tumor`` slot)."""
    return _slot_words("tumor")


@cache
def finding_nouns() -> frozenset[str]:
    """The nouns that name a finding of some part of the body ("nodule", "lesion", "mass", "glioma"; the lexicon's
    ``tumor`` and ``nodule`` slots and its ``finding_nouns``): a word before one may name that part ("beast nodule")."""
    return _slot_words("tumor", "nodule") | frozenset(_document().get("finding_nouns", ()))


@cache
def signal_words() -> frozenset[str]:
    """The words that name a signal on the images and nothing more ("flair", "hyperintensity"; the lexicon's
    ``signal`` slot)."""
    return _slot_words("signal")


@cache
def study_words() -> frozenset[str]:
    """The words that name the study a tumour is seen in ("case", "scan", "MRI")."""
    return frozenset(_document().get("study_words", ()))


@cache
def volume_words() -> frozenset[str]:
    """The words that name how much of a tumour ("volume", "extent", "burden"; the lexicon's ``extent`` slot)."""
    return _slot_words("extent")


@cache
def generic_words() -> frozenset[str]:
    """The words that say nothing of which region of a tumour is meant: :func:`tumour_words` and the lexicon's
    ``generic_words`` ("thing", "flair", "volume")."""
    return tumour_words() | frozenset(_document().get("generic_words", ()))


@cache
def look_words() -> frozenset[str]:
    """The words that say only how a region looks on the images ("white", "hazy", "halo")."""
    return frozenset(_document().get("look_words", ()))


@cache
def vague_words() -> frozenset[str]:
    """The words that say something is there and nothing of what ("abnormal", "lesion", "something")."""
    return frozenset(_document().get("vague_words", ()))


@cache
def anomaly_words() -> frozenset[str]:
    """The words that say something is wrong and nothing of its kind ("lesion", "abnormality"): beside a part of the
    body alone they name no finding of it ("the abnormality in the chest")."""
    return frozenset(_document().get("anomaly_words", ()))


def _slot_words(*slots: str) -> frozenset[str]:
    """The words of the lexicon's ``slots`` (a hyphenated word as one)."""
    document = _document()
    return frozenset(
        word
        for slot in slots
        for text in document["slots"][slot]
        for word in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text)
    )


@cache
def _document() -> dict:
    return json.loads((_RESOURCES / "finding_phrasings.json").read_text(encoding="utf-8"))


@cache
def _expanded() -> dict[str, tuple[str, ...]]:
    document = _document()
    slots: dict[str, list[str]] = document["slots"]
    return {
        finding: tuple(dict.fromkeys(text for template in templates for text in expand(template, slots)))
        for finding, templates in document["findings"].items()
    }


def expand(template: str, slots: dict[str, list[str]]) -> list[str]:
    """The texts of ``template`` with its ``{slot}``s filled: each word of each slot once, the other slots holding
    their first word (the sentence encoder adds the meanings of words, so a description that varies two slots is close
    to both texts that vary one; every combination would be thousands of texts to embed at each start).

    Raises:
        KeyError: the template names a slot ``slots`` lacks.
    """
    names = _SLOT.findall(template)
    fillings = [[slots[name][0] for name in names]]
    for position, name in enumerate(names):
        for word in slots[name][1:]:
            fillings.append([*fillings[0][:position], word, *fillings[0][position + 1 :]])
    pieces = _SLOT.split(template)[::2]  # the template's text between its slots
    return ["".join(piece + word for piece, word in zip(pieces, [*words, ""], strict=True)) for words in fillings]
