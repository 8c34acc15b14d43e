"""The shipped embeddings of the known phrasings: current for the starter's scope, equal to the encoder's own, and
never used for an encoder that does not give them back."""

from __future__ import annotations

import numpy as np
import torch

from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID, installed_models
from reinforcedvl.scope import CheckpointScope
from reinforcedvl.scope.finding_matcher import known_phrasings
from reinforcedvl.scope.phrasing_embeddings import EMBEDDINGS_FILE, embeddings_of, write_embeddings


def _starter_texts() -> list[str]:
    scope = CheckpointScope.from_metadata(installed_models()[DEFAULT_MODEL_ID].metadata)
    return [text for text, _ in known_phrasings(scope)]


def test_the_shipped_table_holds_every_phrasing_the_starter_knows_as_the_encoder_embeds_them(text_encoder):
    texts = _starter_texts()
    with np.load(EMBEDDINGS_FILE) as table:
        shipped = set(table["texts"].tolist())
    stale = [text for text in texts if text not in shipped]
    rebuild = "run python scripts/build_phrasing_embeddings.py"
    assert not stale, f"{len(stale)} phrasings missing, e.g. {stale[:3]}: {rebuild}"
    assert torch.allclose(embeddings_of(text_encoder, texts), text_encoder.sentence_embeddings(texts), atol=1e-6)


def test_a_table_of_another_encoder_is_not_used_and_missing_phrasings_are_embedded(text_encoder, tmp_path):
    texts = ["peritumoral edema", "enhancing tumor", "nodule in the lung", "necrotic center of the glioma"]
    own = text_encoder.sentence_embeddings(texts)
    other = tmp_path / "other.npz"
    np.savez(other, texts=np.array(texts), vectors=torch.roll(own, 1, dims=1).numpy())
    assert torch.allclose(embeddings_of(text_encoder, texts, other), own, atol=1e-6)
    partial = tmp_path / "partial.npz"
    write_embeddings(text_encoder, texts[:2], partial)
    assert torch.allclose(embeddings_of(text_encoder, texts, partial), own, atol=1e-6)
