"""What a training run needs to resume exactly: optimizer state (safetensors) and progress (JSON), saved beside
the checkpoint's weights. No pickle: tensors go to safetensors, everything else to JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

__all__ = ["save_training_state", "load_training_state", "STATE_TENSORS", "STATE_JSON"]

STATE_TENSORS = "training_state.safetensors"
STATE_JSON = "training_state.json"


def save_training_state(folder: Path, optimizer: torch.optim.Optimizer, progress: dict[str, Any]) -> None:
    """Write the optimizer's tensors and the JSON-serialisable rest of its state, plus ``progress``."""
    state = optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for index, values in state["state"].items():
        for name, value in values.items():
            if torch.is_tensor(value):
                tensors[f"{index}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(index), {})[name] = value
    save_file(tensors, str(folder / STATE_TENSORS))
    document = {"param_groups": state["param_groups"], "scalars": scalars, "progress": progress}
    (folder / STATE_JSON).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def load_training_state(folder: Path, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """Restore the optimizer from ``folder`` and return the saved progress."""
    document = json.loads((folder / STATE_JSON).read_text(encoding="utf-8"))
    tensors = load_file(str(folder / STATE_TENSORS))
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    for index, values in document["scalars"].items():
        state.setdefault(int(index), {}).update(values)
    optimizer.load_state_dict({"state": state, "param_groups": document["param_groups"]})
    return document["progress"]
