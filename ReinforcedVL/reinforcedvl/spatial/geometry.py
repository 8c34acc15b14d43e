"""Geometry of a spatially prompted answer: points to the model grid, a window region to the input grid, the box's
voxels, and which faces of a region a marked lesion reaches."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from scipy import ndimage

from ..preprocessing import PreparedVolume
from ..volume import LabelMap, Volume
from .lesion_selection import touched_component
from .prompts import PromptBox, PromptPoint
from .windows import WindowRegion

__all__ = ["model_index_of", "input_box_of_region", "inside_box", "faces_reached", "needs_model_windows"]

_CONNECTIVITY = np.ones((3, 3, 3), dtype=bool)


def model_index_of(prepared: PreparedVolume, ras: Sequence[Sequence[float]]) -> np.ndarray:
    """RAS mm ``(N, 3)`` to (fractional) voxel indices of the prepared (cropped) model grid ``(N, 3)``."""
    to_model = np.linalg.inv(np.asarray(prepared.image.affine, dtype=np.float64))
    points = np.asarray(ras, dtype=np.float64).reshape(-1, 3)
    return points @ to_model[:3, :3].T + to_model[:3, 3]


def input_box_of_region(prepared: PreparedVolume, region: tuple[slice, slice, slice]) -> tuple[slice, slice, slice]:
    """The input-grid voxels that a model-grid region reaches (its corners' bounding box, a voxel of margin)."""
    corners = np.array(
        [
            (x, y, z)
            for x in (region[0].start, region[0].stop - 1)
            for y in (region[1].start, region[1].stop - 1)
            for z in (region[2].start, region[2].stop - 1)
        ],
        dtype=np.float64,
    )
    affine = np.asarray(prepared.image.affine, dtype=np.float64)
    ras = corners @ affine[:3, :3].T + affine[:3, 3]
    ijk = prepared.volume.ras_to_voxel(ras)
    shape = np.asarray(prepared.volume.spatial_shape)
    low = np.clip(np.floor(ijk.min(axis=0)).astype(int) - 1, 0, shape - 1)
    high = np.clip(np.ceil(ijk.max(axis=0)).astype(int) + 2, low + 1, shape)
    return tuple(slice(int(a), int(b)) for a, b in zip(low, high, strict=True))  # type: ignore[return-value]


def inside_box(grid: Volume, box: PromptBox) -> np.ndarray:
    """Boolean ``(I, J, K)``: the voxel centres of ``grid`` inside ``box`` (computed a slice at a time)."""
    shape = grid.spatial_shape
    inside = np.zeros(shape, dtype=bool)
    i, j = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    low, high = box.low_ras, box.high_ras
    for k in range(shape[2]):
        ijk = np.stack([i.ravel(), j.ravel(), np.full(i.size, k)], axis=1)
        ras = grid.voxel_to_ras(ijk)
        inside[:, :, k] = np.all((ras >= low) & (ras <= high), axis=1).reshape(shape[:2])
    return inside


def faces_reached(
    prepared: PreparedVolume,
    region: WindowRegion,
    probability: torch.Tensor,
    points: Sequence[PromptPoint],
    threshold: float,
) -> tuple[bool, tuple[bool, ...], tuple[bool, ...]]:
    """Whether ``points`` mark any lesion, and per axis whether a lesion they mark reaches the region's low and high
    face where the region can still grow (so the lesion may go on in the next window).

    Args:
        probability: ``(X, Y, Z)`` on ``region`` of the model grid.
    """
    slices = region.slices
    affine = np.asarray(prepared.image.affine, dtype=np.float64).copy()
    affine[:3, 3] = affine[:3, :3] @ np.array([s.start for s in slices], dtype=np.float64) + affine[:3, 3]
    components, _ = ndimage.label(probability.detach().cpu().numpy() >= threshold, structure=_CONNECTIVITY)
    grid = LabelMap(components[None], affine, name="region")
    marked = {touched_component(components, grid, point.ras) for point in points} - {0}
    can_low, can_high = region.open_faces()
    low, high = [False] * 3, [False] * 3
    for label, extent in enumerate(ndimage.find_objects(components), start=1):
        if label not in marked or extent is None:
            continue
        for axis, part in enumerate(extent):
            low[axis] |= can_low[axis] and part.start == 0
            high[axis] |= can_high[axis] and part.stop == components.shape[axis]
    return bool(marked), tuple(low), tuple(high)


def needs_model_windows(marked: bool, low: Sequence[bool], high: Sequence[bool]) -> bool:
    """Whether a clicked answer on small windows (a nodule's context) should be asked again on the model's own
    windows: the finding is judged present there but no lesion lies at the points (the small context outlines it
    too faintly or beside them), or the marked lesion reaches past the small windows (a structure larger than a
    nodule)."""
    return not marked or any(low) or any(high)
