"""Shared fixtures: the real shared data (skip, or fail in CI), synthetic volumes with known geometry, and a
small checkpoint for tests of the inference mechanics (not of model quality)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

from geometry_helpers import affine_from, ellipsoid_mask
from reinforcedvl.model_store.checkpoint import ModelIdentity, read_checkpoint, save_checkpoint
from reinforcedvl.modeling import ModelConfig, TextEncoder, build_network
from reinforcedvl.volume import LabelMap, ScalarVolume

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("REINFORCEDVL_SHARED_DATA", REPOSITORY.parent / "shared" / "data")).resolve()
SAMPLES = REPOSITORY / "Resources" / "Samples"


def require_shared_data() -> Path:
    """The shared data folder; a skip on a user's machine, a failure when CI requires it."""
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    message = f"the shared data folder {SHARED_DATA} is missing"
    if os.environ.get("REINFORCEDVL_REQUIRE_SHARED_DATA") == "1":
        pytest.fail(message + " and REINFORCEDVL_REQUIRE_SHARED_DATA=1 requires it")
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_shared_data()


@pytest.fixture
def ct_with_sphere() -> tuple[ScalarVolume, LabelMap]:
    """A synthetic CT (air -1000 HU, soft tissue 40 HU ball of radius 6 mm) on an anisotropic LPS-like grid."""
    affine = affine_from((0.8, 0.8, 2.0), origin=(40.0, 30.0, -20.0), direction=np.diag([-1.0, -1.0, 1.0]))
    shape = (48, 40, 14)
    centre = LabelMap(np.zeros((1, *shape), np.uint8), affine).voxel_to_ras([[24, 20, 7]])[0]
    mask = ellipsoid_mask(shape, affine, centre, (6.0, 6.0, 6.0))
    rng = np.random.default_rng(0)
    image = np.where(mask, 40.0, -850.0) + rng.normal(0, 20, shape)
    image[:4] = -1000.0
    return ScalarVolume(image[None].astype(np.float32), affine, name="synthetic-ct"), LabelMap(
        mask[None].astype(np.uint8), affine, name="synthetic-mask"
    )


@pytest.fixture(scope="session")
def text_encoder() -> TextEncoder:
    return TextEncoder.from_bundled_weights(max_tokens=48)


@pytest.fixture(scope="session")
def untrained_checkpoint(tmp_path_factory) -> Path:
    """An untrained network saved as a checkpoint: exercises loading and inference, says nothing of quality."""
    folder = tmp_path_factory.mktemp("untrained-checkpoint")
    config = ModelConfig(window_size=(48, 48, 48), min_window_size=(16, 16, 16))
    save_checkpoint(folder, _seeded_network(config), config, ModelIdentity("untrained-test-model", "0.0.0"))
    return folder


def _seeded_network(config: ModelConfig) -> torch.nn.Module:
    """A network drawn from a fixed seed, so that every session's untrained test network answers alike (the global
    random state is left as it was)."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return build_network(config)


@pytest.fixture(scope="session")
def always_present(untrained_checkpoint, tmp_path_factory) -> Path:
    """The untrained test network calling every finding present (so lesions are drawn), on a 3 mm grid (the DICOM
    tests' 3-slice CT series); model id ``dicom-test-model``, version 2.3.4."""
    folder = tmp_path_factory.mktemp("always-present")
    config = read_checkpoint(untrained_checkpoint).config.replace(existence_threshold=0.0, spacing_mm=(3.0, 3.0, 3.0))
    save_checkpoint(folder, _seeded_network(config), config, ModelIdentity("dicom-test-model", "2.3.4"))
    return folder
