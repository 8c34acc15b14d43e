"""The packages the module installs on first use are the engine's own dependencies, torch excepted."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from ReinforcedVLLib.dependencies import (
    ENGINE_REQUIREMENTS,
    NOT_NEEDED_BY_THE_WORKER,
    TORCH_REQUIREMENT,
    missingRequirements,
    torchMissing,
)
from scene_helpers import MODULE_FOLDER, REPOSITORY

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11 or newer")


def test_requirements_are_the_engine_packages_the_worker_imports():
    declared = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    listed = [requirement for _, requirement in ENGINE_REQUIREMENTS]
    assert set(listed) <= set(declared) and f"torch{TORCH_REQUIREMENT}" in declared
    left_out = {re.split(r"[<>=;\[ ]", d)[0] for d in declared if d not in listed}
    assert left_out <= {"torch", *NOT_NEEDED_BY_THE_WORKER}, "decide whether the worker in Slicer needs these"


def test_nothing_is_missing_here():
    assert missingRequirements() == [] and not torchMissing()


def test_slicers_process_never_imports_torch():
    """Every Slicer-side helper, the worker client and the weights manager load without torch, MONAI or
    transformers: Slicer's own process only ever talks to the worker."""
    files = sorted((MODULE_FOLDER / "ReinforcedVLLib").glob("*.py"))
    qt_glue = [path.stem for path in files if "\nimport qt\n" in path.read_text(encoding="utf-8")]
    assert qt_glue == ["models_section", "results_section"]  # panel glue, only importable inside Slicer
    modules = [path.stem for path in files if path.stem not in ("__init__", *qt_glue)]
    script = (
        "import sys, importlib\n"
        f"sys.path.insert(0, {str(MODULE_FOLDER)!r})\n"
        f"for name in {modules!r}: importlib.import_module('ReinforcedVLLib.' + name)\n"
        "import reinforcedvl.worker.client, reinforcedvl.model_store.downloads\n"
        "from ReinforcedVLLib.dependencies import missingRequirements, torchMissing\n"
        "missingRequirements(), torchMissing()\n"
        "print(sorted(m for m in ('torch', 'monai', 'transformers', 'nibabel') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert len(modules) >= 12 and result.stdout.strip() == "[]"
