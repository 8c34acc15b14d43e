"""Finding names in the report's language, from the pick-list."""

from __future__ import annotations

import pytest

from reinforcedvl.report.finding_names import finding_name

NAMES = [
    ("solid lung nodule", "en", "solid lung nodule"),
    ("solid lung nodule", "ja", "充実性肺結節"),
    ("Peritumoral Oedema", "ja", "腫瘍周囲浮腫"),
    ("left kidney", "ja", "左腎"),
    ("spiculated mass", "ja", "「spiculated mass」"),
    ("spiculated mass", "en", "spiculated mass"),
]


@pytest.mark.parametrize("prompt, language, name", NAMES)
def test_pick_list_labels_name_findings(prompt, language, name):
    assert finding_name(prompt, language) == name
