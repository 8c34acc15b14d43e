"""From a probability map on the input grid to numbered, coloured, measured lesions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from ..vocabulary import LesionKey
from ..volume import LabelMap, Volume
from .connectivity import LESION_CONNECTIVITY
from .palette import LesionColor, lesion_color
from .sizes import axial_axis, axial_diameters, centroid_ras, volume_ml

__all__ = ["Lesion", "find_lesions", "measure_lesions"]


@dataclass(frozen=True)
class Lesion:
    """One connected lesion, numbered by size (1 is the largest), with its colour and measurements.

    ``confidence`` is the mean probability over the lesion's voxels (a checkpoint's lesion calibration turns it into
    the chance that the lesion is real, :mod:`.calibration`); ``centroid_ras`` is in RAS millimetres.
    """

    lesion_id: int
    color: LesionColor
    voxels: int
    volume_ml: float
    long_axis_mm: float
    short_axis_mm: float
    centroid_ras: tuple[float, float, float]
    confidence: float
    axial_slice_index: int

    def to_dict(self) -> dict[str, Any]:
        """The lesion as written in ``result.json``."""
        return {
            LesionKey.ID: self.lesion_id,
            LesionKey.COLOR_NAME: self.color.name,
            LesionKey.VOXELS: self.voxels,
            LesionKey.VOLUME_ML: round(self.volume_ml, 4),
            LesionKey.LONG_AXIS_MM: round(self.long_axis_mm, 2),
            LesionKey.SHORT_AXIS_MM: round(self.short_axis_mm, 2),
            LesionKey.CENTROID_RAS: [round(x, 2) for x in self.centroid_ras],
            LesionKey.CONFIDENCE: round(self.confidence, 4),
        }


def find_lesions(
    probability: np.ndarray, grid: Volume, *, threshold: float, min_volume_mm3: float
) -> tuple[LabelMap, list[Lesion]]:
    """Threshold ``probability`` ``(I, J, K)`` on ``grid`` and split it into lesions.

    Components smaller than ``min_volume_mm3`` are dropped. Returns the lesion label map (0 background,
    lesion n = n) and the lesions, largest first.
    """
    components, count = ndimage.label(probability >= threshold, structure=LESION_CONNECTIVITY)
    voxel_mm3 = abs(float(np.linalg.det(grid.affine[:3, :3])))
    sizes = np.bincount(components.ravel(), minlength=count + 1)[1:]
    kept = [label for label in np.argsort(-sizes, kind="stable") + 1 if sizes[label - 1] * voxel_mm3 >= min_volume_mm3]
    relabel = np.zeros(count + 1, dtype=np.uint16)
    relabel[np.asarray(kept, dtype=int)] = np.arange(1, len(kept) + 1)
    label_map = LabelMap.on_grid(relabel[components], grid, "lesions")
    return label_map, measure_lesions(label_map, probability)


def measure_lesions(label_map: LabelMap, probability: np.ndarray | None = None) -> list[Lesion]:
    """Measure every lesion of a label map (lesion n = label n); confidence 1 where no probability is given."""
    labels = label_map.array[0]
    lesions = []
    for value, box in enumerate(ndimage.find_objects(labels), start=1):
        if box is None:
            continue
        mask = labels[box] == value
        lesion_grid = label_map.crop(box)
        diameters = axial_diameters(mask, lesion_grid)
        confidence = float(probability[box][mask].mean()) if probability is not None else 1.0
        lesions.append(
            Lesion(
                lesion_id=value,
                color=lesion_color(value),
                voxels=int(mask.sum()),
                volume_ml=volume_ml(mask, lesion_grid),
                long_axis_mm=diameters.long_axis_mm,
                short_axis_mm=diameters.short_axis_mm,
                centroid_ras=centroid_ras(mask, lesion_grid),
                confidence=confidence,
                axial_slice_index=diameters.slice_index + (box[axial_axis(label_map)].start or 0),
            )
        )
    return lesions
