"""The engine's layers (docs/architecture.md): imports run only downwards or sideways without cycles, the command
line's parser and ``--version`` load no torch, and the Slicer side's vocabulary module loads nothing but the
standard library."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import reinforcedvl

PACKAGE = Path(reinforcedvl.__file__).resolve().parent

# Top to bottom, as drawn in docs/architecture.md. A unit may import its own layer (without cycles) and the layers
# below it, never one above. The package's own __init__ (the public names, loaded lazily) stands outside the layers.
LAYERS = (
    ("cli",),  # the doors: the command line ...
    ("worker",),  # ... and the worker that 3D Slicer starts (it never borrows from the command line)
    ("study", "cohort", "feedback"),  # the jobs
    ("predictor", "report", "dicom", "evaluation", "training", "terminology_context"),
    # the engine's parts
    ("io", "modeling", "lesions", "preprocessing", "model_store", "description", "data", "spatial", "scope"),
    ("errors", "vocabulary", "volume", "prompts", "plain_text", "finding_answer", "terminology"),  # shared names
)
_LAYER_OF = {unit: depth for depth, units in enumerate(LAYERS) for unit in units}


def _unit(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def _module_or_package(dotted: str) -> str:
    """``from . import name``: the module ``name`` when there is one, else the package that defines the name."""
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return dotted if path.with_suffix(".py").is_file() or path.is_dir() else dotted.rsplit(".", 1)[0]


def _imports() -> dict[str, set[str]]:
    """Every ``reinforcedvl`` import between units (sub-package or top module), at module level or in a function."""
    edges: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        package = module.removesuffix(".__init__") if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                targets = (
                    [".".join([*base, node.module])]
                    if node.module
                    else [_module_or_package(f"{'.'.join(base)}.{a.name}") for a in node.names]
                )
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("reinforcedvl."):
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("reinforcedvl.")]
            else:
                continue
            for target in targets:
                if _unit(target) != _unit(module):
                    edges.setdefault(_unit(module), set()).add(_unit(target))
    return edges


def test_every_unit_has_a_layer():
    units = {
        p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if p.suffix == ".py" or (p / "__init__.py").is_file()
    }
    assert units - {"__init__"} == set(_LAYER_OF)


def test_imports_never_run_up_a_layer():
    upward = [
        f"{unit} -> {target}"
        for unit, targets in _imports().items()
        for target in targets
        if "__init__" not in (unit, target) and _LAYER_OF[target] < _LAYER_OF[unit]
    ]
    assert upward == []


def test_no_import_cycle_between_units():
    try:
        graph = {unit: targets - {"__init__"} for unit, targets in _imports().items() if unit != "__init__"}
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        pytest.fail(f"import cycle: {' -> '.join(error.args[1])}")


def _loaded_after(code: str) -> dict:
    watched = ("torch", "monai", "numpy", "SimpleITK")
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(m for m in {watched!r} if m in sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    return {"loaded": json.loads(result.stdout.strip().splitlines()[-1]), "stdout": result.stdout}


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["segment", "--help"], ["models", "--help"]])
def test_the_command_line_answers_help_and_version_without_torch(argv):
    outcome = _loaded_after(
        "from reinforcedvl.cli.main import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit as done:\n    assert done.code == 0, done.code"
    )
    assert "reinforcedvl" in outcome["stdout"]
    assert "torch" not in outcome["loaded"] and "monai" not in outcome["loaded"]


def test_the_vocabulary_needs_only_the_standard_library():
    assert _loaded_after("import reinforcedvl.vocabulary")["loaded"] == []
