"""Checkpoints: a folder holding ``config.json`` (identity, model configuration, metadata) and
``model.safetensors`` (the weights). Never pickle: loading a checkpoint cannot run code.

The frozen text encoder is not stored: it comes from its own package and the configuration names it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from ..errors import CheckpointError
from ..modeling import ModelConfig, ReinforcedVLNet, build_network
from .registry import CONFIG_FILE, WEIGHTS_FILE

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
    """

    folder: Path
    identity: ModelIdentity
    config: ModelConfig
    metadata: dict[str, Any] = field(default_factory=dict)

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
    folder.mkdir(parents=True, exist_ok=True)
    weights = {name: tensor.detach().cpu().contiguous() for name, tensor in network.state_dict().items()}
    save_file(weights, str(folder / WEIGHTS_FILE), metadata={"format": _FORMAT})
    document = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "model": identity.to_dict(),
        "config": config.to_dict(),
        "metadata": metadata or {},
    }
    (folder / CONFIG_FILE).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return Checkpoint(folder, identity, config, metadata or {})


def read_checkpoint(folder: str | Path) -> Checkpoint:
    """Read a checkpoint's ``config.json`` (the weights load later, with :func:`load_network`).

    Raises:
        CheckpointError: the folder lacks a file, or the configuration is unreadable or from a newer version.
    """
    folder = Path(folder)
    config_path = folder / CONFIG_FILE
    for required in (config_path, folder / WEIGHTS_FILE):
        if not required.is_file():
            raise CheckpointError(
                f"{folder} is not a complete ReinforcedVL checkpoint: {required.name} is missing. A checkpoint "
                f"folder holds {CONFIG_FILE} and {WEIGHTS_FILE}; download or copy it again."
            )
    try:
        document = json.loads(config_path.read_text(encoding="utf-8"))
        if document.get("format") != _FORMAT:
            raise ValueError(f"format is {document.get('format')!r}, not {_FORMAT!r}")
        if int(document["format_version"]) > _FORMAT_VERSION:
            raise ValueError(f"format version {document['format_version']} is newer than this ReinforcedVL reads")
        identity = ModelIdentity(str(document["model"]["id"]), str(document["model"]["version"]))
        config = ModelConfig.from_dict(document["config"])
    except (ValueError, KeyError, TypeError) as error:
        raise CheckpointError(
            f"{config_path} is not a valid ReinforcedVL checkpoint configuration ({error}). Update ReinforcedVL "
            "or download the checkpoint again."
        ) from None
    return Checkpoint(folder, identity, config, dict(document.get("metadata", {})))


def load_network(checkpoint: Checkpoint, device: torch.device | str = "cpu") -> ReinforcedVLNet:
    """Build the network of ``checkpoint`` and load its weights onto ``device`` (in evaluation mode)."""
    network = build_network(checkpoint.config)
    try:
        weights = load_file(str(checkpoint.weights_path), device=str(device))
    except (SafetensorError, OSError) as error:
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
