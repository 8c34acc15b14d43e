"""Partial-coverage studies cut from a whole one: the axial slabs of a brain, as a scanner covering only part of the
head would image it (scripts/existence_study_data.py evaluates on them, scripts/existence_head_data.py trains on
them; both must cut the same slabs)."""

from __future__ import annotations

import numpy as np

from ..lesions.sizes import axial_axis
from ..volume import Volume

__all__ = ["axial_slabs"]


def axial_slabs(
    volume: Volume, brain: np.ndarray, thickness_mm: float, step_mm: float
) -> list[tuple[int, tuple[slice, slice, slice]]]:
    """The axial slabs ``thickness_mm`` thick, one starting every ``step_mm`` from the lowest slice of ``brain`` (a
    boolean mask on ``volume``'s grid) until a slab would hold less than half its thickness of brain: (first slice,
    voxel box) each."""
    axis = axial_axis(volume)
    extent = np.flatnonzero(brain.any(axis=tuple(a for a in range(3) if a != axis)))
    thick, step = int(thickness_mm / volume.spacing[axis]), int(step_mm / volume.spacing[axis])
    slabs = []
    for start in range(int(extent.min()), int(extent.max()) - thick // 2, step):
        box: list[slice] = [slice(None)] * 3
        box[axis] = slice(start, start + thick)
        slabs.append((start, tuple(box)))
    return slabs  # type: ignore[return-value]
