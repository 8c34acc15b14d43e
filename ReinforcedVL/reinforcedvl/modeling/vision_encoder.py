"""The 3D multi-scale vision encoder: residual convolution stages, each halving the resolution."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from monai.networks.blocks import UnetResBlock
from torch import nn
from torch.nn.utils import skip_init

__all__ = ["VisionEncoder"]

_FAST_CPU_INPUT_CHANNELS = 3


class _ChannelPaddedConv3d(nn.Conv3d):
    """``Conv3d`` that, on the CPU, pads an input of fewer than three channels (and its weight) with zero channels.

    PyTorch's CPU convolution uses oneDNN only when batch x channels x the first two spatial sizes exceed 20,480,
    and otherwise its slow reference path, about three times slower: for the model's 96^3 window that takes three
    channels. Zero channels with zero weights add nothing, so the result is the same; the parameters are the
    module's own.
    """

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        missing = _FAST_CPU_INPUT_CHANNELS - image.shape[1]
        if image.device.type != "cpu" or missing <= 0:
            return super().forward(image)
        channels = (0, 0, 0, 0, 0, 0, 0, missing)  # pads dimension 1 of both the image and the weight
        return F.conv3d(
            F.pad(image, channels),
            F.pad(self.weight, channels),
            self.bias,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
        )


def _with_channel_padding(convolution: nn.Conv3d) -> _ChannelPaddedConv3d:
    """The same convolution (parameters copied, no new random draws) as a :class:`_ChannelPaddedConv3d`."""
    padded = skip_init(
        _ChannelPaddedConv3d,
        convolution.in_channels,
        convolution.out_channels,
        convolution.kernel_size,
        stride=convolution.stride,
        padding=convolution.padding,
        bias=convolution.bias is not None,
    )
    padded.load_state_dict(convolution.state_dict())
    return padded


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
        stages[0].conv1.conv = _with_channel_padding(stages[0].conv1.conv)
        self.stages = nn.ModuleList(stages)

    def forward(self, image: torch.Tensor) -> list[torch.Tensor]:
        """Encode ``(B, C, X, Y, Z)`` images into features ``[(B, channels[n], X/2**n, Y/2**n, Z/2**n)]``."""
        features = []
        x = image
        for stage in self.stages:
            x = stage(x)
            features.append(x)
        return features
