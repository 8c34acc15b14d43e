"""The 3D multi-scale vision encoder: residual convolution stages, each halving the resolution."""

from __future__ import annotations

import torch
from monai.networks.blocks import UnetResBlock
from torch import nn

__all__ = ["VisionEncoder"]


class VisionEncoder(nn.Module):
    """Residual CNN (MONAI ``UnetResBlock`` stages) returning one feature map per level.

    Level 0 keeps the input resolution; level n has stride ``2**n``. Instance normalisation keeps the features
    independent of the batch, so a single volume and a training batch see the same statistics.
    """

    def __init__(self, *, in_channels: int, channels: tuple[int, ...]) -> None:
        super().__init__()
        stages = []
        previous = in_channels
        for level, width in enumerate(channels):
            stride = 1 if level == 0 else 2
            stages.append(
                UnetResBlock(
                    spatial_dims=3,
                    in_channels=previous,
                    out_channels=width,
                    kernel_size=3,
                    stride=stride,
                    norm_name=("instance", {"affine": True}),
                    act_name=("leakyrelu", {"negative_slope": 0.01, "inplace": True}),
                )
            )
            previous = width
        self.stages = nn.ModuleList(stages)

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        """Encode ``(B, C, X, Y, Z)`` images into features ``[(B, channels[n], X/2**n, Y/2**n, Z/2**n)]``."""
        features = []
        x = image
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features
