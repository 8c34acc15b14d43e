"""English and Japanese words, and one number format for both."""

from __future__ import annotations

import pytest

from reinforcedvl.description.anatomy import OrganOverlap, anatomy_table
from reinforcedvl.description.location import Location, Midline
from reinforcedvl.description.wording import (
    color_name,
    format_fraction,
    format_intensity,
    format_ml,
    format_mm,
    location_phrase,
    word,
)
from reinforcedvl.lesions.palette import lesion_color

FORMATS = [
    (format_mm, 12.345, "12.3"),
    (format_ml, 8.0918, "8.09"),
    (format_ml, 0.5234, "0.523"),
    (format_ml, 0.0123, "0.0123"),
    (format_fraction, 0.031, "0.03"),
]


@pytest.mark.parametrize("function, value, text", FORMATS)
def test_number_formats(function, value, text):
    assert function(value) == text


def test_intensity_format_depends_on_the_units():
    assert format_intensity(-823.4, is_ct=True) == "-823"
    assert format_intensity(1.234, is_ct=False) == "1.23"


def test_words_and_colours_in_japanese():
    assert word("lobulated", "ja") == "分葉状" and word("lobulated", "en") == "lobulated"
    assert color_name(lesion_color(2), "ja") == "シアン" and color_name(lesion_color(2), "en") == "cyan"


def _location(laterality="right", organ_label=None, outside=0.0, parts=(None, None)):
    organ = None
    if organ_label is not None:
        organ = OrganOverlap(anatomy_table("total").lookup(organ_label), 1.0 - outside, outside)
    midline = Midline(0.0, "body outline", ((0, 1), (0, 1)))
    return Location(laterality, 50.0, 1.0, midline, parts[0], parts[1], organ)


LOCATIONS = [
    (dict(), "on the right", "右側"),
    (dict(laterality="bilateral"), "on both sides", "両側"),
    (
        dict(parts=("upper", "anterior")),
        "on the right, upper anterior part of the body in view",
        "右側、撮像範囲の上部前方",
    ),
    (dict(organ_label=5), "in the liver, on the right", "肝臓（右）"),
    (dict(laterality="left", organ_label=3), "in the left kidney", "左腎"),
    (dict(organ_label=5, outside=0.7), "next to the liver, on the right", "肝臓の近傍（右）"),
]


@pytest.mark.parametrize("arguments, english, japanese", LOCATIONS)
def test_location_phrases(arguments, english, japanese):
    location = _location(**arguments)
    assert location_phrase(location, "en") == english
    assert location_phrase(location, "ja") == japanese
