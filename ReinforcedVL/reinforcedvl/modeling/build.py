"""Building the network from a :class:`ModelConfig`: the one place that knows how the parts fit."""

from __future__ import annotations

from .config import ModelConfig
from .decoder import TextConditionedDecoder
from .existence_head import ExistenceHead
from .reinforced_vl import ReinforcedVLNet, TextProjection
from .vision_encoder import VisionEncoder

__all__ = ["build_network"]


def build_network(config: ModelConfig) -> ReinforcedVLNet:
    """A freshly initialised network with the sizes of ``config``."""
    return ReinforcedVLNet(
        vision_encoder=VisionEncoder(in_channels=config.in_channels, channels=config.encoder_channels),
        text_projection=TextProjection(text_dim=config.text_dim, embed_dim=config.embed_dim),
        decoder=TextConditionedDecoder(
            encoder_channels=config.encoder_channels,
            correlation_levels=config.correlation_levels,
            embed_dim=config.embed_dim,
            num_heads=config.attention_heads,
            correlation_steps=config.correlation_steps,
            voxel_embed_dim=config.voxel_embed_dim,
        ),
        existence_head=ExistenceHead(embed_dim=config.embed_dim),
    )
