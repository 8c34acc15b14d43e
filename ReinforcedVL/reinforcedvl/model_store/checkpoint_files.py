"""A checkpoint folder's files, its model id as a safe folder name, and its integrity record; no torch.

A checkpoint folder holds ``config.json`` and ``model.safetensors``. ``config.json`` keeps an integrity record:
the SHA-256 and size of the weights file, and the SHA-256 of the rest of the configuration document. Every load
checks both, so a flipped byte in either file stops the load with a message instead of changing an answer.

Both the worker (which loads weights with torch) and Slicer's own process (which lists and installs models, and
never imports torch) use this module.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from ..errors import CheckpointError
from ..io.file_hash import file_sha256

__all__ = [
    "CONFIG_FILE",
    "WEIGHTS_FILE",
    "CHECKPOINT_FILES",
    "INTEGRITY_KEY",
    "require_checkpoint_files",
    "is_model_id",
    "validate_model_id",
    "integrity_record",
    "check_integrity",
    "seal_checkpoint",
]

CONFIG_FILE = "config.json"
"""A checkpoint folder's configuration: the model's id, version, network settings, provenance and integrity record."""
WEIGHTS_FILE = "model.safetensors"
"""A checkpoint folder's weights."""
CHECKPOINT_FILES = (CONFIG_FILE, WEIGHTS_FILE)
INTEGRITY_KEY = "integrity"

# A model id names a folder in the models folder: letters, digits, '.', '_' and '-', starting with a letter or digit.
_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def require_checkpoint_files(folder: Path) -> tuple[Path, Path]:
    """The paths of ``folder``'s configuration and weights files, once both are there.

    Raises:
        CheckpointError: one of them is missing.
    """
    config_path, weights_path = folder / CONFIG_FILE, folder / WEIGHTS_FILE
    for required in (config_path, weights_path):
        if not required.is_file():
            raise CheckpointError(
                f"{folder} is not a complete ReinforcedVL checkpoint: {required.name} is missing. A checkpoint "
                f"folder holds {CONFIG_FILE} and {WEIGHTS_FILE}; download or copy it again."
            )
    return config_path, weights_path


def is_model_id(text: str) -> bool:
    """Whether ``text`` is a safe model id (see :func:`validate_model_id`)."""
    return isinstance(text, str) and _MODEL_ID.fullmatch(text) is not None and ".." not in text


def validate_model_id(model_id: str, where: str = "") -> str:
    """``model_id`` if it is a safe folder name (no path separators, no '..', no leading dot), else an error.

    Raises:
        CheckpointError: the id could name a path outside the models folder, or is empty or overlong.
    """
    if not is_model_id(model_id):
        source = f" in {where}" if where else ""
        raise CheckpointError(
            f"The model id {model_id!r}{source} is not a valid model name: a model id is 1-100 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit (no '/', '\\' or '..'). The checkpoint was not "
            "installed or loaded; ask its author for a correctly named copy."
        )
    return model_id


def _settings_sha256(document: dict[str, Any]) -> str:
    """SHA-256 of the configuration document without its integrity record, in a canonical JSON form."""
    settings = {key: value for key, value in document.items() if key != INTEGRITY_KEY}
    canonical = json.dumps(settings, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def integrity_record(document: dict[str, Any], weights_path: Path) -> dict[str, Any]:
    """The record to store under ``config.json``'s ``integrity`` key for ``document`` and its weights file."""
    return {
        "weights_sha256": file_sha256(weights_path),
        "weights_bytes": weights_path.stat().st_size,
        "settings_sha256": _settings_sha256(document),
    }


def check_integrity(folder: Path, document: dict[str, Any], *, weights: bool = True) -> str:
    """Check a checkpoint's configuration ``document`` (and, if ``weights``, its weights file) against the record
    the checkpoint was written with; returns the weights' SHA-256 from the record.

    Raises:
        CheckpointError: no record, or a file whose bytes differ from what the record says.
    """
    record = document.get(INTEGRITY_KEY)
    config_path, weights_path = folder / CONFIG_FILE, folder / WEIGHTS_FILE
    if not isinstance(record, dict) or not all(
        isinstance(record.get(key), str) for key in ("weights_sha256", "settings_sha256")
    ):
        raise CheckpointError(
            f"{config_path} has no integrity record (the SHA-256 of its weights), so the weights cannot be checked "
            "before use. Use a checkpoint written by this version of ReinforcedVL; if you made this copy yourself "
            f"and trust it, record its checksums once with 'reinforcedvl models seal {folder}'."
        )
    if record["settings_sha256"] != _settings_sha256(document):
        raise CheckpointError(
            f"{config_path} was changed after the checkpoint was written (its settings no longer match their "
            "SHA-256). The file is damaged or was edited: download or copy the checkpoint again."
        )
    if weights:
        size = weights_path.stat().st_size
        expected_size = record.get("weights_bytes")
        if isinstance(expected_size, int) and size != expected_size:
            raise CheckpointError(
                f"{weights_path} has {size} bytes, its checkpoint's record says {expected_size}: the file is "
                "incomplete or damaged. Download or copy the checkpoint again."
            )
        digest = file_sha256(weights_path)
        if digest != record["weights_sha256"]:
            raise CheckpointError(
                f"{weights_path} is damaged: its SHA-256 is {digest}, the checkpoint's record says "
                f"{record['weights_sha256']}. Download or copy the checkpoint again."
            )
    return str(record["weights_sha256"])


def seal_checkpoint(folder: str | Path) -> dict[str, Any]:
    """Write the integrity record of the files now in ``folder`` into its ``config.json``; returns the record.

    For checkpoints written before records existed, and for a maintainer who edited ``config.json`` on purpose:
    it trusts the files as they are.

    Raises:
        CheckpointError: a file is missing or the configuration is not JSON.
    """
    folder = Path(folder)
    config_path, weights_path = require_checkpoint_files(folder)
    try:
        document = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CheckpointError(f"{config_path} is not readable JSON ({error}).") from None
    if not isinstance(document, dict):
        raise CheckpointError(f"{config_path} is not a checkpoint configuration (not a JSON object).")
    document[INTEGRITY_KEY] = integrity_record(document, weights_path)
    temporary = config_path.with_name(config_path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    temporary.replace(config_path)
    return document[INTEGRITY_KEY]
