"""Modality-aware intensity normalisation (a MONAI dictionary transform).

CT keeps the meaning of Hounsfield units: values are clipped to [-1000, 2000] HU and divided by 1000, so air is -1,
water 0 and dense bone 2 whatever the scanner. MR has no absolute scale: each channel is standardised to zero mean
and unit variance over its foreground (voxels clearly above the background level), then clipped to +-5 standard
deviations.

Not invertible, on purpose: only predictions travel back to the input grid, and they carry no intensities.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

import torch
from monai.data import MetaTensor
from monai.transforms import MapTransform

from ..vocabulary import Modality

__all__ = ["NormalizeIntensityForModalityd", "mr_foreground", "CT_WINDOW_HU"]

CT_WINDOW_HU = (-1000.0, 2000.0)
_MR_CLIP_SD = 5.0
# MR foreground: above the background level by this fraction of the robust intensity range.
_MR_FOREGROUND_FRACTION = 0.1


def mr_foreground(channel: torch.Tensor) -> torch.Tensor:
    """Boolean mask of voxels clearly above an MR channel's background level."""
    sample = channel.flatten()
    if sample.numel() > 2_000_000:
        sample = sample[:: sample.numel() // 2_000_000]
    low, high = torch.quantile(sample.float(), torch.tensor([0.01, 0.99], dtype=torch.float32))
    return channel > low + _MR_FOREGROUND_FRACTION * (high - low)


class NormalizeIntensityForModalityd(MapTransform):
    """Normalise the intensities of ``keys`` for ``modality`` (see the module docstring)."""

    def __init__(self, keys: str, modality: Modality) -> None:
        super().__init__(keys)
        self.modality = modality

    def __call__(self, data: Mapping[Hashable, MetaTensor]) -> dict[Hashable, MetaTensor]:
        d = dict(data)
        for key in self.key_iterator(d):
            image = d[key]
            values = self._normalize(torch.as_tensor(image, dtype=torch.float32).clone())
            d[key] = MetaTensor(values, meta=image.meta, applied_operations=image.applied_operations)
        return d

    def _normalize(self, image: torch.Tensor) -> torch.Tensor:
        if self.modality is Modality.CT:
            low, high = CT_WINDOW_HU
            return image.clamp(low, high) / 1000.0
        channels = []
        for channel in image:
            foreground = channel[mr_foreground(channel)]
            if foreground.numel() < 2:
                foreground = channel.flatten()
            mean, std = foreground.mean(), foreground.std().clamp_min(1e-6)
            channels.append(((channel - mean) / std).clamp(-_MR_CLIP_SD, _MR_CLIP_SD))
        return torch.stack(channels)
