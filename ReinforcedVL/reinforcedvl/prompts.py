"""Finding descriptions: cleaned and checked before they reach the text encoder."""

from __future__ import annotations

import re
import unicodedata

from .errors import PromptError

__all__ = ["MAX_PROMPT_CHARACTERS", "normalize_prompt"]

MAX_PROMPT_CHARACTERS = 300


def normalize_prompt(text: str) -> str:
    """The prompt with Unicode normalised (NFKC) and runs of white space collapsed.

    Raises:
        PromptError: empty, longer than :data:`MAX_PROMPT_CHARACTERS`, or without a single letter.
    """
    cleaned = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    if not cleaned:
        raise PromptError(
            'The finding description is empty. Describe what to segment, e.g. --prompt "solid lung nodule".'
        )
    if len(cleaned) > MAX_PROMPT_CHARACTERS:
        raise PromptError(
            f"The finding description has {len(cleaned)} characters; the limit is {MAX_PROMPT_CHARACTERS}. "
            'Describe one finding in a short phrase (e.g. "enhancing tumour in the right frontal lobe"), not a '
            "whole report; ask about several findings with several --prompt options."
        )
    if not any(character.isalpha() for character in cleaned):
        raise PromptError(
            f"The finding description {cleaned!r} has no words. Describe the finding in words, e.g. "
            '"peritumoral oedema".'
        )
    return cleaned
