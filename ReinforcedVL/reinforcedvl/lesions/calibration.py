"""A lesion's confidence as the chance that it is real, from what the answer shows of it.

The network's mean probability over a lesion's voxels says how sure each voxel is, not whether the lesion is there:
a speck of 20 voxels away from a 100 mL tumour can have the same mean probability as the tumour. The calibration
is a logistic map fitted on the train split's drawn lesions (real: touching the expert label) from two features:

* the logit of the lesion's mean probability,
* log10 of its volume over the largest lesion of the same answer (0 for the largest).

The volume itself is not a feature: in the data at hand it tells the families apart (brain-tumour fragments are
larger than whole lung nodules), not real lesions from false ones. A checkpoint stores the map as
``lesion_calibration`` = (two weights, intercept) in its ``config.json``; an empty value keeps the mean probability
as the confidence. ``scripts/lesion_calibration.py`` fits it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .components import Lesion

__all__ = ["LesionCalibration", "calibrated_lesions", "fit_lesion_calibration", "lesion_features"]

_EPSILON = 1e-6


def lesion_features(mean_probability: float, volume_ml: float, largest_ml: float) -> np.ndarray:
    """The calibration's features of one lesion (see the module docstring)."""
    p = min(max(mean_probability, _EPSILON), 1 - _EPSILON)
    volume = max(volume_ml, _EPSILON)
    return np.array([math.log(p / (1 - p)), math.log10(volume / max(largest_ml, volume))])


@dataclass(frozen=True)
class LesionCalibration:
    """confidence = sigmoid(weights . features + intercept)."""

    weights: tuple[float, float]
    intercept: float

    def __post_init__(self) -> None:
        if len(self.weights) != 2 or not all(math.isfinite(w) for w in (*self.weights, self.intercept)):
            raise ValueError(f"a lesion calibration has 2 finite weights and an intercept, got {self.to_config()}")
        if not self.weights[0] > 0:
            raise ValueError("a lesion calibration must rise with the mean probability (first weight > 0)")

    @classmethod
    def from_config(cls, values: Sequence[float]) -> LesionCalibration | None:
        """From a checkpoint's ``lesion_calibration`` (empty: None, the mean probability stays the confidence)."""
        if not values:
            return None
        if len(values) != 3:
            raise ValueError(f"lesion_calibration has 3 values (2 weights, intercept), got {len(values)}")
        return cls((float(values[0]), float(values[1])), float(values[2]))

    def to_config(self) -> tuple[float, ...]:
        return (*self.weights, self.intercept)

    def __call__(self, mean_probability: float, volume_ml: float, largest_ml: float) -> float:
        score = float(np.dot(self.weights, lesion_features(mean_probability, volume_ml, largest_ml))) + self.intercept
        return 1.0 / (1.0 + math.exp(-score)) if score > -700 else 0.0


def calibrated_lesions(lesions: list[Lesion], calibration: LesionCalibration) -> list[Lesion]:
    """``lesions`` (one answer's, their confidence the mean probability) with the calibrated confidence."""
    largest = max((lesion.volume_ml for lesion in lesions), default=0.0)
    return [
        dataclasses.replace(lesion, confidence=calibration(lesion.confidence, lesion.volume_ml, largest))
        for lesion in lesions
    ]


def fit_lesion_calibration(features: np.ndarray, real: np.ndarray, *, l2: float = 1e-2) -> LesionCalibration:
    """Logistic regression of ``real`` (bool ``(N,)``) on ``features`` ``(N, 2)`` (:func:`lesion_features`), with an
    L2 penalty of ``l2`` on the weights (Newton's method)."""
    x = np.hstack([np.asarray(features, float), np.ones((len(features), 1))])
    y = np.asarray(real, float)
    if not 0 < y.sum() < len(y):
        raise ValueError("fitting a lesion calibration needs both real and false lesions")
    penalty = np.diag([l2, l2, 0.0])
    beta = np.zeros(3)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        gradient = x.T @ (p - y) + penalty @ beta
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(3)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return LesionCalibration((float(beta[0]), float(beta[1])), float(beta[2]))
