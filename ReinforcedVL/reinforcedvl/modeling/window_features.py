"""Per-window image features kept between prompts, so a second question about one volume skips the encoder.

Sliding-window inference visits the same windows for every prompt; what the network computes from a window alone
(``ReinforcedVLNet.encode_image``: the encoder's features, with the decoder's skip shares worked out) does not
depend on the prompt. The cache holds it (in half precision) up to a memory budget; windows past the budget are
simply encoded again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

__all__ = ["WindowKey", "WindowFeatureCache", "window_key"]

WindowKey = tuple[tuple[int, int], ...]
_STORED_DTYPE = torch.float16


def window_key(window: Sequence[slice]) -> WindowKey:
    """Hashable identity of a window from its spatial slices (start, stop per axis)."""
    return tuple((int(s.start or 0), int(s.stop)) for s in window)


class WindowFeatureCache:
    """Prompt-independent image features by window, within ``budget_bytes`` (0 disables caching)."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._features: dict[WindowKey, list[torch.Tensor]] = {}
        self._used_bytes = 0

    def __len__(self) -> int:
        return len(self._features)

    def clear(self) -> None:
        self._features.clear()
        self._used_bytes = 0

    def holds(self, windows: int, values_per_window: int) -> bool:
        """Whether the budget holds ``windows`` windows of ``values_per_window`` feature values each."""
        return windows * values_per_window * _STORED_DTYPE.itemsize <= self.budget_bytes

    def features(
        self,
        windows: torch.Tensor,
        keys: list[WindowKey],
        encode: Callable[[torch.Tensor], list[torch.Tensor]],
    ) -> list[torch.Tensor]:
        """Features of a batch of windows ``(B, C, X, Y, Z)``, one ``(B, channels, ...)`` tensor per level:
        from the cache when every window is there, else encoded (and kept while the budget allows)."""
        if all(key in self._features for key in keys):
            cached = [self._features[key] for key in keys]
            levels = range(len(cached[0]))  # cast before joining: CPU autocast cannot join half-precision tensors
            return [torch.cat([item[level].to(windows.dtype) for item in cached]) for level in levels]
        encoded = encode(windows)
        for row, key in enumerate(keys):
            self._store(key, [level[row : row + 1] for level in encoded])
        return encoded

    def _store(self, key: WindowKey, levels: list[torch.Tensor]) -> None:
        size = sum(level.numel() * _STORED_DTYPE.itemsize for level in levels)
        if key in self._features or self._used_bytes + size > self.budget_bytes:
            return
        self._features[key] = [level.detach().to(_STORED_DTYPE) for level in levels]
        self._used_bytes += size
