"""Where models live and how an id or a path becomes a checkpoint.

Models are looked up in the user's model folder first (downloads and imports, ``~/.reinforcedvl/models`` or
``$REINFORCEDVL_HOME/models``), then among the checkpoints shipped inside the package. Each model is a folder named
after its id holding a checkpoint (see :mod:`reinforcedvl.model_store.checkpoint`).

The folder functions import nothing heavy, so Slicer's process (which never imports torch) can use them; the
functions that read checkpoints import :mod:`reinforcedvl.model_store.checkpoint` (and with it torch) when called.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CheckpointError, ModelNotFoundError
from .checkpoint_files import (
    CONFIG_FILE,
    WEIGHTS_FILE,
    check_integrity,
    is_model_id,
    require_checkpoint_files,
    validate_model_id,
)

if TYPE_CHECKING:
    from .checkpoint import Checkpoint

__all__ = [
    "DEFAULT_MODEL_ID",
    "CONFIG_FILE",
    "WEIGHTS_FILE",
    "InstalledModel",
    "installed_model_list",
    "checkpoint_identity",
    "user_home",
    "user_models_folder",
    "bundled_models_folder",
    "installed_models",
    "resolve_checkpoint",
]

DEFAULT_MODEL_ID = "reinforcedvl-starter"


def user_home() -> Path:
    """ReinforcedVL's folder in the user's home (``$REINFORCEDVL_HOME`` overrides it)."""
    return Path(os.environ.get("REINFORCEDVL_HOME", Path.home() / ".reinforcedvl"))


def user_models_folder() -> Path:
    return user_home() / "models"


def bundled_models_folder() -> Path:
    return Path(__file__).resolve().parent.parent / "weights"


@dataclass(frozen=True)
class InstalledModel:
    """A model folder found on disk (identity read from its ``config.json``; the weights are not opened).

    Attributes:
        model_id: id from the checkpoint's configuration.
        version: release from the checkpoint's configuration.
        folder: the checkpoint folder.
        bundled: shipped inside the package (cannot be deleted) rather than downloaded or imported.
    """

    model_id: str
    version: str
    folder: Path
    bundled: bool


def installed_model_list(models_folder: Path | None = None) -> list[InstalledModel]:
    """Bundled and user models, sorted by id; a user's copy shadows a bundled one of the same id.

    The one scan of the model folders: folders whose name starts with ``.`` (downloads in progress) and folders
    that are not readable checkpoints are left out.
    """
    found: dict[str, InstalledModel] = {}
    for folder, bundled in ((bundled_models_folder(), True), (models_folder or user_models_folder(), False)):
        if not folder.is_dir():
            continue
        for candidate in sorted(folder.iterdir()):
            if candidate.name.startswith(".") or not (candidate / CONFIG_FILE).is_file():
                continue
            try:
                model_id, version = checkpoint_identity(candidate, weights=False)
            except CheckpointError:
                continue
            found[model_id] = InstalledModel(model_id, version, candidate, bundled)
    return [found[model_id] for model_id in sorted(found)]


def checkpoint_identity(folder: Path, *, weights: bool = True) -> tuple[str, str]:
    """Model id and version from a checkpoint folder's configuration, after checking (without torch) that both files
    are there, the weights file starts with a readable safetensors header, the id is a safe folder name and the
    configuration (and, if ``weights``, the weights file) match the checkpoint's integrity record.

    Raises:
        CheckpointError: a file is missing, unreadable or damaged, or the id is unsafe; the message says what to do.
    """
    config_path, weights_path = require_checkpoint_files(folder)
    try:
        document = json.loads(config_path.read_text(encoding="utf-8"))
        model = document["model"]
        identity = (str(model["id"]), str(model["version"]))
        with weights_path.open("rb") as stream:
            header_bytes = int.from_bytes(stream.read(8), "little")
            if not 0 < header_bytes <= weights_path.stat().st_size - 8:
                raise ValueError("the weights file has no safetensors header")
            json.loads(stream.read(header_bytes))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckpointError(
            f"{folder} is not a readable ReinforcedVL checkpoint ({error}). Export or download it again."
        ) from None
    validate_model_id(identity[0], str(config_path))
    check_integrity(folder, document, weights=weights)
    return identity


def installed_models() -> dict[str, Checkpoint]:
    """Every installed model (:func:`installed_model_list`, which leaves damaged ones out) by id, its checkpoint
    read."""
    from .checkpoint import read_checkpoint

    return {model.model_id: read_checkpoint(model.folder) for model in installed_model_list()}


def resolve_checkpoint(model: str | Path = DEFAULT_MODEL_ID) -> Checkpoint:
    """The checkpoint that ``model`` names: a checkpoint folder's path, or the id of an installed model.

    Raises:
        ModelNotFoundError: neither an existing path nor an installed id; the message lists the installed ids.
        CheckpointError: the checkpoint exists but is incomplete or unreadable.
    """
    from .checkpoint import read_checkpoint

    path = Path(model).expanduser()
    if path.exists():
        return read_checkpoint(path.parent if path.is_file() else path)
    if is_model_id(str(model)):
        for folder in (user_models_folder(), bundled_models_folder()):
            if (folder / str(model) / CONFIG_FILE).is_file():
                return read_checkpoint(folder / str(model))  # an installed model is named after its id: its own error
    models = installed_models()
    if str(model) in models:
        return models[str(model)]
    installed = ", ".join(sorted(models)) or "none"
    if str(model) == DEFAULT_MODEL_ID:
        raise ModelNotFoundError(
            f"The starter model {DEFAULT_MODEL_ID!r} is not installed (installed models: {installed}). It ships "
            "with ReinforcedVL once trained; until then pass --model PATH to a checkpoint folder made by "
            "'reinforcedvl train'."
        )
    raise ModelNotFoundError(
        f"No model {str(model)!r}: it is neither a checkpoint folder nor an installed model id (installed: "
        f"{installed}). Pass an installed id, or the path of a checkpoint folder (holding {CONFIG_FILE})."
    )
