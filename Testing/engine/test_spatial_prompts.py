"""Spatial prompts as data: parsing, checks against the volume (the bundled LIDC sample), round trips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reinforcedvl.errors import SpatialPromptError
from reinforcedvl.io import read_image
from reinforcedvl.spatial.prompts import PromptBox, PromptPoint, SpatialPrompts, parse_box, parse_ras, ras_extent

SAMPLE = Path(__file__).resolve().parents[2] / "Resources" / "Samples" / "lidc_nodule_LIDC-IDRI-0003_R_4.nii.gz"

MALFORMED_POINTS = ["1,2", "1,2,3,4", "a,b,c", "1;2;3", "", "nan,0,0", "1,,2", "inf,1,2"]
MALFORMED_BOXES = ["1,2,3", "1,2,3,4,5,6,7", "0,0,0,1,1,x", "0,0,0,0,5,5"]  # the last is flat in R


@pytest.fixture(scope="module")
def sample():
    return read_image(SAMPLE)


@pytest.mark.parametrize("text", MALFORMED_POINTS)
def test_malformed_points_are_refused_with_the_expected_form(text):
    with pytest.raises(SpatialPromptError, match="R,A,S"):
        parse_ras(text)


@pytest.mark.parametrize("text", MALFORMED_BOXES)
def test_malformed_boxes_are_refused(text):
    with pytest.raises(SpatialPromptError, match="box"):
        parse_box(text)


def test_parsing_reads_numbers_with_spaces_and_signs():
    assert parse_ras(" -52.5, 31 ,-110") == (-52.5, 31.0, -110.0)
    box = parse_box("10,20,30,-10,0,5")
    np.testing.assert_array_equal(box.low_ras, [-10, 0, 5])
    np.testing.assert_array_equal(box.high_ras, [10, 20, 30])
    assert box.contains((0, 10, 10)) and not box.contains((0, 10, 31))


def test_prompts_round_trip_through_their_json_form():
    prompts = SpatialPrompts(
        (PromptPoint((1.0, 2.0, 3.0)), PromptPoint((4.0, 5.0, 6.0), False)), parse_box("0,0,0,9,9,9")
    )
    again = SpatialPrompts.from_dict(prompts.to_dict())
    assert again == prompts
    assert [p.positive for p in again.points] == [True, False]
    assert not SpatialPrompts() and not SpatialPrompts.from_dict(None)


def test_points_inside_the_sample_pass_and_outside_are_refused_with_its_extent(sample):
    low, high = ras_extent(sample)
    centre = tuple((low + high) / 2)
    SpatialPrompts((PromptPoint(centre), PromptPoint(tuple(low), False))).check_inside(sample)
    beyond = (float(high[0]) + 5.0, centre[1], centre[2])
    with pytest.raises(SpatialPromptError, match=r"outside the volume.*spans R 30\.3 to 64\.7"):
        SpatialPrompts((PromptPoint(beyond),)).check_inside(sample)
    with pytest.raises(SpatialPromptError, match="negative point"):
        SpatialPrompts((PromptPoint(beyond, positive=False),)).check_inside(sample)


def test_a_box_that_misses_the_volume_or_leaves_out_a_positive_point_is_refused(sample):
    low, high = ras_extent(sample)
    centre = (low + high) / 2
    with pytest.raises(SpatialPromptError, match="does not overlap"):
        SpatialPrompts(box=PromptBox(tuple(high + 10), tuple(high + 20))).check_inside(sample)
    small = PromptBox(tuple(low), tuple(low + 3))
    with pytest.raises(SpatialPromptError, match="outside the box"):
        SpatialPrompts((PromptPoint(tuple(centre)),), small).check_inside(sample)
    SpatialPrompts((PromptPoint(tuple(centre), positive=False),), small).check_inside(sample)  # harmless
