"""Which voxels make one lesion: voxels touching at a face, an edge or a corner (26-connectivity in 3D)."""

from __future__ import annotations

import numpy as np

__all__ = ["LESION_CONNECTIVITY"]

LESION_CONNECTIVITY = np.ones((3, 3, 3), dtype=bool)
"""The ``structure`` for :func:`scipy.ndimage.label` that every lesion count and lesion split uses."""
