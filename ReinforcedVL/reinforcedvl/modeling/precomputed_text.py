"""Prompt token states computed once and stored: training needs no text encoder where a table covers its prompts.

The table is a safetensors file: the token states of every prompt concatenated (float16, ``(total_tokens,
text_dim)``), their token counts, and the prompts themselves in the file's metadata. Because the text encoder is
frozen, training from the table is the same as training with the encoder; it also lets a training run go to a
machine that cannot hold the encoder's weights.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from .text_encoder import PromptTokens, TextEncoder

__all__ = ["PrecomputedTextEncoder", "save_prompt_table"]


def save_prompt_table(encoder: TextEncoder, prompts: Iterable[str], path: str | Path) -> Path:
    """Encode every distinct prompt with ``encoder`` and store the token states at ``path``."""
    unique = sorted(set(prompts))
    states = [encoder.encode(prompt).states for prompt in unique]
    tensors = {
        "states": torch.cat(states).to(torch.float16),
        "counts": torch.tensor([s.shape[0] for s in states], dtype=torch.int64),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata={"prompts": json.dumps(unique), "max_tokens": str(encoder.max_tokens)})
    return path


class PrecomputedTextEncoder:
    """Serves :class:`PromptTokens` from a table made by :func:`save_prompt_table` (same interface as
    :class:`TextEncoder` for the prompts it holds)."""

    def __init__(self, path: str | Path) -> None:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata()
        tensors = load_file(str(path))
        prompts = json.loads(metadata["prompts"])
        self.max_tokens = int(metadata["max_tokens"])
        chunks = torch.split(tensors["states"].float(), tensors["counts"].tolist())
        self._tokens = {prompt: PromptTokens(prompt, chunk) for prompt, chunk in zip(prompts, chunks, strict=True)}

    @property
    def prompts(self) -> set[str]:
        """Every prompt the table holds."""
        return set(self._tokens)

    def __contains__(self, prompt: str) -> bool:
        return prompt in self._tokens

    def encode(self, prompt: str) -> PromptTokens:
        try:
            return self._tokens[prompt]
        except KeyError:
            raise KeyError(
                f"{prompt!r} is not in the precomputed prompt table; rebuild it from this manifest"
            ) from None
