"""The overlap of two masks in plain numpy: light enough for 3D Slicer's process (the feedback store) and the
evaluation alike, so both quote the same Dice."""

from __future__ import annotations

import numpy as np

__all__ = ["dice"]


def dice(prediction: np.ndarray, reference: np.ndarray) -> float:
    """Dice of two boolean masks of one shape: 2 |A and B| / (|A| + |B|); 1.0 when both are empty."""
    prediction, reference = np.asarray(prediction, dtype=bool), np.asarray(reference, dtype=bool)
    if prediction.shape != reference.shape:
        raise ValueError(f"Masks of different shapes {prediction.shape} and {reference.shape} have no Dice.")
    total = int(np.count_nonzero(prediction)) + int(np.count_nonzero(reference))
    if total == 0:
        return 1.0
    return 2.0 * int(np.count_nonzero(prediction & reference)) / total
