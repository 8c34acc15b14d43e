"""A decoder up block whose prompt-independent half is computed once per window.

MONAI's ``UnetUpBlock`` upsamples the deeper features, concatenates the encoder's skip features and convolves. A
convolution of a concatenation is the sum of a convolution over each part, and the skip features come straight
from the image encoder: their share of that first convolution is the same for every prompt. Computing it with the
image features (:meth:`SplitUpBlock.skip_share`) leaves each prompt only the upsampled half (:meth:`climb`).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from monai.networks.blocks import UnetUpBlock

__all__ = ["SplitUpBlock"]


class SplitUpBlock(UnetUpBlock):
    """``UnetUpBlock`` with its first convolution split into the skip's share and the upsampled features' share.

    Same parameters (and parameter names) as ``UnetUpBlock``, so checkpoints load unchanged, and
    ``climb(deeper, skip_share(skip)) == forward(deeper, skip)`` up to rounding.
    """

    def skip_share(self, skip: torch.Tensor) -> torch.Tensor:
        """The skip features' share of the first convolution (with its bias, if any): ``(B, out_channels, ...)``."""
        convolution = self.conv_block.conv1.conv
        weight = convolution.weight[:, -skip.shape[1] :]
        return F.conv3d(skip, weight, convolution.bias, stride=convolution.stride, padding=convolution.padding)

    def climb(self, deeper: torch.Tensor, skip_share: torch.Tensor) -> torch.Tensor:
        """Upsample ``deeper``, add the skip's share and finish the block (norm, activation, second convolution)."""
        upsampled = self.transp_conv(deeper)
        convolution = self.conv_block.conv1.conv
        weight = convolution.weight[:, : upsampled.shape[1]]
        out = F.conv3d(upsampled, weight, stride=convolution.stride, padding=convolution.padding) + skip_share
        block = self.conv_block
        out = block.lrelu(block.norm1(out))
        return block.lrelu(block.norm2(block.conv2(out)))
