"""The starter's finding matcher, with the real text encoder, for the scope tests."""

from __future__ import annotations

import pytest

from reinforcedvl.model_store.registry import DEFAULT_MODEL_ID, installed_models
from reinforcedvl.scope import CheckpointScope, FindingMatcher


@pytest.fixture(scope="session")
def matcher(text_encoder) -> FindingMatcher:
    return FindingMatcher(text_encoder, CheckpointScope.from_metadata(installed_models()[DEFAULT_MODEL_ID].metadata))
