"""Expected calibration error on answers whose calibration can be worked out by hand."""

from __future__ import annotations

import math

import pytest

from reinforcedvl.evaluation.calibration import expected_calibration_error, log_loss, reliability_bins

CASES = [
    # (probabilities, truths, ECE)
    ([0.95, 0.95, 0.05, 0.05], [True, True, False, False], 0.05),  # each bin off by 0.05
    ([0.9] * 10, [True] * 9 + [False], 0.0),  # 90 % said, 90 % true
    ([1.0, 1.0], [False, False], 1.0),  # sure and always wrong
]


@pytest.mark.parametrize(("probabilities", "truths", "expected"), CASES)
def test_expected_calibration_error(probabilities, truths, expected):
    assert expected_calibration_error(probabilities, truths) == pytest.approx(expected)


def test_reliability_bins_count_every_answer_once():
    table = reliability_bins([0.0, 0.1, 0.55, 1.0], [False, False, True, True], bins=10)
    assert sum(b.count for b in table) == 4 and table[-1].high == 1.0 and table[-1].observed_frequency == 1.0


def test_log_loss_by_hand():
    assert log_loss([0.8, 0.25], [True, False]) == pytest.approx(-(math.log(0.8) + math.log(0.75)) / 2)
    assert log_loss([1.0], [False]) == pytest.approx(-math.log(1e-6))  # clipped, never infinite
