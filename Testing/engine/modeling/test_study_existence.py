"""How the windows' existence answers combine into a study's answer, and the Platt map fitted on it, on window
probabilities the shipped model gave (BraTS dev brain pat0001, scripts/existence_study_data.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reinforcedvl.modeling.study_existence import WINDOW_RULES, PlattCalibration, combine_windows, fit_platt

# The 12 windows of the dev brain asked "whole tumour" (present): one window far from the tumour says 0.04.
WHOLE_TUMOUR = [
    0.187133,
    0.306527,
    0.220007,
    0.832237,
    0.036769,
    0.380299,
    0.988668,
    0.99478,
    0.997199,
    0.978385,
    0.999995,
    0.909907,
]

EXPECTED = {
    "max": 0.999995,
    "top2_mean": (0.999995 + 0.997199) / 2,
    "top3_mean": (0.999995 + 0.997199 + 0.99478) / 3,
    "noisy_or": 1 - math.prod(1 - p for p in WHOLE_TUMOUR),
    "second": 0.997199,
}


@pytest.mark.parametrize("rule", sorted(WINDOW_RULES))
def test_every_rule_on_real_windows(rule):
    assert combine_windows(WHOLE_TUMOUR, rule) == pytest.approx(EXPECTED[rule])


def test_one_confused_window_decides_max_but_not_the_top_two():
    windows = [0.02, 0.03, 0.95, 0.01]  # one confused window among four
    assert combine_windows(windows, "max") >= 0.5 > combine_windows(windows, "top2_mean")


def test_a_single_window_is_its_own_answer_under_every_rule():
    for rule in WINDOW_RULES:
        assert combine_windows([0.73], rule) == pytest.approx(0.73)


@pytest.mark.parametrize(
    ("windows", "rule", "message"),
    [([], "max", "at least one"), ([1.2], "max", "[0, 1]"), ([0.5], "median", "Unknown window rule")],
)
def test_bad_input_is_refused_with_its_reason(windows, rule, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        combine_windows(windows, rule)


def test_platt_map_is_the_identity_by_default_and_round_trips():
    identity = PlattCalibration()
    assert identity(0.83) == pytest.approx(0.83)
    fitted = PlattCalibration(0.4, -1.2)
    assert PlattCalibration.from_dict(fitted.to_dict()) == fitted
    assert 0.0 < fitted(1.0) < 1.0 and fitted(1e-9) > 0.0  # finite at the ends


def test_fitted_map_lowers_the_log_loss_of_overconfident_answers():
    rng = np.random.default_rng(0)
    scores = np.concatenate([rng.uniform(0.9, 1.0, 40), rng.uniform(0.6, 1.0, 40)])  # every answer "present"
    truths = [True] * 40 + [False] * 40  # but half are absent
    platt = fit_platt(scores, truths)

    def loss(probabilities):
        p = np.clip(probabilities, 1e-6, 1 - 1e-6)
        t = np.asarray(truths, float)
        return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean()

    assert loss(np.array([platt(s) for s in scores])) < loss(scores)
    assert platt.slope > 0  # still monotone: a higher score never means a lower probability


def test_fitting_needs_absent_cases():
    # the situation of the 1.1.0 evaluation: every assessed answer present, p = 1.00
    with pytest.raises(ValueError, match="both kinds"):
        fit_platt([1.0] * 10, [True] * 10)


@pytest.mark.parametrize("rule", sorted(WINDOW_RULES))
def test_a_nan_window_makes_the_study_nan_under_every_rule(rule):
    # a damaged network: the predictor must see the NaN and refuse, not a rule that sorts it away
    assert math.isnan(combine_windows([0.9, float("nan"), 0.1], rule))
    assert math.isnan(PlattCalibration(0.5, 0.1)(float("nan")))
