"""Fixtures for the feedback tests."""

from __future__ import annotations

import pytest

from feedback_helpers import lidc_case
from reinforcedvl.volume import LabelMap, ScalarVolume


@pytest.fixture(scope="module")
def nodule(shared_data) -> tuple[ScalarVolume, LabelMap]:
    """LIDC-IDRI-0003 nodule 4: the chest CT crop and its reference mask."""
    return lidc_case(shared_data, "LIDC-IDRI-0003_R_4")
