"""Write the sentence embeddings of the phrasings the finding matcher knows for a checkpoint's scope
(``reinforcedvl/resources/known_phrasing_embeddings.npz``), so that no process embeds them again at start.

Usage: python scripts/build_phrasing_embeddings.py [--model reinforcedvl-starter]

Run it after editing a phrasing resource (``finding_phrasings.json``, ``finding_synonyms.json``,
``finding_descriptors.json``, ``untrained_findings.json``, the pick-list): the matcher embeds what the table lacks at
each start (slower, the same readings), and the tests say when the table is stale.
"""

from __future__ import annotations

import argparse

from reinforcedvl.model_store.registry import resolve_checkpoint
from reinforcedvl.modeling.text_encoder import TextEncoder
from reinforcedvl.scope import CheckpointScope
from reinforcedvl.scope.finding_matcher import known_phrasings
from reinforcedvl.scope.phrasing_embeddings import EMBEDDINGS_FILE, write_embeddings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="reinforcedvl-starter")
    args = parser.parse_args()
    checkpoint = resolve_checkpoint(args.model)
    encoder = TextEncoder.from_bundled_weights(max_tokens=checkpoint.config.max_prompt_tokens)
    texts = [text for text, _ in known_phrasings(CheckpointScope.from_metadata(checkpoint.metadata))]
    write_embeddings(encoder, texts)
    print(f"{len(texts)} phrasings -> {EMBEDDINGS_FILE}")


if __name__ == "__main__":
    main()
