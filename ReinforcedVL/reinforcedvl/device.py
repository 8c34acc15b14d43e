"""Choosing the compute device: the GPU when there is one, the CPU otherwise, and always saying which."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch

from .errors import DeviceError

__all__ = ["DeviceChoice", "ComputeDevice", "resolve_device"]

DeviceChoice = Literal["auto", "cpu", "cuda"]


@dataclass(frozen=True)
class ComputeDevice:
    """The device a model runs on, with a sentence for the user (``"GPU: NVIDIA H100 (80 GB)"``)."""

    device: torch.device
    description: str

    @property
    def is_gpu(self) -> bool:
        return self.device.type == "cuda"


def resolve_device(choice: str = "auto") -> ComputeDevice:
    """``auto``: the first CUDA GPU if there is one, else the CPU; ``cuda``: a GPU or an error; ``cpu``: the CPU.

    Raises:
        DeviceError: ``cuda`` was asked for and no CUDA GPU is visible, or ``choice`` is unknown.
    """
    if choice not in ("auto", "cpu", "cuda"):
        raise DeviceError(f"Unknown device {choice!r}: use auto, cpu or cuda.")
    has_gpu = torch.cuda.is_available()
    if choice == "cuda" and not has_gpu:
        raise DeviceError(
            "--device cuda was asked for, but PyTorch sees no CUDA GPU (CPU-only PyTorch build, no driver, or no "
            "GPU). Use --device auto or cpu, or install a CUDA build of PyTorch."
        )
    if choice != "cpu" and has_gpu:
        properties = torch.cuda.get_device_properties(0)
        memory_gb = properties.total_memory / 1024**3
        return ComputeDevice(torch.device("cuda", 0), f"GPU: {properties.name} ({memory_gb:.0f} GB)")
    reason = "as asked" if choice == "cpu" else "no CUDA GPU found"
    return ComputeDevice(torch.device("cpu"), f"CPU ({torch.get_num_threads()} threads; {reason})")
