"""Per-window image features kept between prompts, so a second question about one volume skips the encoder.

Sliding-window inference visits the same windows for every prompt; what the network computes from a window alone
(``ReinforcedVLNet.encode_image``: the encoder's features, with the decoder's skip shares worked out) does not
depend on the prompt. The cache holds it (in half precision) up to a memory budget; windows past the budget are
simply encoded again. The predictor also keeps each window's grounded prompt here (in full precision) between its
two passes over one prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

__all__ = ["WindowKey", "WindowFeatureCache", "window_key"]

WindowKey = tuple[tuple[int, int], ...]


def window_key(window: Sequence[slice]) -> WindowKey:
    """Hashable identity of a window from its spatial slices (start, stop per axis)."""
    return tuple((int(s.start or 0), int(s.stop)) for s in window)


class WindowFeatureCache:
    """Tensors by window, within ``budget_bytes`` (0 disables caching), stored as ``dtype`` (half precision unless
    asked otherwise)."""

    def __init__(self, budget_bytes: int, dtype: torch.dtype = torch.float16) -> None:
        self.budget_bytes = budget_bytes
        self.dtype = dtype
        self._features: dict[WindowKey, list[torch.Tensor]] = {}
        self._used_bytes = 0

    def __len__(self) -> int:
        return len(self._features)

    def clear(self) -> None:
        self._features.clear()
        self._used_bytes = 0

    def features(
        self,
        windows: torch.Tensor,
        keys: list[WindowKey],
        encode: Callable[[torch.Tensor], list[torch.Tensor]],
    ) -> list[torch.Tensor]:
        """Features of a batch of windows ``(B, C, X, Y, Z)``, one ``(B, channels, ...)`` tensor per level:
        from the cache when every window is there, else encoded (and kept while the budget allows)."""
        cached = self.lookup(keys)
        if cached is not None:
            return [level.to(windows.dtype) for level in cached]
        encoded = encode(windows)
        self.keep(keys, encoded)
        return encoded

    def lookup(self, keys: list[WindowKey]) -> list[torch.Tensor] | None:
        """The kept tensors of a batch of windows (rows in the order of ``keys``), or None unless all are kept."""
        if not all(key in self._features for key in keys):
            return None
        kept = [self._features[key] for key in keys]
        return [torch.cat([item[level] for item in kept]) for level in range(len(kept[0]))]

    def keep(self, keys: list[WindowKey], batch: list[torch.Tensor]) -> None:
        """Keep row ``n`` of every tensor in ``batch`` under ``keys[n]``, while the budget allows."""
        for row, key in enumerate(keys):
            self._store(key, [level[row : row + 1] for level in batch])

    def _store(self, key: WindowKey, levels: list[torch.Tensor]) -> None:
        size = sum(level.numel() * self.dtype.itemsize for level in levels)
        if key in self._features or self._used_bytes + size > self.budget_bytes:
            return
        self._features[key] = [level.detach().to(self.dtype) for level in levels]
        self._used_bytes += size
