"""Where models live and how an id or a path becomes a checkpoint.

Models are looked up in the user's model folder first (downloads and imports, ``~/.reinforcedvl/models`` or
``$REINFORCEDVL_HOME/models``), then among the checkpoints shipped inside the package. Each model is a folder named
after its id holding a checkpoint (see :mod:`reinforcedvl.checkpoint`).

The folder functions import nothing heavy, so Slicer's process (which never imports torch) can use them; the
functions that read checkpoints import :mod:`reinforcedvl.checkpoint` (and with it torch) when called.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ModelNotFoundError

if TYPE_CHECKING:
    from .checkpoint import Checkpoint

__all__ = [
    "DEFAULT_MODEL_ID",
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
    return Path(__file__).resolve().parent / "weights"


def installed_models() -> dict[str, Checkpoint]:
    """Every installed model by id; a user's copy shadows a bundled one of the same id."""
    from .checkpoint import CONFIG_FILE, read_checkpoint

    models: dict[str, Checkpoint] = {}
    for folder in (bundled_models_folder(), user_models_folder()):
        if not folder.is_dir():
            continue
        for candidate in sorted(folder.iterdir()):
            if (candidate / CONFIG_FILE).is_file():
                checkpoint = read_checkpoint(candidate)
                models[checkpoint.identity.model_id] = checkpoint
    return models


def resolve_checkpoint(model: str | Path = DEFAULT_MODEL_ID) -> Checkpoint:
    """The checkpoint that ``model`` names: a checkpoint folder's path, or the id of an installed model.

    Raises:
        ModelNotFoundError: neither an existing path nor an installed id; the message lists the installed ids.
        CheckpointError: the checkpoint exists but is incomplete or unreadable.
    """
    from .checkpoint import CONFIG_FILE, read_checkpoint

    path = Path(model).expanduser()
    if path.exists():
        return read_checkpoint(path.parent if path.is_file() else path)
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
