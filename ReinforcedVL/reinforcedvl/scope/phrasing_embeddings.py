"""The sentence embeddings of the phrasings the finding matcher knows, shipped with the package
(``resources/known_phrasing_embeddings.npz``) so that a process does not embed them all again at start.

A table is used only where the text encoder at hand gives its vectors back: its first and longest phrasings are
embedded and compared. Phrasings the table lacks (a fine-tuned checkpoint's findings, a resource edited since the
table was written) are embedded then. ``python scripts/build_phrasing_embeddings.py`` writes the table again.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import torch

from ..modeling.text_encoder import TextEncoder

__all__ = ["EMBEDDINGS_FILE", "embeddings_of", "write_embeddings"]

EMBEDDINGS_FILE = Path(__file__).resolve().parents[1] / "resources" / "known_phrasing_embeddings.npz"
SAME_VECTOR = 1e-4
"""The largest difference of one coordinate between a table's vector and the encoder's for the table to be used (an
encoder's own vectors differ by about 1e-7 between batches; another encoder's by 1e-2 or more)."""


def embeddings_of(text_encoder: TextEncoder, texts: list[str], table: Path = EMBEDDINGS_FILE) -> torch.Tensor:
    """Unit-length sentence embeddings ``(N, text_dim)`` of ``texts``, from ``table`` where it holds them and the
    encoder gives its vectors back, else from the encoder."""
    known = _read(table) if table.is_file() else {}
    if not known or not _same_encoder(text_encoder, known):
        return text_encoder.sentence_embeddings(texts)
    missing = [text for text in dict.fromkeys(texts) if text not in known]
    computed = dict(zip(missing, text_encoder.sentence_embeddings(missing), strict=True)) if missing else {}
    return torch.stack([known[text] if text in known else computed[text] for text in texts])


def write_embeddings(text_encoder: TextEncoder, texts: list[str], table: Path = EMBEDDINGS_FILE) -> None:
    """Embed ``texts`` together (as the matcher does when it has no table) and write them to ``table``."""
    vectors = text_encoder.sentence_embeddings(texts).numpy().astype(np.float32)
    table.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(table, texts=np.array(texts, dtype=np.str_), vectors=vectors)
    _read.cache_clear()


@cache
def _read(table: Path) -> dict[str, torch.Tensor]:
    with np.load(table, allow_pickle=False) as document:
        texts, vectors = document["texts"].tolist(), torch.from_numpy(document["vectors"].copy())
    return dict(zip(texts, vectors, strict=True))


def _same_encoder(text_encoder: TextEncoder, known: dict[str, torch.Tensor]) -> bool:
    """Whether the encoder embeds the table's first and longest phrasings as the table holds them."""
    texts = list(known)
    probes = list(dict.fromkeys([texts[0], max(texts, key=len)]))
    vectors = text_encoder.sentence_embeddings(probes)
    expected = torch.stack([known[text] for text in probes])
    return vectors.shape == expected.shape and float((vectors - expected).abs().max()) <= SAME_VECTOR
