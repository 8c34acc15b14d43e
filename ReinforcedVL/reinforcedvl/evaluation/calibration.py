"""Calibration of the existence answer: expected calibration error and the reliability table behind its plot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["ReliabilityBin", "expected_calibration_error", "log_loss", "reliability_bins"]


@dataclass(frozen=True)
class ReliabilityBin:
    """One probability bin: its range, how many answers fell in it, their mean probability and how often the
    finding was really there."""

    low: float
    high: float
    count: int
    mean_probability: float
    observed_frequency: float


def reliability_bins(probabilities: Sequence[float], truths: Sequence[bool], bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width bins over [0, 1] (the last one closed); empty bins are left out."""
    p = np.asarray(probabilities, dtype=np.float64)
    t = np.asarray(truths, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    return [
        ReliabilityBin(
            float(edges[b]),
            float(edges[b + 1]),
            int((index == b).sum()),
            float(p[index == b].mean()),
            float(t[index == b].mean()),
        )
        for b in range(bins)
        if (index == b).any()
    ]


def expected_calibration_error(probabilities: Sequence[float], truths: Sequence[bool], bins: int = 10) -> float:
    """Sum over bins of (share of answers in the bin) x |mean probability - observed frequency|."""
    table = reliability_bins(probabilities, truths, bins)
    total = sum(b.count for b in table)
    return (
        sum(b.count / total * abs(b.mean_probability - b.observed_frequency) for b in table) if total else float("nan")
    )


def log_loss(probabilities: Sequence[float], truths: Sequence[bool]) -> float:
    """Mean binary cross-entropy of the answers (probabilities clipped to [1e-6, 1 - 1e-6])."""
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-6, 1 - 1e-6)
    t = np.asarray(truths, dtype=np.float64)
    return float(-(t * np.log(p) + (1 - t) * np.log(1 - p)).mean())
