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

from .. import _lazy_attributes

__all__ = ["Lesion", "find_lesions", "measure_lesions"]

__getattr__ = _lazy_attributes(__name__, dict.fromkeys(__all__, "components"))
