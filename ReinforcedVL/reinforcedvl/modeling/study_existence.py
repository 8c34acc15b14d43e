"""One existence answer for a whole study from its windows' answers, and the calibration map that turns it into a
probability (the rule and the map were chosen and fitted by scripts/existence_calibration.py; docs/model-card.md,
"Existence on whole studies").

The network answers per window (is the finding in this 96 mm patch?). A study's answer combines them by a rule:

* ``max``: the highest window (one confused window makes the study present);
* ``top2_mean`` / ``top3_mean``: the mean of the 2 or 3 highest windows (a study of fewer windows: of all of them);
* ``noisy_or``: 1 - prod(1 - p), the windows taken as independent witnesses;
* ``second``: the second-highest window (the highest where there is only one).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["WINDOW_RULES", "PlattCalibration", "combine_windows", "fit_platt", "study_existence"]

_EPSILON = 1e-6


def _top_mean(count: int) -> Callable[[np.ndarray], float]:
    return lambda p: float(np.sort(p)[::-1][:count].mean())


WINDOW_RULES: dict[str, Callable[[np.ndarray], float]] = {
    "max": lambda p: float(p.max()),
    "top2_mean": _top_mean(2),
    "top3_mean": _top_mean(3),
    "noisy_or": lambda p: float(1.0 - np.prod(1.0 - p)),
    "second": lambda p: float(np.sort(p)[::-1][min(1, p.size - 1)]),
}


def combine_windows(probabilities: Sequence[float], rule: str = "max") -> float:
    """The study's existence score from its windows' probabilities by ``rule`` (one of :data:`WINDOW_RULES`); NaN
    when any window's answer is NaN (a damaged network: the caller refuses to answer, never a rule that skips it).

    Raises:
        ValueError: no windows, a probability outside [0, 1], or an unknown rule.
    """
    if rule not in WINDOW_RULES:
        raise ValueError(f"Unknown window rule {rule!r}; the rules are {', '.join(WINDOW_RULES)}.")
    p = np.asarray(probabilities, dtype=np.float64)
    if p.size == 0:
        raise ValueError("A study's existence needs at least one window's answer.")
    if np.isnan(p).any():
        return math.nan
    if ((p < 0.0) | (p > 1.0)).any():
        raise ValueError("Window probabilities must lie in [0, 1].")
    return WINDOW_RULES[rule](p)


@dataclass(frozen=True)
class PlattCalibration:
    """p = sigmoid(slope x logit(score) + intercept): the identity is slope 1, intercept 0."""

    slope: float = 1.0
    intercept: float = 0.0

    def __call__(self, score: float) -> float:
        if math.isnan(score):
            return math.nan
        z = self.slope * _logit(score) + self.intercept
        return float(1.0 / (1.0 + math.exp(-z))) if z >= 0 else float(math.exp(z) / (1.0 + math.exp(z)))

    def to_dict(self) -> dict[str, float]:
        return {"slope": self.slope, "intercept": self.intercept}

    @classmethod
    def from_dict(cls, values: Mapping[str, float]) -> PlattCalibration:
        return cls(float(values["slope"]), float(values["intercept"]))


def fit_platt(scores: Sequence[float], truths: Sequence[bool], *, l2: float = 1e-3) -> PlattCalibration:
    """Logistic regression of the truth on logit(score) (damped Newton's method, a small L2 penalty on the slope so that
    separable data give a finite map).

    Raises:
        ValueError: fewer than two answers, or the truths are all alike (nothing to calibrate against).
    """
    x = np.array([_logit(s) for s in scores], dtype=np.float64)
    y = np.asarray(truths, dtype=np.float64)
    if x.size < 2 or y.min() == y.max():
        raise ValueError("Calibration needs answers of both kinds: present and absent cases.")
    design = np.stack([x, np.ones_like(x)], axis=1)
    penalty = np.diag([l2 * x.size, 0.0])

    def loss(w: np.ndarray) -> float:
        z = design @ w
        return float(np.logaddexp(0.0, z).sum() - (y * z).sum() + 0.5 * w @ penalty @ w)

    weights = np.array([1.0, 0.0])
    current = loss(weights)
    for _ in range(200):  # Newton's method with step halving: the loss never rises
        p = 1.0 / (1.0 + np.exp(-(design @ weights)))
        gradient = design.T @ (p - y) + penalty @ weights
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        scale = 1.0
        while scale > 1e-6 and loss(weights - scale * step) > current:
            scale /= 2
        weights = weights - scale * step
        previous, current = current, loss(weights)
        if previous - current < 1e-12:
            break
    return PlattCalibration(float(weights[0]), float(weights[1]))


def study_existence(probabilities: Sequence[float], rule: str, calibration: Sequence[float]) -> float:
    """The study's existence probability: the windows' answers combined by ``rule``, through the Platt map
    ``calibration`` = (slope, intercept) (a checkpoint's ``existence_window_rule`` and ``existence_calibration``)."""
    return PlattCalibration(*calibration)(combine_windows(probabilities, rule))


def _logit(score: float) -> float:
    s = min(max(float(score), _EPSILON), 1.0 - _EPSILON)
    return math.log(s / (1.0 - s))
