"""Checkpoints: a folder holding ``config.json`` (identity, model configuration, metadata) and
``model.safetensors`` (the weights). Never pickle: loading a checkpoint cannot run code. Every read checks the
configuration, and every load the weights, against the integrity record written with them
(:mod:`reinforcedvl.model_store.checkpoint_files`).

The frozen text encoder is not stored: it comes from its own package and the configuration names it.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save_file

from ..errors import CheckpointError
from ..modeling import ModelConfig, ReinforcedVLNet, build_network
from .checkpoint_files import (
    CONFIG_FILE,
    INTEGRITY_KEY,
    WEIGHTS_FILE,
    check_integrity,
    integrity_record,
    require_checkpoint_files,
    validate_model_id,
)

__all__ = [
    "ModelIdentity",
    "Checkpoint",
    "save_checkpoint",
    "read_checkpoint",
    "load_network",
    "CONFIG_FILE",
    "WEIGHTS_FILE",
]

_FORMAT = "reinforcedvl-checkpoint"
_FORMAT_VERSION = 1


@dataclass(frozen=True)
class ModelIdentity:
    """Which model this is: ``model_id`` names the line of models, ``version`` the release."""

    model_id: str
    version: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.model_id, "version": self.version}


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint on disk, its configuration read, its weights not yet loaded.

    Attributes:
        folder: the checkpoint folder.
        identity: model id and version.
        config: sizes and settings to rebuild the network.
        metadata: free-form facts stored with it (training data, command, findings it was trained on).
        weights_sha256: the SHA-256 its weights file must have (from the integrity record).
    """

    folder: Path
    identity: ModelIdentity
    config: ModelConfig
    metadata: dict[str, Any] = field(default_factory=dict)
    weights_sha256: str = ""

    @property
    def weights_path(self) -> Path:
        return self.folder / WEIGHTS_FILE


def save_checkpoint(
    folder: str | Path,
    network: ReinforcedVLNet,
    config: ModelConfig,
    identity: ModelIdentity,
    metadata: dict[str, Any] | None = None,
) -> Checkpoint:
    """Write ``network``'s weights and its configuration to ``folder`` (created if needed)."""
    folder = Path(folder)
    validate_model_id(identity.model_id)
    folder.mkdir(parents=True, exist_ok=True)
    weights = {name: tensor.detach().cpu().contiguous() for name, tensor in network.state_dict().items()}
    save_file(weights, str(folder / WEIGHTS_FILE), metadata={"format": _FORMAT})
    document = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "model": identity.to_dict(),
        "config": config.to_dict(),
        "metadata": _json_numbers(metadata or {}),
    }
    document[INTEGRITY_KEY] = integrity_record(document, folder / WEIGHTS_FILE)
    (folder / CONFIG_FILE).write_text(json.dumps(document, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return Checkpoint(folder, identity, config, document["metadata"], document[INTEGRITY_KEY]["weights_sha256"])


def _json_numbers(value: Any) -> Any:
    """``value`` with every NaN or infinite float (a metric that could not be measured) as None, which JSON has."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _json_numbers(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_numbers(item) for item in value]
    return value


def read_checkpoint(folder: str | Path) -> Checkpoint:
    """Read a checkpoint's ``config.json`` and check it against its integrity record (the weights load and are
    checked later, with :func:`load_network`).

    Raises:
        CheckpointError: the folder lacks a file, the configuration is unreadable, from a newer version, changed
            since it was written or names an unsafe model id.
    """
    folder = Path(folder)
    config_path, _ = require_checkpoint_files(folder)
    try:
        document = json.loads(config_path.read_text(encoding="utf-8"))
        if document.get("format") != _FORMAT:
            raise ValueError(f"format is {document.get('format')!r}, not {_FORMAT!r}")
        if int(document["format_version"]) > _FORMAT_VERSION:
            raise ValueError(f"format version {document['format_version']} is newer than this ReinforcedVL reads")
        identity = ModelIdentity(str(document["model"]["id"]), str(document["model"]["version"]))
        config = ModelConfig.from_dict(document["config"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CheckpointError(
            f"{config_path} is not a valid ReinforcedVL checkpoint configuration ({error}). Update ReinforcedVL "
            "or download the checkpoint again."
        ) from None
    validate_model_id(identity.model_id, str(config_path))
    weights_sha256 = check_integrity(folder, document, weights=False)
    return Checkpoint(folder, identity, config, dict(document.get("metadata", {})), weights_sha256)


def load_network(checkpoint: Checkpoint, device: torch.device | str = "cpu") -> ReinforcedVLNet:
    """Build the network of ``checkpoint`` and load its weights onto ``device`` (in evaluation mode), after checking
    the weights file's bytes against the checkpoint's SHA-256.

    Raises:
        CheckpointError: the weights file is unreadable, damaged (wrong SHA-256) or does not fit the configuration.
    """
    network = build_network(checkpoint.config)
    try:
        data = checkpoint.weights_path.read_bytes()
    except OSError as error:
        raise CheckpointError(
            f"{checkpoint.weights_path} could not be read ({error}). Download or copy the checkpoint again."
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != checkpoint.weights_sha256:
        raise CheckpointError(
            f"{checkpoint.weights_path} is damaged: its SHA-256 is {digest}, the checkpoint's record says "
            f"{checkpoint.weights_sha256 or 'nothing'}. Download or copy the checkpoint again."
        )
    try:
        weights = load(data)
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(
            f"{checkpoint.weights_path} could not be read ({error}); the file is damaged or incomplete. "
            "Download or copy the checkpoint again."
        ) from None
    try:
        network.load_state_dict(weights, strict=True)
    except RuntimeError as error:
        first_problem = str(error).splitlines()[1].strip() if len(str(error).splitlines()) > 1 else str(error)
        raise CheckpointError(
            f"{checkpoint.weights_path} does not match its configuration ({first_problem}). The weights and "
            f"{CONFIG_FILE} come from different models or versions; download or copy the checkpoint again."
        ) from None
    return network.to(device).eval()
