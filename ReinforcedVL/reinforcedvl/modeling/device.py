"""Choosing the compute device: the GPU when there is one, the CPU otherwise, and always saying which."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Literal

import torch

from ..errors import DeviceError

__all__ = ["DeviceChoice", "ComputeDevice", "cpu_has_bf16_instructions", "resolve_device"]

DeviceChoice = Literal["auto", "cpu", "cuda"]


@dataclass(frozen=True)
class ComputeDevice:
    """The device a model runs on, with a sentence for the user (``"GPU: NVIDIA H100 (80 GB)"``).

    Attributes:
        bf16: inference runs in bfloat16 mixed precision (CUDA GPUs, and CPUs with bf16 instructions, where it is
            about twice as fast as float32); float32 otherwise.
    """

    device: torch.device
    description: str
    bf16: bool = False

    @property
    def is_gpu(self) -> bool:
        return self.device.type == "cuda"

    def mixed_precision(self) -> AbstractContextManager:
        """The context inference runs in: bf16 autocast when :attr:`bf16`, else plain float32."""
        return torch.autocast(self.device.type, dtype=torch.bfloat16) if self.bf16 else nullcontext()


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
        return ComputeDevice(torch.device("cuda", 0), f"GPU: {properties.name} ({memory_gb:.0f} GB)", bf16=True)
    reason = "as asked" if choice == "cpu" else "no CUDA GPU found"
    bf16 = cpu_has_bf16_instructions()
    precision = ", bf16" if bf16 else ""
    return ComputeDevice(torch.device("cpu"), f"CPU ({torch.get_num_threads()} threads{precision}; {reason})", bf16)


def cpu_has_bf16_instructions() -> bool:
    """Whether this CPU computes bfloat16 in hardware (AVX-512 BF16 or AMX), so that PyTorch's oneDNN kernels run
    bf16 faster than float32; elsewhere bf16 is emulated and slower. (PyTorch's checks are private: a version
    without them counts as no.)"""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, check, lambda: False)() for check in checks)
