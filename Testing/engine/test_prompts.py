from __future__ import annotations

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
