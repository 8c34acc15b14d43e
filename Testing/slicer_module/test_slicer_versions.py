"""The Slicers ReinforcedVL runs on: the module file loads on Slicer 5.8's Python 3.9 far enough to say, in one
message, which Slicer it needs (no interpreter older than this machine's is at hand, so the grammar is checked with
``ast.parse(feature_version=(3, 9))`` and the message path by running the module file with Python 3.9's version
number and the engine unimportable); README and CMake state the same version as the gate."""

from __future__ import annotations

import ast
import importlib.abc
import importlib.util
import re
import sys
import types
import unittest

import pytest
from panel_harness import PanelHarness

from ReinforcedVLLib import python_version_gate
from scene_helpers import MODULE_FOLDER, REPOSITORY

MODULE_FILE = MODULE_FOLDER / "ReinforcedVL.py"
GATE_FILE = MODULE_FOLDER / "ReinforcedVLLib" / "python_version_gate.py"
PYTHON_3_9 = (3, 9, 18, "final", 0)


@pytest.mark.parametrize("path", [MODULE_FILE, GATE_FILE], ids=lambda path: path.name)
def test_the_files_slicer_5_8_loads_are_python_3_9(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), feature_version=(3, 9))
    futures = [node for node in tree.body if isinstance(node, ast.ImportFrom) and node.module == "__future__"]
    assert [alias.name for node in futures for alias in node.names] == ["annotations"]
    strict = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and any(keyword.arg == "strict" for keyword in node.keywords)
    ]
    assert strict == [], "zip(strict=...) needs Python 3.10"
    assert _unions_run_at_import(tree) == [], "X | Y between types runs at import and needs Python 3.10"


def test_the_engine_is_imported_only_behind_the_gate():
    tree = ast.parse(MODULE_FILE.read_text(encoding="utf-8"))
    ungated = [
        node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module.split(".")[0] in ("reinforcedvl", "ReinforcedVLLib")
    ]
    assert ungated == ["ReinforcedVLLib.python_version_gate"]
    gate = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "PYTHON_SUPPORTED")
    assert len([node for node in gate.body if isinstance(node, ast.ImportFrom)]) >= 10


def _unions_run_at_import(tree: ast.Module) -> list[int]:
    """Lines of ``a | b`` evaluated when the module or a class body runs (function bodies and annotations aside)."""
    found, pending = [], list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.AnnAssign):
            pending += [node.value] if node.value is not None else []
            continue
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            found.append(node.lineno)
        pending += list(ast.iter_child_nodes(node))
    return found


class _EngineUnavailable(importlib.abc.MetaPathFinder):
    """What Slicer 5.8's Python meets: no ReinforcedVL module other than the gate can be imported."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "reinforcedvl" or (
            name.startswith("ReinforcedVLLib.") and name != "ReinforcedVLLib.python_version_gate"
        ):
            raise ImportError(f"{name} needs Python 3.10 (imported on an unsupported Slicer)")
        return None


def test_an_older_slicer_shows_one_message(scene, tmp_path, monkeypatch):
    harness = PanelHarness(scene, tmp_path, monkeypatch)  # Slicer's application, for the module file to run in
    harness.close()
    connections = list(harness.app.connections)
    monkeypatch.setattr(python_version_gate, "sys", types.SimpleNamespace(version_info=PYTHON_3_9))
    for name in list(sys.modules):
        if name.split(".")[0] == "reinforcedvl" or (
            name.startswith("ReinforcedVLLib.") and name != "ReinforcedVLLib.python_version_gate"
        ):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_EngineUnavailable(), *sys.meta_path])
    spec = importlib.util.spec_from_file_location("ReinforcedVL_on_slicer_5_8", MODULE_FILE)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # as Slicer imports it (annotations resolve in its globals)
    spec.loader.exec_module(module)

    message = python_version_gate.unsupportedSlicerMessage(PYTHON_3_9)
    assert not module.PYTHON_SUPPORTED
    assert message.startswith("ReinforcedVL needs 3D Slicer 5.10 or newer") and "runs Python 3.9" in message
    moduleParent = types.SimpleNamespace()
    module.ReinforcedVL(moduleParent)
    assert moduleParent.helpText == message and harness.app.connections == connections  # no sample registered
    parent = harness.qt.QWidget()
    parent.setLayout(harness.qt.QVBoxLayout())
    widget = module.ReinforcedVLWidget(parent)
    widget.setup()
    widget.enter()
    labels = [child for child in parent.findChildren(harness.qt.QLabel)]
    assert [label.text for label in labels] == [message] and not hasattr(widget, "ui")
    widget.exit()
    widget.cleanup()
    with pytest.raises(unittest.SkipTest) as skipped:
        module.ReinforcedVLTest("runTest").runTest()
    assert message in str(skipped.value)
    assert not any(name.split(".")[0] == "reinforcedvl" for name in sys.modules)


def test_readme_and_cmake_name_the_slicer_the_gate_requires():
    minimum = python_version_gate.MINIMUM_SLICER
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    assert f"3D Slicer {minimum} or newer" in readme and "5.8 or newer" not in readme
    cmake = (REPOSITORY / "CMakeLists.txt").read_text(encoding="utf-8")
    assert re.search(rf'Slicer_VERSION VERSION_LESS "{re.escape(minimum)}"', cmake)
    assert f"Slicer {minimum} or newer" in cmake
