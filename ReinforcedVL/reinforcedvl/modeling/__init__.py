"""The network: vision encoder, text encoder, self-reinforcing correlation, decoder and existence head."""

from .build import build_network
from .config import ModelConfig
from .reinforced_vl import GroundedPrompt, NetworkOutput, ReinforcedVLNet
from .text_encoder import PromptTokens, TextEncoder, batch_prompt_tokens

__all__ = [
    "ModelConfig",
    "build_network",
    "ReinforcedVLNet",
    "GroundedPrompt",
    "NetworkOutput",
    "TextEncoder",
    "PromptTokens",
    "batch_prompt_tokens",
]
