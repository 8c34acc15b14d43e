"""Moving a label map onto another grid that covers the same physical space (nearest neighbour)."""

from __future__ import annotations

import numpy as np
import SimpleITK as sitk

from ..volume import LabelMap, Volume
from .volume_io import to_sitk_image

__all__ = ["resample_label_map"]


def resample_label_map(label_map: LabelMap, reference: Volume) -> LabelMap:
    """``label_map`` on ``reference``'s voxel grid; voxels outside the label map's extent become 0."""
    if label_map.same_grid(reference):
        return label_map
    resampled = sitk.Resample(
        to_sitk_image(label_map),
        to_sitk_image(reference),
        sitk.Transform(),
        sitk.sitkNearestNeighbor,
        0,
        sitk.sitkUInt16,
    )
    array = sitk.GetArrayFromImage(resampled).transpose(2, 1, 0)
    return LabelMap(np.ascontiguousarray(array)[np.newaxis], reference.affine, label_map.source, label_map.name)
