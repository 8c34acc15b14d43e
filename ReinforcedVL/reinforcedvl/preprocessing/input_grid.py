"""Maps on the network's (cropped) grid brought back to the input's voxel grid, one slab at a time.

Each input voxel centre is carried through the two affines to a point of the model grid and the maps are
interpolated there (trilinear): zero outside the content crop, the edge value past the model grid's own border.
That is what undoing the crop (zero padding) and then the resampling (border padding) does, done for a slab of
input slices at a time, so no coordinate grid or intermediate map of the whole input is ever held: the output array
is the only full-size one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["resample_to_input_grid"]

# Input voxels resampled per slab: bounds the sampling grid (about 100 bytes per voxel) to ~200 MB.
_SLAB_VOXELS = 2_000_000


def resample_to_input_grid(
    maps: torch.Tensor,
    *,
    input_to_model: np.ndarray,
    input_shape: Sequence[int],
    crop_start: Sequence[int],
    model_shape: Sequence[int],
) -> np.ndarray:
    """Interpolate ``maps`` ``(K, X, Y, Z)``, the crop of the model grid starting at ``crop_start``, at every voxel
    of the input grid: float32 ``(K, *input_shape)``.

    Args:
        input_to_model: 4x4 affine from input voxel indices to (uncropped) model-grid voxel indices.
        input_shape: the input grid's spatial shape.
        crop_start: the crop's first voxel on the model grid.
        model_shape: the whole model grid's spatial shape (before the crop).
    """
    padded = F.pad(maps.detach().float().cpu()[None], (1, 1, 1, 1, 1, 1))[0]  # zeros around the crop
    mapping = _Mapping(np.asarray(input_to_model, dtype=np.float64), crop_start, model_shape)
    out = np.empty((maps.shape[0], *input_shape), dtype=np.float32)
    slab = max(1, _SLAB_VOXELS // max(1, input_shape[0] * input_shape[1]))
    sample = _sample_axis_aligned if mapping.axis_aligned else _sample_oblique
    for first in range(0, input_shape[2], slab):
        last = min(first + slab, input_shape[2])
        out[..., first:last] = sample(padded, mapping, input_shape, first, last)
    return out


class _Mapping:
    """Input voxel index -> voxel index of the zero-padded crop, clamped to the model grid (border padding)."""

    def __init__(self, affine: np.ndarray, crop_start: Sequence[int], model_shape: Sequence[int]) -> None:
        self.rotation = affine[:3, :3]
        self.translation = affine[:3, 3]
        self.shift = np.asarray(crop_start, dtype=np.float64) - 1.0
        self.upper = np.asarray(model_shape, dtype=np.float64) - 1.0
        self.axis_aligned = bool(np.all(np.count_nonzero(np.abs(self.rotation) > 1e-9, axis=1) == 1))

    def to_padded_crop(self, model: np.ndarray) -> np.ndarray:
        """Padded-crop coordinates of model-grid coordinates ``(..., 3)``."""
        return np.clip(model, 0.0, self.upper) - self.shift


def _sample_oblique(
    padded: torch.Tensor, mapping: _Mapping, input_shape: Sequence[int], first: int, last: int
) -> np.ndarray:
    """Trilinear interpolation at the input voxels of slices ``first:last`` (any rotation)."""
    axes = [np.arange(input_shape[0]), np.arange(input_shape[1]), np.arange(first, last)]
    ijk = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).astype(np.float64)
    coordinates = mapping.to_padded_crop(ijk @ mapping.rotation.T + mapping.translation)
    sizes = np.asarray(padded.shape[1:], dtype=np.float64)
    normalised = 2.0 * coordinates / (sizes - 1.0) - 1.0
    grid = torch.from_numpy(normalised[..., ::-1].astype(np.float32))[None]  # grid_sample wants (z, y, x) order
    return F.grid_sample(padded[None], grid, mode="bilinear", padding_mode="zeros", align_corners=True)[0].numpy()


def _sample_axis_aligned(
    padded: torch.Tensor, mapping: _Mapping, input_shape: Sequence[int], first: int, last: int
) -> np.ndarray:
    """The same interpolation, separable when each model axis follows one input axis: two taps per axis."""
    indices = [np.arange(input_shape[0]), np.arange(input_shape[1]), np.arange(first, last)]
    source_axis = np.argmax(np.abs(mapping.rotation), axis=1)  # input axis each model axis follows
    order = sorted(range(3), key=lambda axis: source_axis[axis] != 2)  # the slab's axis first: it shrinks most
    values = padded.numpy()
    for model_axis in order:
        along = indices[source_axis[model_axis]]
        model = np.zeros((len(along), 3))
        model[:, model_axis] = mapping.rotation[model_axis, source_axis[model_axis]] * along
        model += mapping.translation
        coordinate = mapping.to_padded_crop(model)[:, model_axis]
        values = _interpolate_along(values, 1 + model_axis, coordinate)
    return values.transpose(0, *(1 + int(np.flatnonzero(source_axis == q)[0]) for q in range(3)))


def _interpolate_along(values: np.ndarray, axis: int, coordinate: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``values`` along ``axis`` at ``coordinate`` (taps past the ends read the zero pad)."""
    size = values.shape[axis]
    below = np.floor(coordinate)
    shape = [1] * values.ndim
    shape[axis] = -1
    weight = (coordinate - below).astype(np.float32).reshape(shape)
    result = np.take(values, np.clip(below, 0, size - 1).astype(np.intp), axis=axis)
    if not weight.any():  # on the voxel centres (same spacing): a pure gather
        return result
    result *= 1.0 - weight
    result += np.take(values, np.clip(below + 1, 0, size - 1).astype(np.intp), axis=axis) * weight
    return result
