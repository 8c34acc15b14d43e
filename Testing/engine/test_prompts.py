from __future__ import annotations

import re

import pytest

from reinforcedvl.errors import PromptError
from reinforcedvl.prompts import MAX_PROMPT_CHARACTERS, normalize_prompt
from reinforcedvl.terminology import terminology_for_finding

REFUSED = [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("1234 ?? !!", "has no words"),
    ("x" * (MAX_PROMPT_CHARACTERS + 1), "limit is 300"),
]


@pytest.mark.parametrize("text, message", REFUSED)
def test_unusable_prompts_are_refused_with_advice(text, message):
    with pytest.raises(PromptError, match=message):
        normalize_prompt(text)


def test_white_space_and_unicode_forms_are_normalised():
    assert normalize_prompt("  spiculated\n\n solid   nodule ") == "spiculated solid nodule"
    assert normalize_prompt("ﬁbrotic lesion") == "fibrotic lesion"


TERMINOLOGY = [
    ("spiculated solid nodule", "Nodule", None),
    ("enhancing tumour in the left frontal lobe", "Neoplasm", "Left"),
    ("peritumoral oedema", "Edema", None),
    ("necrotic core", "Necrosis", None),
    ("irregular mass", "Mass", None),
    ("liver", "Liver", None),
    ("liver lesion", "Lesion", None),
    ("something odd", "Lesion", None),
]


@pytest.mark.parametrize("finding, type_meaning, modifier", TERMINOLOGY)
def test_terminology_follows_the_finding_words(finding, type_meaning, modifier):
    terminology = terminology_for_finding(finding)
    assert terminology.type.meaning == type_meaning
    assert (terminology.modifier.meaning if terminology.modifier else None) == modifier


# Characters a terminal or a text view would act on, or that are not text at all: refused with the code point.
CONTROL_PROMPTS = [
    ("solid \x1b[2J\x1b[H nodule", "U+001B"),  # ANSI clear screen
    ("nodule\x07", "U+0007"),
    ("nod\x00ule", "U+0000"),
    ("nodule \x7f", "U+007F"),
    ("nodule \x9b2J", "U+009B"),  # the one-byte CSI of C1
    ("right \u202eelbon\u202c nodule", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("nodule \u200b", "U+200B ZERO WIDTH SPACE"),
    ("nodule \ud800", "U+D800"),  # a lone surrogate, as JSON '\\ud800' decodes
    ("nodule \ue000", "U+E000"),
]


@pytest.mark.parametrize("text, code_point", CONTROL_PROMPTS)
def test_prompts_with_control_or_invisible_characters_are_refused(text, code_point):
    expected = f"The finding description holds a control or invisible character, {code_point}"
    with pytest.raises(PromptError, match=re.escape(expected)):
        normalize_prompt(text)


@pytest.mark.parametrize("value", [None, 3, ["nodule"], b"nodule"])
def test_a_prompt_that_is_not_text_is_refused(value):
    with pytest.raises(PromptError, match="must be text"):
        normalize_prompt(value)


def test_languages_that_need_joiners_and_wide_spaces_keep_them():
    assert normalize_prompt("腫瘍周囲\u3000浮腫") == "腫瘍周囲 浮腫"  # NFKC turns the ideographic space into a space
    assert normalize_prompt("नोड्\u200dयूल") == "नोड्\u200dयूल"
