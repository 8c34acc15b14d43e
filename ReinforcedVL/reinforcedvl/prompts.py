"""Finding descriptions: cleaned and checked before they reach the text encoder."""

from __future__ import annotations

import re
import unicodedata

from .errors import PromptError
from .plain_text import check_plain_text

__all__ = ["MAX_PROMPT_CHARACTERS", "normalize_prompt"]

MAX_PROMPT_CHARACTERS = 300


def normalize_prompt(text: str) -> str:
    """The prompt with Unicode normalised (NFKC) and runs of white space collapsed.

    Raises:
        PromptError: not text, empty, longer than :data:`MAX_PROMPT_CHARACTERS`, without a single letter, or holding
            a control, invisible or unpaired-surrogate character (white space such as tabs and line breaks is
            collapsed, not refused).
    """
    if not isinstance(text, str):
        raise PromptError(f"The finding description must be text, got {type(text).__name__} {text!r:.80}.")
    cleaned = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    try:
        check_plain_text(cleaned, "The finding description")
    except ValueError as error:
        raise PromptError(str(error)) from None
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
