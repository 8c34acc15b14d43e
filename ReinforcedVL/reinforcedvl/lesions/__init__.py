"""What one lesion is and how it is measured: connected voxels of a mask, numbered by size, coloured, measured.

* :mod:`.connectivity`: which voxels belong to one lesion (the one definition every counter uses);
* :mod:`.components`: probability map -> numbered lesions (:class:`Lesion`);
* :mod:`.sizes`: volume, centroid, RECIST diameters, bounding box, surface;
* :mod:`.shape`, :mod:`.intensity`: shape descriptors and intensity statistics;
* :mod:`.region`: every measurement of one region together (what the report describes);
* :mod:`.palette`: the colour of lesion n.

``from reinforcedvl.lesions import Lesion, find_lesions, measure_lesions`` loads :mod:`.components` on first use,
so the palette and the connectivity stay importable without SciPy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["Lesion", "find_lesions", "measure_lesions"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'reinforcedvl.lesions' has no attribute {name!r}")
    return getattr(import_module(".components", __name__), name)
