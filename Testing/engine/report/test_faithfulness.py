"""The guard on rewrites: every number and every side must match the template."""

from __future__ import annotations

import pytest

from reinforcedvl.report.faithfulness import check_faithfulness, numbers_in, sides_in

TEMPLATE = (
    "Lesion 1 (yellow): solid lung nodule, 12.3 x 8.1 mm, 0.52 mL, round, well-defined, hyperdense (mean 35 HU vs "
    "-820 HU around it), on the right; confidence 0.87.\n"
    "Lesion 2 (cyan): solid lung nodule, 6.0 x 4.2 mm, 0.07 mL, ovoid, well-defined, hyperdense (mean 10 HU vs -840 "
    "HU around it), on the left; confidence 0.66.\n"
    "Solid lung nodule: 2 lesions (probability 0.95); the largest, lesion 1 (yellow), 12.3 x 8.1 mm, on the right."
)
FAITHFUL = (
    "Two solid lung nodules are seen (2 lesions, probability 0.95). Lesion 1 (yellow) in the right lung measures "
    "12.3 x 8.1 mm (0.52 mL); it is round, well-defined and hyperdense (mean 35 HU against −820 HU), confidence 0.87. "
    "Lesion 2 (cyan) on the left measures 6.0 x 4.2 mm (0.07 mL), ovoid and well-defined, hyperdense (10 HU vs -840 "
    "HU), confidence 0.66."
)

UNFAITHFUL = [
    (FAITHFUL.replace("12.3 x 8.1", "12 x 8.1"), "numbers dropped: 12.3"),
    (FAITHFUL.replace("0.52 mL", "0.5 mL"), "numbers not in the measurements: 0.5"),
    (FAITHFUL.replace("Lesion 1 (yellow) in the right lung", "Lesion 1 (yellow) in the left lung"), "lesion 1"),
    (FAITHFUL.replace("confidence 0.87", "high confidence"), "numbers dropped: 0.87"),
    (FAITHFUL.replace("on the left", "on both sides"), "sides differ"),
]


def test_a_faithful_rewrite_passes():
    check = check_faithfulness(TEMPLATE, FAITHFUL, "en")
    assert check.faithful and check.problems == ()


@pytest.mark.parametrize("rewrite, problem", UNFAITHFUL)
def test_each_unfaithful_change_is_caught_and_named(rewrite, problem):
    check = check_faithfulness(TEMPLATE, rewrite, "en")
    assert not check.faithful
    assert any(problem in text for text in check.problems), check.problems


def test_japanese_sides_and_full_width_numbers():
    template = "病変1（黄）：充実性肺結節、12.3 × 8.1 mm、右側。信頼度 0.87。"
    assert check_faithfulness(
        template, "病変1（黄）は右側の充実性肺結節で１２.３ × 8.1 mm、信頼度0.87。", "ja"
    ).faithful
    wrong = check_faithfulness(template, "病変1（黄）は左側の充実性肺結節で12.3 × 8.1 mm、信頼度0.87。", "ja")
    assert not wrong.faithful and any("lesion 1" in p for p in wrong.problems)


def test_number_and_side_extraction():
    assert numbers_in("mean −820 HU, 12.30 mm, lesion 2") == {-820.0, 12.3, 2.0}
    assert sides_in("Right lobe, on both sides, LEFT", "en") == {"right", "bilateral", "left"}
    assert sides_in("右肺と両側", "ja") == {"right", "bilateral"}
